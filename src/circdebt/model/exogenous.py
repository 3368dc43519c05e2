"""Exogenous paths: exchange rate, KIBOR, CPI indices, fuel indices, GDP (MODEL.md §3).

Every path is an array shaped (paths, T). Deterministic specifications give the same
values on every path; stochastic forms (issue 7) fill the path dimension.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from circdebt.model.vectors import stack_last
from circdebt.scenario.schema import Exogenous, SeriesSpec, Shocks
from circdebt.timeline import Timeline, anchor_month


def series_path(spec: Any, timeline: Timeline) -> np.ndarray:
    """The monthly values of a series: (T,), or (paths, T) when a value is drawn per path.

    A number is constant. ``initial`` with ``growth_pct_per_year`` g compounds monthly:
    ``initial * (1 + g/100) ** (t / 12)``. A schedule interpolates linearly between
    anchors (``initial`` anchors at the start month) and is flat outside them.
    """
    t = np.arange(timeline.n_months, dtype=float)
    if not isinstance(spec, SeriesSpec):
        return np.asarray(spec, dtype=float)[..., None] * np.ones(timeline.n_months)
    if spec.schedule is None:
        g = 0.0 if spec.growth_pct_per_year is None else spec.growth_pct_per_year
        growth = np.asarray(g, dtype=float)[..., None] / 100.0
        return np.asarray(spec.initial, dtype=float)[..., None] * (1.0 + growth) ** (t / 12.0)
    start = timeline.numbers[0]
    points = {anchor_month(a) - start: v for a, v in spec.schedule.items()}
    if spec.initial is not None:
        points.setdefault(0, spec.initial)
    xs = np.array(sorted(points), dtype=float)
    values = stack_last([points[int(x)] for x in xs])  # (anchors,) or (paths, anchors)
    weights = np.stack([np.interp(t, xs, np.eye(len(xs))[a]) for a in range(len(xs))], axis=1)
    return values @ weights.T


def index_from_inflation(rate_pct_per_year: np.ndarray) -> np.ndarray:
    """A price index equal to 1 in the first month, from annual inflation rates.

    ``index[t] = prod_{s=1..t} (1 + rate[s]/100) ** (1/12)``. [1], same shape.
    """
    monthly = (1.0 + rate_pct_per_year / 100.0) ** (1.0 / 12.0)
    monthly[..., 0] = 1.0
    return np.cumprod(monthly, axis=-1)


@dataclass(frozen=True)
class ExogenousPaths:
    """All exogenous paths of a run, each shaped (paths, T)."""

    fx_pkr_per_usd: np.ndarray
    kibor: np.ndarray  # [fraction per year]
    pk_cpi_index: np.ndarray  # [1], 1 at the start month
    us_cpi_index: np.ndarray  # [1]
    gdp_bn_pkr_per_year: np.ndarray
    fuel_index: dict[str, np.ndarray]  # [1]; USD fuels already converted to PKR terms
    usd_fuels: frozenset[str] = frozenset()  # fuels whose index includes the fx index

    @property
    def fx_index(self) -> np.ndarray:
        """Exchange rate relative to the start month. [1]"""
        return self.fx_pkr_per_usd / self.fx_pkr_per_usd[:, :1]


def build_exogenous(spec: Exogenous, timeline: Timeline, n_paths: int = 1) -> ExogenousPaths:
    """Deterministic exogenous paths, broadcast to ``n_paths`` identical rows."""

    def paths(values: np.ndarray) -> np.ndarray:
        """(T,) or (paths, T) -> (paths, T)."""
        return np.broadcast_to(values, (n_paths, timeline.n_months)).copy()

    fx = paths(series_path(spec.fx_pkr_per_usd, timeline))
    fx_index = fx / fx[:, :1]
    fuel_index = {}
    for name, fuel in spec.fuels.items():
        idx = paths(series_path(fuel.index, timeline))
        fuel_index[name] = idx * fx_index if fuel.currency == "usd" else idx
    return ExogenousPaths(
        fx_pkr_per_usd=fx,
        kibor=paths(series_path(spec.kibor_pct, timeline)) / 100.0,
        pk_cpi_index=paths(index_from_inflation(
            series_path(spec.pk_cpi_inflation_pct_per_year, timeline))),
        us_cpi_index=paths(index_from_inflation(
            series_path(spec.us_cpi_inflation_pct_per_year, timeline))),
        gdp_bn_pkr_per_year=paths(series_path(spec.gdp_bn_pkr_per_year, timeline)),
        fuel_index=fuel_index,
        usd_fuels=frozenset(n for n, f in spec.fuels.items() if f.currency == "usd"),
    )


def apply_shocks(
    exo: ExogenousPaths, shocks: Shocks, seed: int, first_path: int, n_paths: int,
) -> ExogenousPaths:
    """Stochastic exogenous paths: the deterministic ones perturbed per path (MODEL.md §3).

    Exchange rate: fx_t x exp(sigma W_t - sigma^2 t / 2) x prod(1 + J) over the
    devaluation jumps so far (a jump happens with the monthly probability; its size J is
    normal in percent). KIBOR: path + an Ornstein-Uhlenbeck deviation x,
    x_t = x_{t-1} (1 - kappa/12) + sigma/sqrt(12) e_t, floored at zero. Fuel indices:
    path x a driftless geometric Brownian motion. Draws come in blocks from
    :func:`circdebt.uncertainty.sample_blocks`, so paths are reproducible per seed.
    """
    from circdebt.scenario.distributions import sample_blocks

    T = exo.fx_pkr_per_usd.shape[1]
    dt = 1.0 / 12.0

    def normals(stream: str) -> np.ndarray:
        return sample_blocks(lambda rng, n: rng.standard_normal((n, T)), seed, stream,
                             first_path, n_paths)

    def gbm(sigma: float, stream: str) -> np.ndarray:
        if sigma == 0:
            return np.ones((n_paths, T))
        steps = sigma * np.sqrt(dt) * normals(stream) - 0.5 * sigma**2 * dt
        steps[:, 0] = 0.0
        return np.exp(np.cumsum(steps, axis=1))

    fx, kibor, fuel_index = exo.fx_pkr_per_usd, exo.kibor, dict(exo.fuel_index)
    if shocks.fx_pkr_per_usd is not None:
        s = shocks.fx_pkr_per_usd
        factor = gbm(s.volatility_pct_per_year / 100, "shock:fx:diffusion")
        if s.jump_probability_pct_per_month > 0:
            happen = sample_blocks(lambda rng, n: rng.random((n, T)), seed, "shock:fx:jump",
                                   first_path, n_paths) < s.jump_probability_pct_per_month / 100
            size = 1.0 + (s.jump_mean_pct + s.jump_sd_pct * normals("shock:fx:size")) / 100
            happen[:, 0] = False
            factor = factor * np.cumprod(np.where(happen, np.maximum(size, 0.05), 1.0), axis=1)
        fx = fx * factor
        # dollar fuels carry the exchange-rate index, so they move with the shock too
        fuel_index = {name: values * factor if name in exo.usd_fuels else values
                      for name, values in fuel_index.items()}
    if shocks.kibor_pct is not None:
        s = shocks.kibor_pct
        e = normals("shock:kibor") * s.volatility_pct_points_per_year / 100 * np.sqrt(dt)
        x = np.zeros((n_paths, T))
        keep = 1.0 - s.mean_reversion_per_year * dt
        for t in range(1, T):
            x[:, t] = x[:, t - 1] * keep + e[:, t]
        kibor = np.maximum(kibor + x, 0.0)
    for name, s in shocks.fuels.items():
        if name in fuel_index:
            fuel_index[name] = fuel_index[name] * gbm(s.volatility_pct_per_year / 100,
                                                      f"shock:fuel:{name}")
    return ExogenousPaths(fx, kibor, exo.pk_cpi_index, exo.us_cpi_index,
                          exo.gdp_bn_pkr_per_year, fuel_index, exo.usd_fuels)
