"""Testing the model against the past: backtest and calibration (issue 6).

Pure computation: results and history tables in, comparison tables out. The packaged
history is in :mod:`circdebt.data.history`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from circdebt.analysis.batch import Rows, Want, evaluate
from circdebt.engine.compile import timeline_of
from circdebt.engine.record import SERIES
from circdebt.keypaths import decimal_at, split
from circdebt.results.tables import RATIOS
from circdebt.scenario.ranges import clip_to_bounds
from circdebt.scenario.schema import Scenario
from circdebt.timeline import (
    fiscal_year_of,
    fy_first_month,
    fy_label,
    is_month,
    month_label,
    month_number,
    parse_fy,
)

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


#: A range of months ``YYYY-MM..YYYY-MM``, first and last inclusive (the whole text).
MONTH_RANGE = re.compile(r"(\d{4}-\d{2})\.\.(\d{4}-\d{2})")


def _months_of(period: str) -> list[str] | None:
    """The months ``YYYY-MM`` a record period covers: a month, a range of months
    ``YYYY-MM..YYYY-MM`` (both inclusive: ``2025-07..2025-11`` is July-November 2025), a
    fiscal year ``FYyyyy``, a quarter ``FYyyyy-Qn`` (Q1 = the fiscal year's first three
    months), a half ``FYyyyy-H1``; None for a period a monthly table cannot cover (a
    calendar tariff year, or a range that is not two months in order)."""
    if is_month(period):
        return [period]
    span = MONTH_RANGE.fullmatch(period)
    if span is not None:
        if not (is_month(span.group(1)) and is_month(span.group(2))):
            return None
        first, last = month_number(span.group(1)), month_number(span.group(2))
        return [month_label(n) for n in range(first, last + 1)] if first <= last else None
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
    "genco_fuel_payables_bn_pkr": (("genco_fuel_payables_bn_pkr",), "last"),
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


# --------------------------------------------------------------------------- the months

#: Month-end stocks the monthly backtest compares: the CD stock and its published split.
STOCK_SERIES = ("cd_stock_bn_pkr", "payables_bn_pkr", "genco_fuel_payables_bn_pkr",
                "phl_debt_bn_pkr")

#: Where a point sits in its fiscal year: a month-end stock; a flow over the fiscal year
#: to date (from the first month, "since June"); a flow over later months of the year.
WINDOWS = ("month-end", "since June", "within the year")

MONTHS_COLUMNS = ["kind", "quantity", "period", "fy", "window", "modelled_bn_pkr",
                  "published_bn_pkr", "error_bn_pkr", "error_pct", "source_title"]
"""Columns of :func:`months_table`."""


def record_points(record: pd.DataFrame, series: str, months: Sequence[str],
                  fy_start_month: int = 7) -> pd.DataFrame:
    """The record's figures of one series over parts of fiscal years that ``months``
    covers whole: a month, a quarter, a half or a range of months (whole fiscal years
    are :func:`backtest_table`'s, against :mod:`circdebt.data.history`).

    Returns one row per figure, in the record's order: period, fy (the fiscal year of
    its last month), window (:data:`WINDOWS`; a single month of a stock is its
    month-end), first and last (positions in ``months``), value, source_title.
    """
    position = {m: i for i, m in enumerate(months)}
    rows = []
    for _, fig in record[record["series"] == series].iterrows():
        period = str(fig["period"])
        span = _months_of(period)
        if span is None or re.fullmatch(r"FY\d{4}", period) or \
                not all(m in position for m in span):
            continue
        first, last = month_number(span[0]), month_number(span[-1])
        fy = fiscal_year_of(last, fy_start_month)
        if RECORD_MAP[series][1] == "last":
            window = "month-end"
        elif first == fy_first_month(fy, fy_start_month):
            window = "since June"
        else:
            window = "within the year"
        rows.append({"period": period, "fy": fy_label(fy), "window": window,
                     "first": position[span[0]], "last": position[span[-1]],
                     "value": float(fig["value"]), "source_title": str(fig["source_title"])})
    return pd.DataFrame(rows, columns=["period", "fy", "window", "first", "last", "value",
                                       "source_title"])


def months_table(monthly: pd.DataFrame, record: pd.DataFrame,
                 from_fy: str | None = None) -> pd.DataFrame:
    """The model beside every published month-end stock, partial-year flow and cause
    line the run covers (the record's months, quarters, halves and ranges).

    ``monthly`` is a result's monthly table; ``record`` the packaged record
    (:func:`circdebt.data.record.load`). Kinds: ``stock`` (the CD stock and its split,
    :data:`STOCK_SERIES`, at month-ends), ``flow`` (the CD flow) and ``cause`` (each
    published line of :data:`CAUSE_MAP`, ``flow:<line>``). A cause line's published
    value is the record's line plus what :data:`CAUSE_MAP` adds to it in the same period
    where that is published (K-Electric's non-payment, to under-recovery); modelled sums
    the line's model columns over the months. Error = modelled - published (Rs bn) and as
    a percent of |published|. Rows by kind, quantity and period end.
    """
    frame = monthly.set_index("month")
    months = list(frame.index)
    specs: list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = [
        ("stock", s, s, RECORD_MAP[s][0], ()) for s in STOCK_SERIES]
    specs.append(("flow", "cd_flow_bn_pkr", "cd_flow_bn_pkr", ("cd_flow_bn_pkr",), ()))
    for line, (model_cols, history_cols) in CAUSE_MAP.items():
        specs.append(("cause", f"flow:{line}", history_cols[0], model_cols, history_cols[1:]))
    rows = []
    for kind, quantity, series, model_cols, extras in specs:
        points = record_points(record, series, months)
        for _, point in points.sort_values(["last", "first"], kind="stable").iterrows():
            if from_fy is not None and point["fy"] < from_fy:
                continue
            span = frame.iloc[int(point["first"]):int(point["last"]) + 1]
            values = _sum_available(span, model_cols)
            modelled = float(values.iloc[-1] if kind == "stock" else values.sum())
            published = float(point["value"])
            for extra in extras:
                same = record[(record["series"] == extra) & (record["period"] == point["period"])]
                published += float(same["value"].sum())
            error = modelled - published
            rows.append({"kind": kind, "quantity": quantity, "period": point["period"],
                         "fy": point["fy"], "window": point["window"],
                         "modelled_bn_pkr": modelled, "published_bn_pkr": published,
                         "error_bn_pkr": error,
                         "error_pct": 100 * error / abs(published) if published else np.nan,
                         "source_title": point["source_title"]})
    return pd.DataFrame(rows, columns=MONTHS_COLUMNS)


# --------------------------------------------------------------------------- calibration


@dataclass
class Calibration:
    """A fit of free parameters to a history target."""

    parameters: list[str]
    initial: np.ndarray
    fitted: np.ndarray
    fit_fys: list[str]
    #: annual: fy, modelled, actual, error, in_fit; monthly: period, fy, window and those
    table: pd.DataFrame
    rmse_fit: float
    rmse_out_of_sample: float
    success: bool
    message: str
    #: "annual" (the fiscal years of the history) or "monthly" (the record's points)
    layer: str = "annual"

    def values(self) -> dict[str, float]:
        return dict(zip(self.parameters, map(float, self.fitted), strict=True))


#: Record series :func:`calibrate` can fit to at months (``record=``): the month-end
#: stocks and the CD flow over parts of fiscal years.
MONTHLY_TARGETS = (*STOCK_SERIES, "cd_flow_bn_pkr")


def calibration_targets(history_columns: Sequence[str], monthly: bool = False) -> list[str]:
    """The columns :func:`calibrate` can fit: published history series the model's
    annual table has, or (``monthly``) :data:`MONTHLY_TARGETS`."""
    if monthly:
        return list(MONTHLY_TARGETS)
    return sorted(c for c in history_columns if c in SERIES or c in RATIOS)


def _target_by_fy(scenario: Scenario, params: Sequence[str], X: np.ndarray,
                  column: str) -> tuple[list[str], np.ndarray]:
    """The target column by FY for each row of X (one vectorised run). (rows, FYs)"""
    batch = evaluate(scenario, Rows(X.shape[0], {key: X[:, j] for j, key in enumerate(params)}),
                     Want(annual=(column,)))
    return batch.fys, batch.annual[column]


def _record_target(scenario: Scenario, params: Sequence[str], record: pd.DataFrame,
                   column: str) -> tuple[pd.DataFrame, Callable[[np.ndarray], np.ndarray]]:
    """The record's points of ``column`` in the scenario's months (:func:`record_points`)
    and the model's value at each for each row of X (one vectorised run). (rows, points)"""
    if column not in MONTHLY_TARGETS:
        raise ValueError(f"column(={column!r}) must be one of {', '.join(MONTHLY_TARGETS)} "
                         "to fit at months")
    timeline = timeline_of(scenario)
    points = record_points(record, column, timeline.labels, timeline.fy_start_month)
    points = points.sort_values(["last", "first"], kind="stable").reset_index(drop=True)
    (model_column,) = RECORD_MAP[column][0]
    spans = [(int(f), int(last)) for f, last in zip(points["first"], points["last"],
                                                    strict=True)]
    windows = tuple(dict.fromkeys((model_column, f, last) for f, last in spans))

    def model(X: np.ndarray) -> np.ndarray:
        batch = evaluate(scenario, Rows(X.shape[0], {key: X[:, j]
                                                     for j, key in enumerate(params)}),
                         Want(windows=windows))
        if not spans:
            return np.empty((X.shape[0], 0))
        return np.stack([batch.windows[(model_column, f, last)] for f, last in spans], axis=1)

    return points.rename(columns={"value": "actual"}), model


def calibrate(scenario: Scenario, params: Sequence[str], history: pd.DataFrame,
              column: str = "cd_stock_bn_pkr", fit_from: str | None = None,
              fit_to: str | None = None, bounds: Sequence[tuple[float, float]] | None = None,
              record: pd.DataFrame | None = None) -> Calibration:
    """Fit ``params`` (key paths of decimal numbers) so the model's ``column`` matches
    history on the fiscal years ``fit_from..fit_to`` (bounded least squares, scipy's
    trust-region reflective method; the Jacobian comes from one vectorised run of the
    base point and its perturbations). Years of the horizon outside the fit range are
    reported as out of sample.

    With ``record`` (:func:`circdebt.data.record.load`), the target is instead the
    record's month-end stocks or partial-year flows of ``column`` (one of
    :data:`MONTHLY_TARGETS`) in the run's months, :func:`record_points`; a point is in
    the fit when the fiscal year of its last month is in ``fit_from..fit_to``, and
    ``history`` is not read.
    """
    from scipy.optimize import least_squares

    params = list(params)
    x0 = np.array([decimal_at(scenario, key) for key in params])
    if bounds is None:
        bounds = [clip_to_bounds(scenario, k, v - 0.5 * abs(v) - 1e-9, v + 0.5 * abs(v) + 1e-9)
                  for k, v in zip(params, x0, strict=True)]
    lo, hi = np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])
    model: Callable[[np.ndarray], np.ndarray]
    if record is None:
        actual = history[column] if column in history.columns else pd.Series(dtype=float)
        labels, _ = _target_by_fy(scenario, params, x0[None, :], column)
        points = pd.DataFrame({"fy": labels,
                               "actual": [float(actual.get(fy, np.nan)) for fy in labels]})

        def model(X: np.ndarray) -> np.ndarray:
            return _target_by_fy(scenario, params, X, column)[1]

        what = "fiscal year"
    else:
        points, model = _record_target(scenario, params, record, column)
        labels = timeline_of(scenario).fy_labels
        what = "month-end or partial-year point"
    in_fit = np.array([(fit_from is None or fy >= fit_from) and (fit_to is None or fy <= fit_to)
                       for fy in points["fy"]], dtype=bool) & np.isfinite(
                           points["actual"].to_numpy(float))
    if not in_fit.any():
        raise ValueError(f"no {what} with a published {column} to fit in "
                         f"{fit_from or labels[0]}..{fit_to or labels[-1]}")
    idx = np.flatnonzero(in_fit)
    target = points["actual"].to_numpy(float)[idx]

    def residuals(x: np.ndarray) -> np.ndarray:
        return model(x[None, :])[0, idx] - target

    def jacobian(x: np.ndarray) -> np.ndarray:
        steps = np.maximum(1e-6 * np.abs(x), 1e-7)
        steps = np.where(x + steps > hi, -steps, steps)
        X = np.vstack([x, x + np.diag(steps)])
        Y = model(X)[:, idx]
        return ((Y[1:] - Y[0]) / steps[:, None]).T

    x_start = np.clip(x0, lo, hi)
    solution = least_squares(residuals, x_start, jac=jacobian, bounds=(lo, hi), method="trf")
    modelled = model(solution.x[None, :])[0]
    actual_values = points["actual"].to_numpy(float)
    keep = ["fy"] if record is None else ["period", "fy", "window"]
    table = points[keep].reset_index(drop=True).assign(
        modelled=modelled, actual=actual_values, error=modelled - actual_values,
        in_fit=in_fit)
    known = table[np.isfinite(table["actual"])]
    out = known[~known["in_fit"]]
    fit_fys = list(dict.fromkeys(table.loc[table["in_fit"], "fy"]))
    return Calibration(
        parameters=params, initial=x0, fitted=solution.x, fit_fys=fit_fys, table=table,
        rmse_fit=float(np.sqrt(np.mean(known[known["in_fit"]]["error"] ** 2))),
        rmse_out_of_sample=float(np.sqrt(np.mean(out["error"] ** 2))) if len(out) else np.nan,
        success=bool(solution.success), message=str(solution.message),
        layer="annual" if record is None else "monthly")


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
