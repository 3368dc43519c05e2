"""Results as tables: monthly and fiscal-year tables built from a run's trajectories.

Column names carry units; their meaning, unit and how they aggregate to a fiscal year
are listed once in ``data/variables.csv`` (:mod:`circdebt.units`): flows are summed,
stocks taken at the fiscal year's last month, prices recomputed from their summed
numerator and denominator, rates averaged (docs/model.md §18).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from circdebt.engine.record import Trajectories
from circdebt.model.causes import CAUSES
from circdebt.units import BN_PER_GWH_TO_PKR_PER_KWH, PERCENT, variables

#: Ratio columns: (numerator, denominator, scale, how the FY value is formed)
RATIOS: dict[str, tuple[str, str, float, str]] = {
    "capacity_charge_pkr_per_kwh": ("capacity_payments_bn_pkr", "units_sold_gwh",
                                    BN_PER_GWH_TO_PKR_PER_KWH, "sum"),
    "avg_tariff_pkr_per_kwh": ("tariff_recovered_bn_pkr", "units_sold_gwh",
                               BN_PER_GWH_TO_PKR_PER_KWH, "sum"),
    "cost_recovery_pkr_per_kwh": ("revenue_requirement_allowed_bn_pkr", "units_sold_gwh",
                                  BN_PER_GWH_TO_PKR_PER_KWH, "sum"),
    "ppp_pkr_per_kwh": ("ppp_bn_pkr", "units_purchased_gwh", BN_PER_GWH_TO_PKR_PER_KWH, "sum"),
    "cd_stock_pct_gdp": ("cd_stock_bn_pkr", "gdp_bn_pkr_per_year", PERCENT, "last"),
    "cd_stock_bn_usd": ("cd_stock_bn_pkr", "fx_pkr_per_usd", 1.0, "last"),
    "capacity_charge_excl_sez_pkr_per_kwh": ("capacity_payments_bn_pkr",
                                             "units_sold_excl_sez_gwh",
                                             BN_PER_GWH_TO_PKR_PER_KWH, "sum"),
}

FLOW_COLUMNS = tuple(f"flow_{c}_bn_pkr" for c in CAUSES)


def _ratio(num: np.ndarray, den: np.ndarray, scale: float) -> np.ndarray:
    """num / den x scale; NaN (an empty cell) where it is undefined or not finite."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = np.divide(num, den, out=np.full(np.shape(num), np.nan), where=den != 0) * scale
    return np.where(np.isfinite(out), out, np.nan)


def monthly_table(traj: Trajectories, path: int = 0) -> pd.DataFrame:
    """One row per month for one path, every recorded column plus ratios and splits."""
    tl = traj.timeline
    cols: dict[str, Any] = {"month": tl.labels, "fy": tl.fy_labels}
    for name, values in traj.series.items():
        cols[name] = values[path]
    for name, (num, den, scale, _) in RATIOS.items():
        cols[name] = _ratio(traj.series[num][path], traj.series[den][path], scale)
    for k, creditor in enumerate(traj.creditor_names):
        cols[f"payables_{creditor}_bn_pkr"] = traj.by_creditor["payables_bn_pkr"][path, :, k]
    for k, creditor in enumerate(traj.creditor_names):
        cols[f"lps_{creditor}_bn_pkr"] = traj.by_creditor["lps_bn_pkr"][path, :, k]
    for c, name in enumerate(traj.class_names):
        cols[f"sales_{name}_gwh"] = traj.by_class["sales_gwh"][path, :, c]
    if "cross_subsidy_bn_pkr" in traj.by_class:  # cost of service by class (§9)
        for stem in CLASS_PER_KWH:
            for c, name in enumerate(traj.class_names):
                cols[f"{stem}_{name}_pkr_per_kwh"] = traj.by_class[f"{stem}_pkr_per_kwh"][
                    path, :, c]
        for c, name in enumerate(traj.class_names):
            cols[f"cross_subsidy_{name}_bn_pkr"] = traj.by_class["cross_subsidy_bn_pkr"][
                path, :, c]
    return pd.DataFrame(cols)


#: Per-class Rs/kWh columns of the monthly table, ``<stem>_<class>_pkr_per_kwh``: a fiscal
#: year's value is their sales-weighted mean over its months (docs/model.md §18).
CLASS_PER_KWH = ("cost_of_service", "cross_subsidy")


def _class_sales_column(column: str) -> str | None:
    """``sales_<class>_gwh`` for a per-class Rs/kWh column, else None."""
    for stem in CLASS_PER_KWH:
        if column.startswith(f"{stem}_") and column.endswith("_pkr_per_kwh"):
            return f"sales_{column[len(stem) + 1:-len('_pkr_per_kwh')]}_gwh"
    return None


def _aggregation(column: str) -> str:
    known = variables().get(column)
    if known is not None:
        return known.aggregation
    if column.startswith("payables_"):
        return "last"
    return "sum"  # lps_<creditor>, sales_<class>


def fiscal_years(fy_labels: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Fiscal years of consecutive months: (labels, first month index, month counts).

    (A timeline knows its own: :attr:`circdebt.timeline.Timeline.fiscal_years`; this is
    for tables that carry only their labels.)"""
    labels = list(fy_labels)
    starts = [i for i, fy in enumerate(labels) if i == 0 or fy != labels[i - 1]]
    counts = np.diff([*starts, len(labels)])
    return [labels[i] for i in starts], np.array(starts), counts


def annual_arrays(
    columns: Mapping[str, np.ndarray], fy_labels: Sequence[str],
) -> tuple[list[str], np.ndarray, dict[str, np.ndarray]]:
    """Fiscal-year values of monthly columns (paths, T) -> (paths, FYs).

    docs/model.md §18: flows are summed, stocks taken at the last month, rates averaged, and
    ratio columns recomputed from their summed numerator and denominator (or taken at
    the last month for stock ratios) whenever their inputs are among ``columns``.
    """
    labels, starts, counts = fiscal_years(fy_labels)
    ends = starts + counts - 1
    out: dict[str, np.ndarray] = {}
    for name, values in columns.items():
        values = np.asarray(values, dtype=float)
        if name in RATIOS:
            continue
        how = _aggregation(name)
        weight_column = _class_sales_column(name)
        if weight_column is not None and weight_column in columns:
            weights = np.asarray(columns[weight_column], dtype=float)
            summed = np.add.reduceat(weights, starts, axis=1)
            out[name] = np.divide(np.add.reduceat(values * weights, starts, axis=1), summed,
                                  out=np.add.reduceat(values, starts, axis=1) / counts,
                                  where=summed > 0)
        elif how == "last":
            out[name] = values[:, ends]
        elif how == "mean":
            out[name] = np.add.reduceat(values, starts, axis=1) / counts
        else:
            out[name] = np.add.reduceat(values, starts, axis=1)
    for name, (num, den, scale, how) in RATIOS.items():
        if how == "last":
            if name in columns:
                monthly = np.asarray(columns[name], dtype=float)
            elif num in columns and den in columns:
                monthly = _ratio(np.asarray(columns[num], float), np.asarray(columns[den], float),
                                 scale)
            else:
                continue
            out[name] = monthly[:, ends]
        elif num in out and den in out:
            out[name] = _ratio(out[num], out[den], scale)
    return labels, counts, out


def aggregation_inputs(column: str) -> set[str]:
    """The monthly columns a fiscal-year (or window) value of ``column`` is formed from:
    the column itself, or a ratio's numerator and denominator, or a per-class Rs/kWh
    column and its class's sales (see :func:`annual_arrays`)."""
    if column in RATIOS:
        return set(RATIOS[column][:2])
    weights = _class_sales_column(column)
    return {column} if weights is None else {column, weights}


def window_arrays(columns: Mapping[str, np.ndarray], first: int, last: int,
                  ) -> dict[str, np.ndarray]:
    """Values of monthly columns (paths, T) over the months at positions ``first`` to
    ``last`` (inclusive), aggregated exactly as a fiscal year is (:func:`annual_arrays`:
    flows summed, stocks at the last month, ...). {column: (paths,)}"""
    part = {name: np.asarray(values, dtype=float)[:, first:last + 1]
            for name, values in columns.items()}
    _, _, out = annual_arrays(part, ["window"] * (last - first + 1))
    return {name: values[:, 0] for name, values in out.items()}


def annual_table(monthly: pd.DataFrame) -> pd.DataFrame:
    """Fiscal-year table from a monthly table (docs/model.md §18 aggregation rules)."""
    columns = {c: monthly[c].to_numpy()[None, :] for c in monthly.columns
               if c not in ("month", "fy")}
    labels, counts, values = annual_arrays(columns, list(monthly["fy"]))
    table = pd.DataFrame({"fy": labels, "months": counts})
    order = [c for c in monthly.columns if c in values and c not in RATIOS]
    order += [c for c in RATIOS if c in values]
    return pd.concat([table, pd.DataFrame({c: values[c][0] for c in order})], axis=1)
