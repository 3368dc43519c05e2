"""Parameter sweeps: the Cartesian product of values for chosen keys.

Points x paths are laid on one axis and run through the vectorised engine in chunks;
with ``paths > 1`` every point sees the same draws (common random numbers), so points
differ only in their parameter values. Chunks are independent, so they can run in
local worker processes or on a Dask cluster and give exactly the same numbers.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from circdebt.analysis.batch import Rows, Want, evaluate
from circdebt.analysis.montecarlo import PERCENTILES, draw_seed
from circdebt.keypaths import decimal_at
from circdebt.scenario.ranges import value_problem
from circdebt.scenario.schema import Scenario

CHUNK = 2048

#: A Dask scheduler address: ``scheme://host[:port]`` (the schemes Dask's comms know), or
#: ``host:port`` (a host name, an IPv4 address or an IPv6 address in brackets).
SCHEDULER_ADDRESS = re.compile(
    r"(?:(?:tcp|tls|ucx|ws|wss|inproc)://[^\s/:]+(?::\d{1,5})?(?:/[^\s]*)?"
    r"|tcp://\[[0-9A-Fa-f:.]+\](?::\d{1,5})?"
    r"|[A-Za-z0-9](?:[A-Za-z0-9.\-_]*[A-Za-z0-9])?:\d{1,5}"
    r"|\[[0-9A-Fa-f:.]+\]:\d{1,5})")


def check_scheduler(scheduler: str | None) -> None:
    """ValueError unless ``scheduler`` is None, ``"local"`` or a plausible Dask scheduler
    address (:data:`SCHEDULER_ADDRESS`, a port of at most 65535)."""
    if scheduler is None or scheduler == "local":
        return
    m = SCHEDULER_ADDRESS.fullmatch(scheduler) if isinstance(scheduler, str) else None
    port = re.search(r":(\d{1,5})(?:/|$)", scheduler) if m else None
    if m is None or (port is not None and int(port.group(1)) > 65535):
        raise ValueError(f"{scheduler!r} is not 'local' or a Dask scheduler address like "
                         "tcp://host:8786 or host:8786")

#: KPIs a sweep reports for every point (and path), from the KPI table
#: (:mod:`circdebt.results.kpis`); per-kWh KPIs are for the last fiscal year.
SWEEP_KPIS = ("cd_stock_end_bn_pkr", "cd_stock_peak_bn_pkr", "cd_flow_cumulative_bn_pkr",
              "capacity_payments_total_bn_pkr", "capacity_charge_pkr_per_kwh",
              "avg_tariff_pkr_per_kwh", "sez_cost_usc_per_kwh")


#: Values one axis of a grid may take: a million points of one input is far beyond any
#: analysis a user reads, and building more would exhaust memory before any check.
MAX_AXIS_VALUES = 1_000_000


def parse_grid(text: str) -> tuple[str, list[float]]:
    """``key=v1,v2,v3`` or ``key=lo:hi:n`` (n evenly spaced values) -> (key, values)."""
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\[\]\-]+)\s*=\s*(.+)", text)
    if not m:
        raise ValueError(f"{text!r}: expected KEY=v1,v2,... or KEY=lo:hi:n")
    key, spec = m.group(1), m.group(2).strip()
    try:
        if ":" in spec:
            lo, hi, n = spec.split(":")
            if not 1 <= int(n) <= MAX_AXIS_VALUES:
                raise ValueError
            return key, [float(v) for v in np.linspace(float(lo), float(hi), int(n))]
        return key, [float(v) for v in spec.split(",")]
    except ValueError:
        raise ValueError(f"{text!r}: values must be numbers (KEY=v1,v2 or KEY=lo:hi:n with "
                         f"1 <= n <= {MAX_AXIS_VALUES:,})") from None


def grid_points(grid: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """The Cartesian product of the grid: one row per point, one column per key."""
    keys = list(grid)
    return pd.DataFrame(list(itertools.product(*(grid[k] for k in keys))), columns=keys)


def check_grid(scenario: Scenario, grid: Mapping[str, Sequence[float]]) -> None:
    """Each key names a decimal number of the scenario, and each value is one it can take
    (its range; no fraction for a percent): checked before any work."""
    for key, values in grid.items():
        try:
            decimal_at(scenario, key)
        except ValueError as exc:
            raise ValueError(f"--grid {key}: {exc}") from None
        v = np.asarray(values, dtype=float)
        tiny = v[(v > 0) & (v <= 1)]  # a fraction for a percent, if the key is a share
        for value in [v.min(), v.max(), *tiny[:1]]:  # ranges are intervals
            problem = value_problem(scenario, key, float(value))
            if problem is not None:
                raise ValueError(f"--grid {key}: {problem}")


def evaluate_rows(scenario: Scenario, points: pd.DataFrame, paths: int, seed: int,
                  start: int, stop: int) -> np.ndarray:
    """KPIs of rows ``start..stop`` of the points x paths axis. (rows, len(SWEEP_KPIS))

    Row r is point r // paths on random path r % paths (with ``paths > 1``: every point
    sees the same draws). Top-level so worker processes can run it.
    """
    rows = np.arange(start, stop)
    point = rows // paths
    values = {k: points[k].to_numpy()[point] for k in points.columns}
    batch = evaluate(scenario, Rows(len(rows), values, seed if paths > 1 else None,
                                    rows % paths), Want(kpis=SWEEP_KPIS), chunk=len(rows))
    return np.column_stack([batch.kpis[k] for k in SWEEP_KPIS])


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
    scenario: Scenario, grid: Mapping[str, Sequence[float]], paths: int = 1,
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
    check_scheduler(scheduler)
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
