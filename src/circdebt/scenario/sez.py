"""The scenario's SEZ tables: zones, the captive alternative, regional benchmarks and the
SEZ class (docs/model.md §15). Part of the scenario schema
(:mod:`circdebt.scenario.schema`), which re-exports them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from circdebt.scenario.fields import MonthStr, Mw, Name, Percent, Share, Strict, Text, UscPerKwh


class SezZone(Strict):
    """A Special Economic Zone's grid load (docs/model.md §15): it ramps up linearly from
    ``start`` over ``ramp_months`` to ``peak_load_mw`` at ``load_factor_pct``, and
    materialises with ``probability_pct``. A zone supplied at ``voltage_kv`` may carry
    its own ``loss_multiplier`` (default: the SEZ class's); the SEZ class's loss rate
    each month is the load-weighted mean of its zones'.

    Defaults ``ramp_months = 24`` and ``load_factor_pct = 60``: ASSUMPTIONS for a zone
    without published plans (scenarios give each zone's own, with sources).
    """

    name: Name
    province: Text = ""
    start: MonthStr
    ramp_months: Annotated[int, Field(ge=0, le=600)] = 24
    peak_load_mw: Mw
    load_factor_pct: Share = 60.0
    probability_pct: Share = 100.0
    voltage_kv: Annotated[float, Field(gt=0.0, le=1000.0)] | None = None
    loss_multiplier: Annotated[float, Field(ge=0.0, le=3.0)] | None = None
    source: Text = ""


class SezCaptive(Strict):
    """The captive alternative: solar plus storage at a levelised cost.

    When the grid's all-in cost for an SEZ consumer exceeds the captive cost by more
    than ``switching_margin_pct``, a further ``switch_speed_pct_per_month`` of SEZ load
    leaves the grid each month, up to ``max_share_pct`` (captive plants, once built,
    stay).

    Defaults: no switching (``max_share_pct = 0``); the cost, margin and speed are
    ASSUMPTIONS that matter only when a maximum share is given.
    """

    lcoe_usc_per_kwh: UscPerKwh = 8.0
    lcoe_change_pct_per_year: Annotated[float, Field(gt=-50.0, le=50.0)] = 0.0
    switching_margin_pct: Annotated[float, Field(ge=0.0, le=500.0)] = 10.0
    max_share_pct: Share = 0.0
    switch_speed_pct_per_month: Percent = 2.0


class SezBenchmark(Strict):
    """An industrial tariff elsewhere, for comparison. [US cents/kWh]"""

    country: Text
    tariff_usc_per_kwh: UscPerKwh
    year: Annotated[int, Field(ge=1990, le=2100)]
    source: Text = ""


#: The consumer class that carries SEZ load (a reserved class name).
SEZ_CLASS = "sez"


class Sez(Strict):
    """SEZ demand, the SEZ consumer's tariff terms and the comparisons (docs/model.md §15).

    SEZ load is sold as a consumer class named ``sez`` at ``tariff_multiplier`` times
    the average base tariff; ``taxes_pct`` (sales tax and duties on the bill) enters
    only the SEZ consumer's cost, not sector cash. ``voltage`` names the
    ``[[cost_of_service.voltage_levels]]`` level SEZ load takes supply at (its cost of
    service; docs/model.md §15).
    """

    realisation: Literal["expected", "all", "none"] = "expected"
    tariff_multiplier: Annotated[float, Field(gt=0.0, le=10.0)] = 1.0
    recovery_pct: Share = 100.0
    loss_multiplier: Annotated[float, Field(ge=0.0, le=3.0)] = 1.0
    taxes_pct: Annotated[float, Field(ge=0.0, le=100.0)] = 0.0
    voltage: Name | None = None
    zones: list[SezZone] = Field(default_factory=list)
    captive: SezCaptive = SezCaptive()
    benchmarks: list[SezBenchmark] = Field(default_factory=list)
