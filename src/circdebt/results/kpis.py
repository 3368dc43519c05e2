"""Headline numbers of a run: the one KPI table (docs/model.md §18).

Every KPI has one name, one definition, one unit and one label wherever it appears:
``compare``, Monte Carlo paths, sweeps, charts and the report all compute it here, from
a run's fiscal-year arrays (rows, FYs) and monthly series (rows, T), so a batch of many
paths and a single run get the same number the same way. A KPI ``in_fy`` is measured
in one fiscal year (the last unless the caller names another); the others cover the
whole horizon.

Results of one fiscal year are named ``column@FY2030`` (:class:`AnnualValue`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from circdebt.timeline import is_fy

Arrays = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Kpi:
    """One headline number: what it is and how it is computed."""

    name: str
    unit: str
    label: str  # for people; ``{fy}`` stands for the fiscal year of an ``in_fy`` KPI
    definition: str
    annual: tuple[str, ...]  # fiscal-year columns it reads
    monthly: tuple[str, ...]  # monthly series it reads
    in_fy: bool
    compute: Callable[[Arrays, Arrays, np.ndarray, int], np.ndarray]  # -> (rows,)

    def title(self, fy: str = "") -> str:
        """The label with the fiscal year filled in."""
        return self.label.format(fy=fy).strip()


def _end(column: str) -> Callable[[Arrays, Arrays, np.ndarray, int], np.ndarray]:
    return lambda a, m, months, i: a[column][:, -1]


def _at_fy(column: str) -> Callable[[Arrays, Arrays, np.ndarray, int], np.ndarray]:
    return lambda a, m, months, i: a[column][:, i]


def _total(column: str) -> Callable[[Arrays, Arrays, np.ndarray, int], np.ndarray]:
    return lambda a, m, months, i: a[column].sum(axis=1)


def _peak(a: Arrays, m: Arrays, months: np.ndarray, i: int) -> np.ndarray:
    return m["cd_stock_bn_pkr"].max(axis=1)


def _average_flow(a: Arrays, m: Arrays, months: np.ndarray, i: int) -> np.ndarray:
    return a["cd_flow_bn_pkr"].sum(axis=1) / (months.sum() / 12.0)


def _kpis() -> dict[str, Kpi]:
    k = Kpi
    table = [
        k("cd_stock_end_bn_pkr", "Rs bn", "Circular debt at the end",
          "CD stock at the end of the horizon", ("cd_stock_bn_pkr",), (), False,
          _end("cd_stock_bn_pkr")),
        k("cd_stock_end_pct_gdp", "% of GDP", "Circular debt at the end, share of GDP",
          "CD stock at the end of the horizon over annual nominal GDP then",
          ("cd_stock_pct_gdp",), (), False, _end("cd_stock_pct_gdp")),
        k("cd_stock_end_bn_usd", "USD bn", "Circular debt at the end, in dollars",
          "CD stock at the end of the horizon at the exchange rate then",
          ("cd_stock_bn_usd",), (), False, _end("cd_stock_bn_usd")),
        k("cd_flow_cumulative_bn_pkr", "Rs bn", "Added over the horizon",
          "Sum of the monthly CD flows over the horizon", ("cd_flow_bn_pkr",), (), False,
          _total("cd_flow_bn_pkr")),
        k("cd_flow_avg_annual_bn_pkr", "Rs bn/yr", "Added per year (average)",
          "Cumulative CD flow over the horizon's length in years", ("cd_flow_bn_pkr",), (),
          False, _average_flow),
        k("cd_stock_peak_bn_pkr", "Rs bn", "Peak (month end)",
          "Highest month-end CD stock over the horizon", (), ("cd_stock_bn_pkr",), False,
          _peak),
        k("capacity_payments_total_bn_pkr", "Rs bn", "Capacity payments (total)",
          "Capacity payments due over the horizon", ("capacity_payments_bn_pkr",), (), False,
          _total("capacity_payments_bn_pkr")),
        k("capacity_charge_pkr_per_kwh", "Rs/kWh", "Capacity charge, {fy}",
          "Capacity payments per kWh sold in the fiscal year", ("capacity_charge_pkr_per_kwh",),
          (), True, _at_fy("capacity_charge_pkr_per_kwh")),
        k("avg_tariff_pkr_per_kwh", "Rs/kWh", "Average tariff, {fy}",
          "What notified tariffs recover per kWh sold in the fiscal year",
          ("avg_tariff_pkr_per_kwh",), (), True, _at_fy("avg_tariff_pkr_per_kwh")),
        k("tds_paid_total_bn_pkr", "Rs bn", "Tariff subsidy paid (total)",
          "Tariff differential subsidy paid over the horizon", ("tds_paid_bn_pkr",), (), False,
          _total("tds_paid_bn_pkr")),
        k("lps_total_bn_pkr", "Rs bn", "Late-payment surcharge (total)",
          "LPS accrued over the horizon", ("flow_lps_bn_pkr",), (), False,
          _total("flow_lps_bn_pkr")),
        k("unserved_energy_total_gwh", "GWh", "Unserved energy (total)",
          "Demand available capacity could not meet, over the horizon",
          ("unserved_energy_gwh",), (), False, _total("unserved_energy_gwh")),
        k("sez_cost_usc_per_kwh", "USc/kWh", "SEZ cost per kWh, {fy}",
          "All-in cost of a kWh to an SEZ manufacturer in the fiscal year (mean of months)",
          ("sez_total_usc_per_kwh",), (), True, _at_fy("sez_total_usc_per_kwh")),
        k("sez_load_total_gwh", "GWh", "SEZ grid load (total)",
          "Grid sales to SEZ consumers over the horizon", ("sez_load_gwh",), (), False,
          _total("sez_load_gwh")),
    ]
    return {kpi.name: kpi for kpi in table}


#: The KPI table, in the order tables show it.
KPIS: dict[str, Kpi] = _kpis()

def needs(names: Sequence[str] | None = None) -> tuple[set[str], set[str]]:
    """The annual columns and monthly series the named KPIs (default all) read."""
    chosen = [KPIS[n] for n in (names or KPIS)]
    return ({c for k in chosen for c in k.annual}, {c for k in chosen for c in k.monthly})


def kpi_values(annual: Arrays, monthly: Arrays, months: np.ndarray, fy_index: int = -1,
               names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """The named KPIs (default all) of every row. (rows,) each.

    ``annual`` maps columns to (rows, FYs), ``monthly`` series to (rows, T); ``months``
    (FYs,) counts the months of each fiscal year; ``fy_index`` picks the fiscal year of
    the ``in_fy`` KPIs (the last by default).
    """
    return {n: np.asarray(KPIS[n].compute(annual, monthly, months, fy_index), dtype=float)
            for n in (names or KPIS)}


def result_kpis(annual: pd.DataFrame, monthly: pd.DataFrame,
                fy: str | None = None) -> dict[str, float]:
    """Every KPI of one run, from its annual and monthly tables; ``in_fy`` KPIs in ``fy``
    (default the last fiscal year). ValueError if ``fy`` is outside the horizon."""
    fys = list(annual["fy"])
    fy = fy or fys[-1]
    if fy not in fys:
        raise ValueError(f"{fy} is outside the horizon ({fys[0]}..{fys[-1]})")
    a = {c: annual[c].to_numpy(float)[None, :] for c in needs()[0]}
    m = {c: monthly[c].to_numpy(float)[None, :] for c in needs()[1]}
    values = kpi_values(a, m, annual["months"].to_numpy(), fys.index(fy))
    return {name: float(v[0]) for name, v in values.items()}


@dataclass(frozen=True)
class AnnualValue:
    """A result in one fiscal year, written ``column@FY2030``."""

    column: str
    fy: str

    @classmethod
    def parse(cls, text: str) -> AnnualValue:
        m = re.fullmatch(r"\s*([a-z0-9_]+)\s*@\s*(\S+)\s*", text)
        if not m or not is_fy(m.group(2)):
            raise ValueError(f"{text!r}: expected COLUMN@FYyyyy, e.g. cd_stock_bn_pkr@FY2030")
        return cls(m.group(1), m.group(2))

    def __str__(self) -> str:
        return f"{self.column}@{self.fy}"
