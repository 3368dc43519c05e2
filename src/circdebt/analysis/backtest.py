"""Testing the model against the past: backtest and calibration (issue 6).

Pure computation: results and history tables in, comparison tables out. The packaged
history is in :mod:`circdebt.data.history`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from circdebt.analysis.batch import Rows, Want, evaluate
from circdebt.keypaths import decimal_at, split
from circdebt.scenario.ranges import clip_to_bounds
from circdebt.scenario.schema import Scenario
from circdebt.timeline import fy_first_month, is_month, month_label, parse_fy

#: Published flow lines (history series) and the model causes that correspond to them.
#: K-Electric's non-payment is part of the model's under-recovery (a class of its own);
#: the published "pending generation cost (QTAs + FCAs)" is the model's tariff gap and the
#: adjustments determined but not yet charged; the published "other adjustments
#: (prior-year recovery)" is the model's prior-year adjustment and seasonal timing (what
#: the uniform tariff recovers against the monthly references; it nets over a July-June
#: tariff year); the published interest line (IPP LPS and PHL mark-up) is net of what the debt
#: servicing surcharge pays; fiscal payments are budget payments and one-off stock
#: payments.
CAUSE_MAP: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "excess_losses": (("flow_excess_losses_bn_pkr",), ("flow_excess_losses_bn_pkr",)),
    "under_recovery": (("flow_under_recovery_bn_pkr",),
                       ("flow_under_recovery_bn_pkr", "flow_ke_non_payment_bn_pkr")),
    "tariff_adjustments": (("flow_tariff_gap_bn_pkr", "flow_pending_adjustments_bn_pkr"),
                           ("flow_tariff_adjustments_bn_pkr",)),
    "prior_year_adjustment": (("flow_prior_year_adjustment_bn_pkr",
                               "flow_seasonal_timing_bn_pkr"), ("flow_other_bn_pkr",)),
    "interest_net_of_dss": (("flow_lps_bn_pkr", "flow_phl_interest_bn_pkr", "flow_dss_bn_pkr"),
                            ("flow_lps_bn_pkr",)),
    "subsidy": (("flow_subsidy_shortfall_bn_pkr", "flow_sez_package_bn_pkr"),
                ("flow_subsidy_bn_pkr",)),
    "fiscal_payments": (("flow_budget_payments_bn_pkr", "flow_policy_one_offs_bn_pkr"),
                        ("flow_fiscal_payments_bn_pkr",)),
}


def _sum_available(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Sum of the columns present; NaN where none has a value."""
    present = [c for c in columns if c in frame.columns]
    if not present:
        return pd.Series(np.nan, index=frame.index)
    return frame[present].sum(axis=1, min_count=1)


def backtest_table(annual: pd.DataFrame, history: pd.DataFrame,
                   from_fy: str | None = None) -> pd.DataFrame:
    """Modelled against actual, per fiscal year and quantity.

    ``annual`` is a result's annual table; ``history`` is indexed by ``fy`` with series
    columns (:func:`circdebt.data.history.wide`). Quantities: the CD stock, the CD flow and
    each published flow line (``flow:<line>``, see :data:`CAUSE_MAP`), wherever both
    sides have a value. Error = modelled - actual (Rs bn) and as a percent of
    |actual|.
    """
    model = annual.set_index("fy")
    if from_fy is not None:
        model = model[model.index >= from_fy]
    rows = []
    pairs: dict[str, tuple[pd.Series, pd.Series]] = {
        "cd_stock_bn_pkr": (model["cd_stock_bn_pkr"], _sum_available(history,
                                                                     ["cd_stock_bn_pkr"])),
        "cd_flow_bn_pkr": (model["cd_flow_bn_pkr"], _sum_available(history, ["cd_flow_bn_pkr"])),
    }
    for line, (model_cols, history_cols) in CAUSE_MAP.items():
        pairs[f"flow:{line}"] = (_sum_available(model, model_cols),
                                 _sum_available(history, history_cols))
    for quantity, (modelled, actual) in pairs.items():
        for fy in model.index:
            a = actual.get(fy, np.nan)
            if not np.isfinite(a):
                continue
            m = float(modelled[fy])
            rows.append({"fy": fy, "quantity": quantity, "modelled_bn_pkr": m,
                         "actual_bn_pkr": float(a), "error_bn_pkr": m - a,
                         "error_pct": 100 * (m - a) / abs(a) if a else np.nan})
    return pd.DataFrame(rows, columns=["fy", "quantity", "modelled_bn_pkr", "actual_bn_pkr",
                                       "error_bn_pkr", "error_pct"])


def mape(table: pd.DataFrame, quantity: str = "cd_stock_bn_pkr") -> float:
    """Mean absolute percentage error of one quantity over the years compared. [%]"""
    errors = table.loc[table["quantity"] == quantity, "error_pct"].abs()
    return float(errors.mean()) if len(errors) else float("nan")


def backtest(scenario: Scenario, history: pd.DataFrame,
             from_fy: str | None = None) -> pd.DataFrame:
    """:func:`backtest_table` for a scenario, run through the batch evaluator."""
    columns = sorted({"cd_stock_bn_pkr", "cd_flow_bn_pkr",
                      *(c for model_cols, _ in CAUSE_MAP.values() for c in model_cols)})
    batch = evaluate(scenario, Rows(1), Want(annual=columns))
    annual = pd.DataFrame({"fy": batch.fys, **{c: batch.annual[c][0] for c in columns}})
    return backtest_table(annual, history, from_fy)


# --------------------------------------------------------------------------- the record


def _months_of(period: str) -> list[str] | None:
    """The months ``YYYY-MM`` a record period covers: a month, a fiscal year ``FYyyyy``, a
    quarter ``FYyyyy-Qn`` (Q1 = the fiscal year's first three months), a half
    ``FYyyyy-H1``; None for a period a monthly table cannot cover (a calendar tariff
    year)."""
    if is_month(period):
        return [period]
    match = re.fullmatch(r"(FY\d{4})(?:-(Q[1-4]|H[12]))?", period)
    if match is None:
        return None
    first = fy_first_month(parse_fy(match.group(1)))
    part = match.group(2) or "Y1"
    size = {"Q": 3, "H": 6, "Y": 12}[part[0]]
    start = first + (int(part[1]) - 1) * size
    return [month_label(start + k) for k in range(size)]


#: How a monthly table gives each series of :mod:`circdebt.data.record`: model columns
#: and how months are combined (sum over a period, the last month, or the mean).
RECORD_MAP: dict[str, tuple[tuple[str, ...], str]] = {
    "reference_fuel_cost_pkr_per_kwh": (("fuel_reference_pkr_per_kwh",), "mean"),
    "fca_notified_pkr_per_kwh": (("fca_determined_pkr_per_kwh",), "mean"),
    "fuel_cost_actual_pkr_per_kwh": (("fca_determined_pkr_per_kwh",
                                      "fuel_reference_pkr_per_kwh"), "mean"),
    "qta_determined_bn_pkr": (("qta_determined_bn_pkr",), "sum"),
    "cd_flow_bn_pkr": (("cd_flow_bn_pkr",), "sum"),
    "cd_stock_bn_pkr": (("cd_stock_bn_pkr",), "last"),
    "payables_bn_pkr": (("payables_bn_pkr",), "last"),
    "phl_debt_bn_pkr": (("phl_debt_bn_pkr",), "last"),
    "capacity_payments_bn_pkr": (("capacity_payments_bn_pkr",), "sum"),
    "cross_subsidy_industrial_pkr_per_kwh": (("cross_subsidy_industrial_pkr_per_kwh",), "mean"),
    **{history_cols[0]: (model_cols, "sum") for model_cols, history_cols in CAUSE_MAP.values()},
}


def record_table(monthly: pd.DataFrame, record: pd.DataFrame) -> pd.DataFrame:
    """The model beside each published monthly or quarterly figure it can be compared
    with.

    ``monthly`` is a result's monthly table (a ``month`` column); ``record`` the
    packaged record (:func:`circdebt.data.record.load`). A figure is compared where its
    series is in :data:`RECORD_MAP` and every month of its period is in the run.
    Returns one row per figure: period, series, use (input or check), modelled,
    published, error (modelled - published, in the series' unit) and the source title.
    """
    frame = monthly.set_index("month")
    rows = []
    for _, fig in record.iterrows():
        spec = RECORD_MAP.get(str(fig["series"]))
        months = _months_of(str(fig["period"]))
        if spec is None or months is None or not set(months) <= set(frame.index):
            continue
        columns, how = spec
        per_month = _sum_available(frame.loc[months], columns)
        modelled = float(per_month.iloc[-1] if how == "last" else
                         per_month.sum() if how == "sum" else per_month.mean())
        rows.append({"period": fig["period"], "series": fig["series"], "use": fig["use"],
                     "modelled": modelled, "published": float(fig["value"]),
                     "error": modelled - float(fig["value"]),
                     "source_title": fig["source_title"]})
    return pd.DataFrame(rows, columns=["period", "series", "use", "modelled", "published",
                                       "error", "source_title"])


# --------------------------------------------------------------------------- calibration


@dataclass
class Calibration:
    """A fit of free parameters to a history target."""

    parameters: list[str]
    initial: np.ndarray
    fitted: np.ndarray
    fit_fys: list[str]
    table: pd.DataFrame  # fy, modelled, actual, error, in_fit
    rmse_fit: float
    rmse_out_of_sample: float
    success: bool
    message: str

    def values(self) -> dict[str, float]:
        return dict(zip(self.parameters, map(float, self.fitted), strict=True))


def _target_by_fy(scenario: Scenario, params: Sequence[str], X: np.ndarray,
                  column: str) -> tuple[list[str], np.ndarray]:
    """The target column by FY for each row of X (one vectorised run). (rows, FYs)"""
    batch = evaluate(scenario, Rows(X.shape[0], {key: X[:, j] for j, key in enumerate(params)}),
                     Want(annual=(column,)))
    return batch.fys, batch.annual[column]


def calibrate(scenario: Scenario, params: Sequence[str], history: pd.DataFrame,
              column: str = "cd_stock_bn_pkr", fit_from: str | None = None,
              fit_to: str | None = None, bounds: Sequence[tuple[float, float]] | None = None,
              ) -> Calibration:
    """Fit ``params`` (key paths of decimal numbers) so the model's ``column`` matches
    history on the fiscal years ``fit_from..fit_to`` (bounded least squares, scipy's
    trust-region reflective method; the Jacobian comes from one vectorised run of the
    base point and its perturbations). Years of the horizon outside the fit range are
    reported as out of sample.
    """
    from scipy.optimize import least_squares

    params = list(params)
    x0 = np.array([decimal_at(scenario, key) for key in params])
    if bounds is None:
        bounds = [clip_to_bounds(scenario, k, v - 0.5 * abs(v) - 1e-9, v + 0.5 * abs(v) + 1e-9)
                  for k, v in zip(params, x0, strict=True)]
    lo, hi = np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])
    actual = history[column] if column in history.columns else pd.Series(dtype=float)
    labels, _ = _target_by_fy(scenario, params, x0[None, :], column)
    fit = [fy for fy in labels if (fit_from is None or fy >= fit_from)
           and (fit_to is None or fy <= fit_to) and np.isfinite(actual.get(fy, np.nan))]
    if not fit:
        raise ValueError(f"no fiscal year with a published {column} to fit in "
                         f"{fit_from or labels[0]}..{fit_to or labels[-1]}")
    idx = [labels.index(fy) for fy in fit]
    target = np.array([actual[fy] for fy in fit])

    def residuals(x: np.ndarray) -> np.ndarray:
        return _target_by_fy(scenario, params, x[None, :], column)[1][0, idx] - target

    def jacobian(x: np.ndarray) -> np.ndarray:
        steps = np.maximum(1e-6 * np.abs(x), 1e-7)
        steps = np.where(x + steps > hi, -steps, steps)
        X = np.vstack([x, x + np.diag(steps)])
        Y = _target_by_fy(scenario, params, X, column)[1][:, idx]
        return ((Y[1:] - Y[0]) / steps[:, None]).T

    x_start = np.clip(x0, lo, hi)
    solution = least_squares(residuals, x_start, jac=jacobian, bounds=(lo, hi), method="trf")
    _, modelled = _target_by_fy(scenario, params, solution.x[None, :], column)
    rows = []
    for i, fy in enumerate(labels):
        a = actual.get(fy, np.nan)
        rows.append({"fy": fy, "modelled": modelled[0, i], "actual": a,
                     "error": modelled[0, i] - a, "in_fit": fy in fit})
    table = pd.DataFrame(rows)
    known = table[np.isfinite(table["actual"])]
    out = known[~known["in_fit"]]
    return Calibration(
        parameters=params, initial=x0, fitted=solution.x, fit_fys=fit, table=table,
        rmse_fit=float(np.sqrt(np.mean(known[known["in_fit"]]["error"] ** 2))),
        rmse_out_of_sample=float(np.sqrt(np.mean(out["error"] ** 2))) if len(out) else np.nan,
        success=bool(solution.success), message=str(solution.message))


def calibrated_scenario_data(resolved: dict, calibration: Calibration, extends: str) -> dict:
    """A scenario file body that extends the original and sets the fitted values.

    Keys inside arrays (``supply.plants[3].capacity_mw``) carry the whole resolved array,
    since arrays replace whole under ``extends``.
    """
    body: dict = {"extends": extends}
    for key, value in calibration.values().items():
        parts = split(key)
        node, source = body, resolved
        for i, part in enumerate(parts[:-1]):
            nxt = parts[i + 1]
            if isinstance(nxt, int) and not isinstance(part, int):
                node.setdefault(part, [dict(x) if isinstance(x, dict) else x
                                       for x in source[part]])
            elif not isinstance(part, int):
                node = node.setdefault(part, {})
                source = source[part]
                continue
            node, source = node[part] if not isinstance(part, int) else node[part], \
                source[part]
        node[parts[-1]] = float(value)
    return body
