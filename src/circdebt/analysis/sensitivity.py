"""Which inputs move a result: tornado, Morris and Sobol (docs/model.md §19).

Every design point is one row of the batch evaluator (:mod:`circdebt.analysis.batch`),
so a design of thousands of points costs a few engine runs, not thousands. Parameters are the
scenario's uncertain inputs (their P5..P95 range) or named keys varied by a given
percentage. Morris and Sobol indices come from SALib (Herman & Usher 2017,
https://salib.readthedocs.io), sampling each parameter uniformly over its range.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from circdebt.analysis.batch import Rows, Want, evaluate
from circdebt.engine.compile import reported_timeline_of
from circdebt.keypaths import decimal_at
from circdebt.results.kpis import AnnualValue
from circdebt.scenario.ranges import clip_to_bounds, value_problem
from circdebt.scenario.schema import Scenario

CHUNK = 2048


#: A result in one fiscal year (``column@FY2030``), the target of an analysis.
Kpi = AnnualValue


@dataclass(frozen=True)
class Parameter:
    """An input varied by the analysis, with its range."""

    key: str
    low: float
    high: float
    central: float
    basis: str


def parameters(scenario: Scenario, keys: Sequence[str] | None = None,
               pct: float = 10.0) -> list[Parameter]:
    """The inputs to vary: the scenario's distributions (P5..P95), or ``keys`` (their
    distribution if they have one, else the value +/- ``pct`` percent)."""
    keys = list(keys) if keys else sorted(scenario.uncertainty)
    if not keys:
        raise ValueError("the scenario has no uncertain inputs: give parameters to vary "
                         "(--params key.path,...) or distributions in the scenario")
    out = []
    for key in keys:
        refused = value_problem(scenario, key, 0.0) if key.startswith("policies") else None
        if refused is not None:
            raise ValueError(f"{key}: {refused}")
        dist = scenario.uncertainty.get(key)
        if dist is not None:
            low, high = dist.percentile_range(0.05, 0.95)
            out.append(Parameter(key, low, high, dist.central, f"{dist.dist} P5-P95"))
            continue
        value = decimal_at(scenario, key)
        delta = abs(value) * pct / 100
        low, high = clip_to_bounds(scenario, key, value - delta, value + delta)
        out.append(Parameter(key, low, high, value, f"+/-{pct:g}%"))
    return out


def evaluate_design(scenario: Scenario, params: Sequence[Parameter], X: np.ndarray,
                    kpis: Sequence[Kpi], progress: Callable[[int, int], None] | None = None,
                    ) -> np.ndarray:
    """The KPIs at each design point (row of X, one column per parameter). (points, kpis)

    Inputs not varied stay at their central values; exogenous paths are deterministic.
    ``progress(done, total)`` is called after each chunk if given.
    """
    tl = reported_timeline_of(scenario)
    for kpi in kpis:
        tl.fy_index(kpi.fy)  # ValueError naming the horizon
    columns = list(dict.fromkeys(kpi.column for kpi in kpis))
    batch = evaluate(scenario, Rows(X.shape[0], {p.key: X[:, j] for j, p in enumerate(params)}),
                     Want(annual=columns), chunk=CHUNK, progress=progress)
    return np.column_stack([batch.annual[kpi.column][:, tl.fy_index(kpi.fy)] for kpi in kpis])


def tornado(scenario: Scenario, kpi: Kpi, params: Sequence[Parameter]) -> pd.DataFrame:
    """One-at-a-time: each parameter at its low and high, the others central.

    Returns one row per parameter, sorted by swing (|KPI at high - KPI at low|).
    """
    k = len(params)
    base = np.array([p.central for p in params])
    X = np.tile(base, (2 * k + 1, 1))
    for j, p in enumerate(params):
        X[1 + 2 * j, j], X[2 + 2 * j, j] = p.low, p.high
    Y = evaluate_design(scenario, params, X, [kpi])[:, 0]
    table = pd.DataFrame({
        "parameter": [p.key for p in params], "basis": [p.basis for p in params],
        "low": [p.low for p in params], "high": [p.high for p in params],
        "kpi_base": Y[0], "kpi_at_low": Y[1::2], "kpi_at_high": Y[2::2],
    })
    table["swing"] = (table["kpi_at_high"] - table["kpi_at_low"]).abs()
    return table.sort_values("swing", ascending=False, ignore_index=True)


def _problem(params: Sequence[Parameter]) -> dict:
    return {"num_vars": len(params), "names": [p.key for p in params],
            "bounds": [[p.low, p.high] if p.high > p.low else [p.low, p.low + 1e-12]
                       for p in params]}


def morris_analysis(names: Sequence[str], bounds: Sequence[Sequence[float]],
                    model: Callable[[np.ndarray], np.ndarray], trajectories: int = 64,
                    seed: int = 0) -> pd.DataFrame:
    """Morris elementary effects of ``model`` (X -> Y, Y one column per output)."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    problem = {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}
    X = sample.sample(problem, trajectories, num_levels=4, seed=seed)
    Y = np.atleast_2d(model(X).T).T
    frames = []
    for col in range(Y.shape[1]):
        r = analyze.analyze(problem, X, Y[:, col], num_levels=4, seed=seed)
        frames.append(pd.DataFrame({
            "output": col, "parameter": list(names), "mu_star": r["mu_star"],
            "mu_star_conf": r["mu_star_conf"], "sigma": r["sigma"]}))
    table = pd.concat(frames, ignore_index=True)
    table["interval_crosses_zero"] = table["mu_star"] - table["mu_star_conf"] <= 0
    return table


def sobol_analysis(names: Sequence[str], bounds: Sequence[Sequence[float]],
                   model: Callable[[np.ndarray], np.ndarray], n: int = 1024,
                   seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices of ``model``, with 95% intervals and a
    convergence check: the largest change of any total index between n/2 and n base
    samples (``st_change_from_half``)."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    problem = {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}
    X = sample.sample(problem, n, calc_second_order=False, seed=seed)
    Y = np.atleast_2d(model(X).T).T
    rows_per_base = len(names) + 2
    frames = []
    for col in range(Y.shape[1]):
        full = analyze.analyze(problem, Y[:, col], calc_second_order=False, seed=seed)
        half = analyze.analyze(problem, Y[: (n // 2) * rows_per_base, col],
                               calc_second_order=False, seed=seed)
        frames.append(pd.DataFrame({
            "output": col, "parameter": list(names), "S1": full["S1"],
            "S1_conf": full["S1_conf"], "ST": full["ST"], "ST_conf": full["ST_conf"],
            "st_change_from_half": np.abs(full["ST"] - half["ST"])}))
    table = pd.concat(frames, ignore_index=True)
    table["interval_crosses_zero"] = (table["S1"] - table["S1_conf"] <= 0) | (
        table["ST"] - table["ST_conf"] <= 0)
    return table


def _kpis_for(kpi: Kpi, scenario: Scenario, by_fy: bool) -> list[Kpi]:
    if not by_fy:
        return [kpi]
    return [Kpi(kpi.column, fy) for fy in reported_timeline_of(scenario).fiscal_years[0]]


def global_sensitivity(scenario: Scenario, kpi: Kpi, params: Sequence[Parameter],
                       method: str = "sobol", n: int = 1024, seed: int = 0,
                       by_fy: bool = False,
                       progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Morris or Sobol indices of a KPI (per FY with ``by_fy``), ranked."""
    kpis = _kpis_for(kpi, scenario, by_fy)
    problem = _problem(params)

    def model(X: np.ndarray) -> np.ndarray:
        return evaluate_design(scenario, params, X, kpis, progress)

    if method == "morris":
        table = morris_analysis(problem["names"], problem["bounds"], model, n, seed)
        key = "mu_star"
    elif method == "sobol":
        table = sobol_analysis(problem["names"], problem["bounds"], model, n, seed)
        key = "ST"
    else:
        raise ValueError(f"method {method!r}: expected tornado, morris or sobol")
    table.insert(0, "kpi", [str(kpis[i]) for i in table["output"]])
    table = table.drop(columns="output")
    table["rank"] = table.groupby("kpi")[key].rank(ascending=False, method="first").astype(int)
    return table.sort_values(["kpi", "rank"], ignore_index=True)

