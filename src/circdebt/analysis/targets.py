"""A scenario's targets judged: pass or fail on one run, the probability of a breach
across Monte Carlo paths (docs/model.md §18).

A target is a ceiling on a column over a window: a fiscal year, a quarter or half of
one, or a month (:func:`circdebt.timeline.window_months`, which follows the scenario's
fiscal-year start month). Its value over the window is formed exactly as a fiscal year's
is (:func:`circdebt.results.tables.window_arrays`): a flow is summed over the window's
months, a stock taken at its last month-end, a price recomputed from its summed parts. A
window not wholly inside the horizon is reported "outside horizon".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from circdebt.engine.compile import reported_timeline_of
from circdebt.results.tables import aggregation_inputs, window_arrays
from circdebt.scenario.policies import Target
from circdebt.scenario.schema import Scenario
from circdebt.timeline import fiscal_year_of, fy_label, window_months

if TYPE_CHECKING:
    from circdebt.analysis.montecarlo import MonteCarloResult
    from circdebt.results.result import Result

#: Status of a target whose window is not wholly simulated.
OUTSIDE = "outside horizon"

#: Columns of :func:`check_targets`.
CHECK_COLUMNS = ["scenario", "target", "column", "window", "fy", "ceiling", "result",
                 "margin", "status", "source"]
#: Columns of :func:`breach_probabilities`.
BREACH_COLUMNS = ["scenario", "target", "column", "window", "fy", "ceiling", "paths",
                  "breach_probability", "mean", "p5", "p50", "p95", "status", "source"]

#: A window as the batch evaluator takes it: (column, first month, last month) by position.
WindowKey = tuple[str, int, int]


def target_windows(scenario: Scenario) -> list[WindowKey | None]:
    """Each target's (column, first, last month position) in the timeline; None for a
    target whose window is not wholly inside the horizon."""
    timeline = reported_timeline_of(scenario)
    keys: list[WindowKey | None] = []
    for target in scenario.targets:
        span = timeline.window_span(target.period)
        keys.append(None if span is None else (target.column, *span))
    return keys


def window_fy(target: Target, fy_start_month: int) -> str:
    """The fiscal year a target's window ends in (``"FY2026"`` for ``"2025-12"`` in a
    July year)."""
    return fy_label(fiscal_year_of(window_months(target.period, fy_start_month)[1],
                                   fy_start_month))


def _describe(scenario: Scenario, target: Target) -> dict[str, object]:
    return {"scenario": scenario.name, "target": target.name, "column": target.column,
            "window": target.period,
            "fy": window_fy(target, scenario.time.fiscal_year_start_month),
            "ceiling": target.max}


def check_targets(result: Result) -> pd.DataFrame:
    """Pass/fail per declared target, with its window, its value over the window and the
    margin (ceiling minus result; None outside the horizon)."""
    rows = []
    monthly = result.monthly
    for target, key in zip(result.scenario.targets, target_windows(result.scenario),
                           strict=True):
        if key is None:
            value, margin, status = float("nan"), None, OUTSIDE
        else:
            column, first, last = key
            columns = {c: monthly[c].to_numpy()[None, :] for c in aggregation_inputs(column)}
            value = float(window_arrays(columns, first, last)[column][0])
            margin = target.max - value
            status = "pass" if value <= target.max else "fail"
        rows.append({**_describe(result.scenario, target), "result": value, "margin": margin,
                     "status": status, "source": target.source})
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def breach_probabilities(mc: MonteCarloResult) -> pd.DataFrame:
    """Per declared target, the share of paths whose value over the window is above the
    ceiling (a breach: the target passes at or below it), with the mean, P5, P50 and P95
    of that value; NaN for a window outside the horizon."""
    rows = []
    for target, key in zip(mc.scenario.targets, target_windows(mc.scenario), strict=True):
        stats = dict.fromkeys(("breach_probability", "mean", "p5", "p50", "p95"), np.nan)
        if key is not None:
            values = mc.windows[key]
            p5, p50, p95 = np.percentile(values, (5, 50, 95))
            stats = {"breach_probability": float((values > target.max).mean()),
                     "mean": float(values.mean()), "p5": p5, "p50": p50, "p95": p95}
        rows.append({**_describe(mc.scenario, target), "paths": mc.n_paths, **stats,
                     "status": OUTSIDE if key is None else "evaluated",
                     "source": target.source})
    return pd.DataFrame(rows, columns=BREACH_COLUMNS)
