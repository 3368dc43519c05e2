"""The scenario's tariff tables: determination and notification, the opening book of
adjustments, and the tariff subsidy (docs/model.md §9, §11). Part of the scenario
schema (:mod:`circdebt.scenario.schema`), which re-exports them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from circdebt.scenario.fields import (
    Bn,
    MonthStr,
    PerKwh,
    PositivePerKwh,
    ReleaseShares,
    Share,
    SignedBn,
    Strict,
    Text,
)


class OpeningAdjustment(Strict):
    """An adjustment already determined on the start date and charged in ``month``: an
    FCA, a quarterly adjustment (QTA) or a prior-year adjustment (PYA), in Rs bn
    (negative: a refund), with its source (docs/model.md §9, the opening book)."""

    month: MonthStr
    kind: Literal["fca", "qta", "pya"]
    amount_bn_pkr: SignedBn
    source: Text | None = None


class Tariff(Strict):
    """Tariff determination and notification (docs/model.md §9).

    Defaults: ``rebasing_month = 7``, NEPRA's annual determinations take effect with the
    fiscal year on 1 July; ``fca_lag_months = 2``, the FCA of month m is billed in month
    m + 2 (e.g. NEPRA's FCA for June 2025 in August 2025 bills, Dawn, 8 August 2025);
    ``qta_period_months = 3``, NEPRA's quarterly adjustments; ``qta_lag_months = 1``:
    ASSUMPTION (the Q4 FY2025 adjustment was charged August-October 2025, a lag of 2,
    which the baseline sets); ``dss_ends_when_phl_repaid = true``: ASSUMPTION, the
    surcharge services PHL's debt. Pass-through 100% and no DSS have no effect.

    ``reference_fuel_cost_pkr_per_kwh`` gives published monthly fuel references (Rs per
    kWh purchased, by month ``"YYYY-MM"``): a determination in force in that month uses
    them instead of its own projection. ``initial_fuel_reference_pkr_per_kwh`` scales the
    first determination's projected fuel references to a yearly average per kWh *sold*
    at the allowed loss (the form of earlier versions). ``opening_book`` lists
    adjustments already determined and not yet charged on the start date.
    """

    initial_determined_pkr_per_kwh: PositivePerKwh
    initial_fuel_reference_pkr_per_kwh: PerKwh | None = None
    reference_fuel_cost_pkr_per_kwh: dict[MonthStr, PerKwh] = Field(default_factory=dict,
                                                                    max_length=1200)
    opening_book: list[OpeningAdjustment] = Field(default_factory=list, max_length=1200)
    distribution_margin_pkr_per_kwh: PerKwh = 0.0
    rebasing_month: Annotated[int, Field(ge=1, le=12)] = 7
    rebasing_sales_growth_pct: Annotated[float, Field(gt=-100.0, le=100.0)] = 0.0
    fca_lag_months: Annotated[int, Field(ge=0, le=24)] = 2
    qta_period_months: Literal[1, 2, 3, 4, 6, 12] = 3
    qta_lag_months: Annotated[int, Field(ge=0, le=24)] = 1
    pass_through_pct: Share = 100.0
    dss_pkr_per_kwh: PerKwh = 0.0
    dss_ends_when_phl_repaid: bool = True


class Subsidy(Strict):
    """Tariff differential subsidy paid by the budget: lag, payment ratio, annual cap,
    release calendar (docs/model.md §11).

    Without ``release_by_month_pct``, each month pays ``payment_pct`` of the TDS that
    falls due ``lag_months`` after it arose, within what is left of the fiscal year's
    ``budget_cap_bn_pkr_per_fy``. With it, the budget releases its fiscal year's amount
    on that calendar (January first, summing to 100): each month's release pays what has
    fallen due and is still owed (the month's and earlier months' arrears, and
    ``initial.subsidy_arrears_bn_pkr``), so a release may exceed the month's due; what
    is owed beyond the release stays owed. The calendar needs the budget.
    """

    lag_months: Annotated[int, Field(ge=0, le=36)] = 0
    payment_pct: Share = 100.0
    pre_start_due_bn_pkr_per_month: Bn | None = None
    budget_cap_bn_pkr_per_fy: dict[str, Bn] | None = None
    release_by_month_pct: ReleaseShares | None = None
