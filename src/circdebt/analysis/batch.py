"""One evaluator for every analysis: many variants of a scenario in vectorised chunks
(docs/model.md §19).

Monte Carlo, sweeps, sensitivity designs, calibration and backtests all ask the same
thing: run the scenario with some values replaced, row by row, and return some
fiscal-year columns, monthly series and KPIs of every row. :func:`evaluate` does it:
rows go through the engine in chunks (one compiled, vectorised run per chunk), so a
design of thousands of rows costs a few engine runs and memory stays bounded.

A row can also stand on a *random path*: with a seed, it draws the scenario's
distributions, exogenous shocks and SEZ zones of its path from the reproducible streams
of :mod:`circdebt.streams` (common random numbers: path p draws the same in every
scenario and every row that stands on it). Values a row sets replace draws.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from circdebt.engine.checks import horizon_problems
from circdebt.engine.compile import Inputs, compile_inputs, reported_timeline_of, timeline_of
from circdebt.engine.loop import simulate
from circdebt.engine.record import SERIES
from circdebt.engine.series import apply_shocks, build_exogenous
from circdebt.errors import ScenarioError
from circdebt.keypaths import with_values
from circdebt.results.kpis import kpi_values, needs
from circdebt.results.tables import RATIOS, aggregation_inputs, annual_arrays, window_arrays
from circdebt.scenario.ranges import key_bounds
from circdebt.scenario.schema import Scenario
from circdebt.streams import sample_blocks

#: Rows per engine run unless the caller says otherwise.
CHUNK_ROWS = 2048


def path_draws(scenario: Scenario, seed: int, paths: np.ndarray) -> dict[str, np.ndarray]:
    """The draw of every uncertain key path for each row's random path, truncated to the
    key's range (docs/model.md §21). {key: (rows,)}"""
    first, count = int(paths.min()), int(paths.max() - paths.min() + 1)
    draws = {}
    for key, dist in scenario.uncertainty.items():
        low, high = key_bounds(scenario, key)
        sample = functools.partial(dist.sample_within, low=low, high=high)
        draws[key] = sample_blocks(sample, seed, key, first, count)[paths - first]
    return draws


def zone_draws(scenario: Scenario, seed: int, paths: np.ndarray) -> np.ndarray | None:
    """Whether each SEZ zone materialises on each row's path (0 or 1), drawn with its
    probability; None where the scenario's own rule applies to every path (``all``,
    ``none``, or no zones). (rows, zones)"""
    sez = scenario.sez
    if sez.realisation != "expected" or not sez.zones:
        return None
    first, count = int(paths.min()), int(paths.max() - paths.min() + 1)
    columns = [sample_blocks(lambda rng, n: rng.random(n), seed, f"sez:{z.name}", first,
                             count)[paths - first] < z.probability_pct / 100
               for z in sez.zones]
    return np.stack(columns, axis=1).astype(float)


@dataclass(frozen=True)
class Rows:
    """The rows of a batch: each a variant of the scenario, on one random path.

    ``values`` set key paths to one value per row. With a ``seed``, row r stands on
    random path ``path[r]`` (default r): it draws that path's uncertain values, shocks
    and SEZ zones; without one, every row is deterministic (central values, the
    scenario's exogenous paths, expected SEZ load).
    """

    n: int
    values: Mapping[str, np.ndarray] = field(default_factory=dict)
    seed: int | None = None
    path: np.ndarray | None = None

    def paths(self, rows: slice) -> np.ndarray:
        indices = np.arange(self.n)[rows]
        return indices if self.path is None else np.asarray(self.path)[rows]


@dataclass(frozen=True)
class Want:
    """What a batch returns for every row: fiscal-year columns, monthly series, KPIs."""

    annual: Sequence[str] = ()
    monthly: Sequence[str] = ()
    kpis: Sequence[str] = ()
    fy: str | None = None  # the fiscal year of ``in_fy`` KPIs (default the last)
    monthly_dtype: Any = np.float64
    #: (column, first, last): a column's value over the months at positions first..last,
    #: aggregated as a fiscal year is (a target's window: :mod:`circdebt.analysis.targets`)
    windows: Sequence[tuple[str, int, int]] = ()


@dataclass
class Batch:
    """A batch's results, row by row."""

    fys: list[str]
    months: list[str]
    annual: dict[str, np.ndarray]  # column -> (rows, FYs)
    monthly: dict[str, np.ndarray]  # series -> (rows, T)
    kpis: dict[str, np.ndarray]  # KPI -> (rows,)
    draws: dict[str, np.ndarray]  # uncertain key path -> (rows,) values drawn (with a seed)
    windows: dict[tuple[str, int, int], np.ndarray] = field(default_factory=dict)  # (rows,)


def _series_needed(want: Want) -> set[str]:
    """Engine series the wanted columns, monthly series and KPIs are computed from;
    ValueError naming a column no run records."""
    annual_kpi, monthly_kpi = needs(want.kpis) if want.kpis else (set(), set())
    columns = set(want.annual) | annual_kpi
    windowed = {column for column, _, _ in want.windows}
    unknown = sorted(((columns | windowed) - set(SERIES) - set(RATIOS))
                     | (set(want.monthly) - set(SERIES)))
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a result column")
    series = {c for c in columns if c not in RATIOS} | set(want.monthly) | monthly_kpi
    for c in columns & set(RATIOS):
        series |= set(RATIOS[c][:2])
    for c in windowed:
        series |= aggregation_inputs(c)
    return series


def _check_rows(view: Scenario, inputs: Inputs, part: slice) -> None:
    """ScenarioError if a drawn, swept or shocked value takes an input outside its range
    in some month (docs/model.md §21). Rows are counted within the chunk."""
    problems = horizon_problems(view, f"{view.name}, rows {part.start}..{part.stop - 1} "
                                "(drawn, swept or shocked values)", inputs.levers, inputs.exo)
    if problems:
        raise ScenarioError(problems)


def evaluate(
    scenario: Scenario, rows: Rows, want: Want, chunk: int = CHUNK_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> Batch:
    """Run every row and return what ``want`` asks for (docs/model.md §19).

    Rows run in chunks of ``chunk`` rows (draws are by path, so the chunk size never
    changes a result). ``progress(done, total)`` is called after each chunk if given.
    ValueError names an unknown column or a fiscal year outside the horizon.
    """
    tl = reported_timeline_of(scenario)
    fys, _, counts = tl.fiscal_years
    fy_index = tl.fy_index(want.fy) if want.fy else len(fys) - 1
    series = _series_needed(want)
    out = Batch(fys, tl.labels, {c: np.empty((rows.n, len(fys))) for c in want.annual},
                {c: np.empty((rows.n, tl.n_months), want.monthly_dtype) for c in want.monthly},
                {k: np.empty(rows.n) for k in want.kpis},
                {k: np.empty(rows.n) for k in scenario.uncertainty} if rows.seed is not None
                else {}, {w: np.empty(rows.n) for w in want.windows})
    for first in range(0, rows.n, chunk):
        part = slice(first, min(first + chunk, rows.n))
        n = part.stop - part.start
        values = {k: np.asarray(v)[part] for k, v in rows.values.items()}
        exo = weights = None
        if rows.seed is not None:
            paths = rows.paths(part)
            drawn = path_draws(scenario, rows.seed, paths)
            for key, v in drawn.items():
                out.draws[key][part] = v
            values = drawn | values
            weights = zone_draws(scenario, rows.seed, paths)
        view = with_values(scenario, values) if values else scenario
        if rows.seed is not None:
            exo = apply_shocks(build_exogenous(view.exogenous, timeline_of(scenario), n),
                               scenario.exogenous.shocks, rows.seed, rows.paths(part))
        inputs = compile_inputs(view, n, exo, weights)
        if values or exo is not None:
            _check_rows(view, inputs, part)
        traj = simulate(inputs, detail=False, keep=series)
        _, _, annual = annual_arrays({c: traj.series[c] for c in series}, tl.fy_labels)
        for column in want.annual:
            out.annual[column][part] = annual[column]
        for name in want.monthly:
            out.monthly[name][part] = traj.series[name]
        for window in want.windows:
            column, first_month, last_month = window
            out.windows[window][part] = window_arrays(
                {c: traj.series[c] for c in aggregation_inputs(column)}, first_month,
                last_month)[column]
        if want.kpis:
            for name, v in kpi_values(annual, traj.series, counts, fy_index,
                                      want.kpis).items():
                out.kpis[name][part] = v
        if progress is not None:
            progress(part.stop, rows.n)
    return out
