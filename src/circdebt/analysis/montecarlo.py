"""Monte Carlo runs: many paths, percentiles, threshold probabilities and the probability
of breaching each target (docs/model.md §19).

Each path draws every uncertain scenario value once and, if the scenario has
``[exogenous.shocks]``, its own exchange-rate, KIBOR and fuel paths, and whether each
SEZ zone materialises. Paths run through the batch evaluator
(:mod:`circdebt.analysis.batch`) in chunks, so memory stays bounded and the result does
not depend on the chunk size.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from circdebt.analysis.batch import Rows, Want, evaluate
from circdebt.analysis.targets import breach_probabilities, target_windows
from circdebt.engine.compile import reported_timeline_of
from circdebt.results.kpis import KPIS
from circdebt.results.tables import FLOW_COLUMNS
from circdebt.scenario.schema import Scenario
from circdebt.streams import BLOCK
from circdebt.timeline import is_fy

PERCENTILES = (5, 25, 50, 75, 95)

#: Annual columns kept for every path (the output contract's core).
PATH_COLUMNS = (
    "cd_stock_bn_pkr", "cd_flow_bn_pkr", *FLOW_COLUMNS, "payables_bn_pkr", "phl_debt_bn_pkr",
    "capacity_payments_bn_pkr", "energy_payments_bn_pkr", "units_purchased_gwh",
    "units_sold_gwh", "capacity_charge_pkr_per_kwh", "avg_tariff_pkr_per_kwh",
    "fx_pkr_per_usd", "unserved_energy_gwh", "tds_paid_bn_pkr", "sez_load_gwh",
    "sez_total_usc_per_kwh", "cd_stock_pct_gdp", "kibor_pct", "sofr_pct",
)

#: Monthly columns kept for every path (float32) for the monthly percentile table.
MONTHLY_COLUMNS = ("cd_stock_bn_pkr", "cd_flow_bn_pkr", *FLOW_COLUMNS,
                   "capacity_payments_bn_pkr", "fx_pkr_per_usd", "sez_total_usc_per_kwh")

#: Default number of paths per chunk (whole random-number blocks).
CHUNK_PATHS = 2 * BLOCK

#: Largest memory a run may plan for unless the caller allows more. [GB]
DEFAULT_MAX_MEMORY_GB = 8.0


def estimate_memory_bytes(scenario: Scenario, n_paths: int,
                          chunk_paths: int = CHUNK_PATHS) -> int:
    """Peak memory a Monte Carlo run will need, estimated from its shapes. [bytes]

    What is kept for every path (annual columns and KPIs in float64, monthly columns in
    float32, draws) plus one chunk of the engine's working records (about 100 float64
    series and the per-class and per-creditor arrays of that chunk).
    """
    tl = reported_timeline_of(scenario)
    months = tl.n_months
    fys = len(tl.fiscal_years[0])
    kept = n_paths * (len(PATH_COLUMNS) * fys * 8 + len(MONTHLY_COLUMNS) * months * 4
                      + (len(scenario.uncertainty) + len(KPIS) + len(scenario.targets)) * 8)
    chunk = min(n_paths, chunk_paths)
    groups = len(scenario.supply.plants) + len(scenario.demand.classes) + 4
    working = chunk * months * 8 * (100 + 3 * groups)
    return int(kept + working)


def check_memory(scenario: Scenario, n_paths: int, chunk_paths: int = CHUNK_PATHS,
                 limit_gb: float = DEFAULT_MAX_MEMORY_GB) -> None:
    """Refuse up front a run that would need more than ``limit_gb`` (ValueError)."""
    need = estimate_memory_bytes(scenario, n_paths, chunk_paths)
    if need > limit_gb * 1e9:
        raise ValueError(
            f"{n_paths:,} paths would need about {need / 1e9:.1f} GB, more than the "
            f"{limit_gb:g} GB allowed (set CIRCDEBT_MAX_MEMORY_GB to change it); run fewer "
            "paths, or split the run by seed")


@dataclass
class MonteCarloResult:
    """A Monte Carlo run: per-path annual values, percentiles and per-path KPIs."""

    scenario: Scenario
    seed: int
    n_paths: int
    fys: list[str]
    months: list[str]
    annual: dict[str, np.ndarray]  # column -> (paths, FYs)
    monthly: dict[str, np.ndarray]  # column -> (paths, T), float32
    kpis: dict[str, np.ndarray] = field(default_factory=dict)  # KPI -> (paths,)
    draws: dict[str, np.ndarray] = field(default_factory=dict)  # key path -> (paths,)
    #: (column, first, last month position) of each target inside the horizon -> (paths,)
    windows: dict[tuple[str, int, int], np.ndarray] = field(default_factory=dict)

    def annual_percentiles(self) -> pd.DataFrame:
        """One row per FY and column: mean and P5, P25, P50, P75, P95."""
        return _percentile_table("fy", self.fys, self.annual)

    def monthly_percentiles(self) -> pd.DataFrame:
        """One row per month and column: mean and P5 .. P95."""
        return _percentile_table("month", self.months, self.monthly)

    def path_kpis(self) -> pd.DataFrame:
        """One row per path: the KPIs (:mod:`circdebt.results.kpis`), the stock at each
        fiscal year's end and the values drawn for that path."""
        table = pd.DataFrame({"path": np.arange(self.n_paths), **self.kpis})
        for fy_index, fy in enumerate(self.fys):
            table[f"cd_stock_bn_pkr@{fy}"] = self.annual["cd_stock_bn_pkr"][:, fy_index]
        for key, values in self.draws.items():
            table[f"draw:{key}"] = values
        return table

    def value(self, column: str, fy: str) -> np.ndarray:
        """An annual column's values over paths in one fiscal year. (paths,)"""
        if column not in self.annual:
            raise KeyError(f"{column!r} is not kept per path; one of: "
                           + ", ".join(sorted(self.annual)))
        if fy not in self.fys:
            raise KeyError(f"{fy} is outside the horizon ({self.fys[0]}..{self.fys[-1]})")
        return self.annual[column][:, self.fys.index(fy)]

    def probability(self, threshold: Threshold) -> float:
        """Share of paths on which the threshold event happens."""
        values = self.value(threshold.column, threshold.fy)
        hit = values > threshold.value if threshold.above else values < threshold.value
        return float(hit.mean())

    def target_breaches(self) -> pd.DataFrame:
        """P(breach) of each of the scenario's targets: the share of paths whose value
        over the target's window is above its ceiling
        (:func:`circdebt.analysis.targets.breach_probabilities`)."""
        return breach_probabilities(self)

    def benchmark_probabilities(self) -> pd.DataFrame:
        """P(SEZ cost above each benchmark) per fiscal year."""
        rows = []
        for bench in self.scenario.sez.benchmarks:
            for i, fy in enumerate(self.fys):
                p = float((self.annual["sez_total_usc_per_kwh"][:, i]
                           > bench.tariff_usc_per_kwh).mean())
                rows.append({"event": f"sez_total_usc_per_kwh>{bench.tariff_usc_per_kwh:g}"
                             f"@{fy} ({bench.country})", "probability": p})
        return pd.DataFrame(rows, columns=["event", "probability"])


def _percentile_table(index_name: str, labels: Sequence[str],
                      values: dict[str, np.ndarray]) -> pd.DataFrame:
    frames = []
    for column, array in values.items():
        q = np.percentile(array, PERCENTILES, axis=0)
        frame = pd.DataFrame({index_name: labels, "variable": column,
                              "mean": array.mean(axis=0)})
        for p, row in zip(PERCENTILES, q, strict=True):
            frame[f"p{p}"] = row
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class Threshold:
    """An event like ``cd_stock_bn_pkr>3000@FY2030``."""

    column: str
    above: bool
    value: float
    fy: str

    @classmethod
    def parse(cls, text: str) -> Threshold:
        m = re.fullmatch(r"\s*([a-z0-9_]+)\s*([<>])\s*(-?[0-9.eE+]+)\s*@\s*(\S+)\s*", text)
        if not m or not is_fy(m.group(4)):
            raise ValueError(f"{text!r}: expected COLUMN>VALUE@FYyyyy, e.g. "
                             "cd_stock_bn_pkr>3000@FY2030")
        return cls(m.group(1), m.group(2) == ">", float(m.group(3)), m.group(4))

    def __str__(self) -> str:
        return f"{self.column}{'>' if self.above else '<'}{self.value:g}@{self.fy}"


def draw_seed() -> int:
    """A fresh seed for an unseeded run (recorded in its metadata)."""
    return secrets.randbits(63)


def run_monte_carlo(
    scenario: Scenario, n_paths: int, seed: int | None = None,
    chunk_paths: int = CHUNK_PATHS, progress: Callable[[int, int], None] | None = None,
    max_memory_gb: float = DEFAULT_MAX_MEMORY_GB,
) -> MonteCarloResult:
    """Run ``n_paths`` paths of a scenario; the same seed gives the same result.

    ``chunk_paths`` is rounded to whole blocks of :data:`~circdebt.streams.BLOCK` paths;
    ``progress(done, total)`` is called after each chunk if given.
    """
    if n_paths < 1:
        raise ValueError(f"paths(={n_paths}) must be >= 1")
    check_memory(scenario, n_paths, chunk_paths, max_memory_gb)
    seed = draw_seed() if seed is None else seed
    chunk = max(BLOCK, chunk_paths // BLOCK * BLOCK)
    windows = tuple(dict.fromkeys(w for w in target_windows(scenario) if w is not None))
    batch = evaluate(scenario, Rows(n_paths, seed=seed),
                     Want(annual=PATH_COLUMNS, monthly=MONTHLY_COLUMNS, kpis=tuple(KPIS),
                          monthly_dtype=np.float32, windows=windows),
                     chunk=chunk, progress=progress)
    return MonteCarloResult(scenario=scenario, seed=seed, n_paths=n_paths, fys=batch.fys,
                            months=batch.months, annual=batch.annual, monthly=batch.monthly,
                            kpis=batch.kpis, draws=batch.draws, windows=batch.windows)


def paired_differences(a: MonteCarloResult, b: MonteCarloResult, column: str) -> pd.DataFrame:
    """Percentiles of b - a path by path (common random numbers make them paired)."""
    if a.n_paths != b.n_paths or a.seed != b.seed or a.fys != b.fys:
        raise ValueError("paired differences need the same seed, paths and horizon")
    diff = b.annual[column] - a.annual[column]
    return _percentile_table("fy", a.fys, {f"{column} ({b.scenario.name} - "
                                           f"{a.scenario.name})": diff})
