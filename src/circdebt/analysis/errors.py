"""Error statistics of the backtests: MAPE, bias and mean absolute error of the monthly
comparison by group, and a calibration's errors by fiscal year.

Pure computation on the tables :mod:`circdebt.analysis.backtest` makes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from circdebt.analysis.backtest import CAUSE_MAP, STOCK_SERIES, WINDOWS

ERRORS_COLUMNS = ["kind", "quantity", "window", "points", "mape_pct", "bias_bn_pkr",
                  "mae_bn_pkr"]
"""Columns of :func:`months_errors`."""


def error_summary(errors_bn_pkr: Sequence[float] | pd.Series,
                  errors_pct: Sequence[float] | pd.Series) -> tuple[int, float, float, float]:
    """(points, MAPE %, bias Rs bn, MAE Rs bn) of a set of errors. MAPE is the mean
    |error %| over the points with one (a published zero has none); bias the mean error
    (modelled - published), so positive means the model runs high."""
    bn = np.asarray(errors_bn_pkr, dtype=float)
    pct = np.asarray(errors_pct, dtype=float)
    pct = pct[np.isfinite(pct)]
    if not len(bn):
        return 0, float("nan"), float("nan"), float("nan")
    return (len(bn), float(np.abs(pct).mean()) if len(pct) else float("nan"),
            float(bn.mean()), float(np.abs(bn).mean()))


def months_errors(table: pd.DataFrame) -> pd.DataFrame:
    """MAPE, bias and mean absolute error of :func:`months_table` by group: each
    month-end stock series; the CD flow since June (the fiscal year to date) and within
    the year; each cause line over all its windows. Groups without a point are left out.
    """
    groups: list[tuple[str, str, str, pd.Series]] = []
    for quantity in STOCK_SERIES:
        groups.append(("stock", quantity, "month-end", table["quantity"] == quantity))
    flows = table["kind"] == "flow"
    for window in WINDOWS[1:]:
        groups.append(("flow", "cd_flow_bn_pkr", window, flows & (table["window"] == window)))
    for line in CAUSE_MAP:
        groups.append(("cause", f"flow:{line}", "all", table["quantity"] == f"flow:{line}"))
    rows = []
    for kind, quantity, window, selected in groups:
        part = table[selected]
        if part.empty:
            continue
        points, mape_pct, bias, mae = error_summary(part["error_bn_pkr"], part["error_pct"])
        rows.append({"kind": kind, "quantity": quantity, "window": window, "points": points,
                     "mape_pct": mape_pct, "bias_bn_pkr": bias, "mae_bn_pkr": mae})
    return pd.DataFrame(rows, columns=ERRORS_COLUMNS)


def errors_by_fy(table: pd.DataFrame) -> pd.DataFrame:
    """A calibration's errors by fiscal year, in the fit or out of sample: fy, in_fit,
    points, rmse, bias (mean of modelled - actual), over the points with a published
    value. For the months, a fiscal year's points are those ending in it."""
    known = table[np.isfinite(table["actual"].to_numpy(float))]
    rows = []
    for (fy, in_fit), part in known.groupby(["fy", "in_fit"], sort=True):
        error = part["error"].to_numpy(float)
        rows.append({"fy": fy, "in_fit": bool(in_fit), "points": len(error),
                     "rmse": float(np.sqrt(np.mean(error ** 2))), "bias": float(error.mean())})
    return pd.DataFrame(rows, columns=["fy", "in_fit", "points", "rmse", "bias"])
