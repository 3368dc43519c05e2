"""Parameter sweeps: the Cartesian product of values for chosen keys.

Points x paths are laid on one axis and run through the vectorised engine in chunks;
with ``paths > 1`` every point sees the same draws (common random numbers), so points
differ only in their parameter values. Chunks are independent, so they can run in
local worker processes or on a Dask cluster and give exactly the same numbers.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from circdebt.analysis.montecarlo import PERCENTILES, draw_seed, zone_draws
from circdebt.engine.loop import simulate
from circdebt.model.exogenous import ExogenousPaths, apply_shocks, build_exogenous
from circdebt.results.tables import annual_arrays
from circdebt.scenario.distributions import decimal_at, sample_values, with_values
from circdebt.scenario.schema import Scenario
from circdebt.timeline import Timeline

CHUNK = 2048

#: KPIs a sweep reports for every point (and path).
SWEEP_KPIS = ("cd_stock_end_bn_pkr", "cd_stock_peak_bn_pkr", "cd_flow_cumulative_bn_pkr",
              "capacity_payments_total_bn_pkr", "capacity_charge_end_pkr_per_kwh",
              "avg_tariff_end_pkr_per_kwh", "sez_cost_end_usc_per_kwh")


def parse_grid(text: str) -> tuple[str, list[float]]:
    """``key=v1,v2,v3`` or ``key=lo:hi:n`` (n evenly spaced values) -> (key, values)."""
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\[\]\-]+)\s*=\s*(.+)", text)
    if not m:
        raise ValueError(f"{text!r}: expected KEY=v1,v2,... or KEY=lo:hi:n")
    key, spec = m.group(1), m.group(2).strip()
    try:
        if ":" in spec:
            lo, hi, n = spec.split(":")
            if int(n) < 1:
                raise ValueError
            return key, [float(v) for v in np.linspace(float(lo), float(hi), int(n))]
        return key, [float(v) for v in spec.split(",")]
    except ValueError:
        raise ValueError(f"{text!r}: values must be numbers (KEY=v1,v2 or KEY=lo:hi:n with "
                         "n >= 1)") from None


def grid_points(grid: dict[str, Sequence[float]]) -> pd.DataFrame:
    """The Cartesian product of the grid: one row per point, one column per key."""
    keys = list(grid)
    return pd.DataFrame(list(itertools.product(*(grid[k] for k in keys))), columns=keys)


def check_grid(scenario: Scenario, grid: dict[str, Sequence[float]]) -> None:
    """Each key names a decimal number of the scenario."""
    for key in grid:
        try:
            decimal_at(scenario, key)
        except ValueError as exc:
            raise ValueError(f"--grid {key}: {exc}") from None


def _take(exo: ExogenousPaths, rows: np.ndarray) -> ExogenousPaths:
    return ExogenousPaths(exo.fx_pkr_per_usd[rows], exo.kibor[rows], exo.pk_cpi_index[rows],
                          exo.us_cpi_index[rows], exo.gdp_bn_pkr_per_year[rows],
                          {k: v[rows] for k, v in exo.fuel_index.items()}, exo.usd_fuels)


def evaluate_rows(scenario: Scenario, points: pd.DataFrame, paths: int, seed: int,
                  start: int, stop: int) -> np.ndarray:
    """KPIs of rows ``start..stop`` of the points x paths axis. (rows, len(SWEEP_KPIS))

    Row r is point r // paths on path r % paths. Top-level so worker processes can run it.
    """
    tl = Timeline(scenario.time.start, scenario.time.end)
    rows = np.arange(start, stop)
    point, path = rows // paths, rows % paths
    values: dict[str, Any] = {k: points[k].to_numpy()[point] for k in points.columns}
    if paths > 1:
        draws = sample_values(scenario.uncertainty, seed, 0, paths)
        values = {k: v[path] for k, v in draws.items()} | values
        exo = apply_shocks(build_exogenous(scenario.exogenous, tl, paths),
                           scenario.exogenous.shocks, seed, 0, paths)
        exo, weights = _take(exo, path), zone_draws(scenario, seed, 0, paths)[path]
    else:
        central = {k: np.full(len(rows), d.central) for k, d in scenario.uncertainty.items()}
        values = central | values
        exo, weights = None, None
    view = with_values(scenario, values)
    if exo is None:
        exo = build_exogenous(view.exogenous, tl, len(rows))
    traj = simulate(view, n_paths=len(rows), exo=exo, sez_weights=weights, detail=False)
    _, _, a = annual_arrays(traj.series, [f"FY{y}" for y in tl.fiscal_year])
    return np.column_stack([
        a["cd_stock_bn_pkr"][:, -1], traj.series["cd_stock_bn_pkr"].max(axis=1),
        a["cd_flow_bn_pkr"].sum(axis=1), a["capacity_payments_bn_pkr"].sum(axis=1),
        a["capacity_charge_pkr_per_kwh"][:, -1], a["avg_tariff_pkr_per_kwh"][:, -1],
        a["sez_total_usc_per_kwh"][:, -1]])


@dataclass
class SweepResult:
    points: pd.DataFrame
    paths: int
    seed: int | None
    values: np.ndarray  # (points, paths, kpis)

    def table(self) -> pd.DataFrame:
        """Tidy KPI table: one row per point; with paths, mean and percentiles per KPI."""
        out = self.points.copy()
        out.insert(0, "point", np.arange(len(out)))
        for k, kpi in enumerate(SWEEP_KPIS):
            v = self.values[:, :, k]
            if self.paths == 1:
                out[kpi] = v[:, 0]
                continue
            out[f"{kpi}_mean"] = v.mean(axis=1)
            for p in PERCENTILES:
                out[f"{kpi}_p{p}"] = np.percentile(v, p, axis=1)
        return out


def run_sweep(
    scenario: Scenario, grid: dict[str, Sequence[float]], paths: int = 1,
    seed: int | None = None, workers: int = 1, scheduler: str | None = None,
    chunk: int = CHUNK, progress: Callable[[int, int], None] | None = None,
    done: dict[int, np.ndarray] | None = None,
    on_chunk: Callable[[int, np.ndarray], None] | None = None,
) -> SweepResult:
    """Run every point of the grid (x ``paths``), locally, in processes or on Dask.

    ``scheduler`` is a Dask scheduler address, or ``"local"`` for a ``LocalCluster``.
    ``done`` maps chunk starts to results already computed (resuming a sweep); each
    newly computed chunk is passed to ``on_chunk`` (checkpointing).
    """
    check_grid(scenario, grid)
    points = grid_points(grid)
    seed = (draw_seed() if seed is None else seed) if paths > 1 else seed
    n_rows = len(points) * paths
    starts = list(range(0, n_rows, chunk))
    results: dict[int, np.ndarray] = dict(done or {})
    todo = [s for s in starts if s not in results]
    args = [(scenario, points, paths, seed or 0, s, min(s + chunk, n_rows)) for s in todo]

    def collect(start: int, value: np.ndarray) -> None:
        results[start] = value
        if on_chunk is not None:
            on_chunk(start, value)
        if progress is not None:
            progress(sum(len(v) for v in results.values()), n_rows)

    if scheduler is not None:
        _run_dask(scheduler, args, collect)
    elif workers > 1 and len(args) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(evaluate_rows, *a): a[4] for a in args}
            for future, start in futures.items():
                collect(start, future.result())
    else:
        for a in args:
            collect(a[4], evaluate_rows(*a))
    values = np.concatenate([results[s] for s in starts]).reshape(len(points), paths, -1)
    return SweepResult(points, paths, seed, values)


def _run_dask(scheduler: str, args: list[tuple], collect: Callable) -> None:
    from distributed import Client, LocalCluster, as_completed

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None) if scheduler == "local" else None
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            futures = {client.submit(evaluate_rows, *a, pure=False): a[4] for a in args}
            for future in as_completed(futures):
                collect(futures[future], future.result())
    finally:
        if cluster is not None:
            cluster.close()
