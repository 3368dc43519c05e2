"""Monthly paths from a scenario's series and shocks (docs/model.md §3).

A series in a scenario is a number, ``initial`` with ``growth_pct_per_year``, or a
``schedule`` of anchors; :func:`series_path` turns it into monthly values.
:func:`build_exogenous` builds every exogenous path of a run and :func:`apply_shocks`
perturbs them per path for a Monte Carlo run, with draws from :mod:`circdebt.streams`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from circdebt.model.exogenous import (
    ExogenousPaths,
    gbm_factor,
    index_from_inflation,
    jump_factor,
    ou_deviation,
)
from circdebt.model.vectors import stack_last
from circdebt.scenario.schema import Exogenous, Shocks
from circdebt.scenario.series import SeriesSpec
from circdebt.streams import sample_blocks
from circdebt.timeline import Timeline, anchor_month
from circdebt.units import PERCENT


def series_path(spec: Any, timeline: Timeline) -> np.ndarray:
    """The monthly values of a series: (T,), or (paths, T) when a value is drawn per path.

    A number is constant. ``initial`` with ``growth_pct_per_year`` g compounds monthly:
    ``initial * (1 + g/100) ** (t / 12)``. A schedule interpolates linearly between
    anchors (``initial`` anchors at the start month) and is flat outside them; a
    fiscal-year anchor sits at the seventh month of that fiscal year.
    """
    t = np.arange(timeline.n_months, dtype=float)
    if not isinstance(spec, SeriesSpec):
        return np.asarray(spec, dtype=float)[..., None] * np.ones(timeline.n_months)
    if spec.schedule is None:
        g = 0.0 if spec.growth_pct_per_year is None else spec.growth_pct_per_year
        growth = np.asarray(g, dtype=float)[..., None] / PERCENT
        return np.asarray(spec.initial, dtype=float)[..., None] * (1.0 + growth) ** (t / 12.0)
    start = timeline.numbers[0]
    points = {anchor_month(a, timeline.fy_start_month) - start: v
              for a, v in spec.schedule.items()}
    if spec.initial is not None:
        points.setdefault(0, spec.initial)
    xs = np.array(sorted(points), dtype=float)
    values = stack_last([points[int(x)] for x in xs])  # (anchors,) or (paths, anchors)
    weights = np.stack([np.interp(t, xs, np.eye(len(xs))[a]) for a in range(len(xs))], axis=1)
    return values @ weights.T


def build_exogenous(spec: Exogenous, timeline: Timeline, n_paths: int = 1) -> ExogenousPaths:
    """Deterministic exogenous paths, broadcast to ``n_paths`` rows (different rows only
    where a value is drawn per path)."""

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
        kibor=paths(series_path(spec.kibor_pct, timeline)) / PERCENT,
        # no SOFR given: 0, read by no capacity price (consistency requires it for
        # foreign debt interest)
        sofr=paths(series_path(0.0 if spec.sofr_pct is None else spec.sofr_pct,
                               timeline)) / PERCENT,
        pk_cpi_index=paths(index_from_inflation(
            series_path(spec.pk_cpi_inflation_pct_per_year, timeline))),
        us_cpi_index=paths(index_from_inflation(
            series_path(spec.us_cpi_inflation_pct_per_year, timeline))),
        gdp_bn_pkr_per_year=paths(series_path(spec.gdp_bn_pkr_per_year, timeline)),
        fuel_index=fuel_index,
        usd_fuels=frozenset(n for n, f in spec.fuels.items() if f.currency == "usd"),
    )


def apply_shocks(
    exo: ExogenousPaths, shocks: Shocks, seed: int, paths: np.ndarray,
) -> ExogenousPaths:
    """Stochastic exogenous paths: the deterministic ones perturbed per path (docs/model.md §3).

    Exchange rate: fx_t x a driftless GBM x persistent devaluation jumps (each month one
    happens with the given probability; its size is normal in percent); dollar fuels
    move with it. KIBOR and SOFR: path + an Ornstein-Uhlenbeck deviation each (own streams),
    floored at zero. Fuel
    indices: path x a driftless GBM. Row r of ``exo`` stands on random path ``paths[r]``;
    draws come in blocks of :data:`circdebt.streams.BLOCK` paths, so a path's draws never
    depend on chunking.
    """
    T = exo.fx_pkr_per_usd.shape[1]
    paths = np.asarray(paths, dtype=int)
    n_paths, first = len(paths), int(paths.min())
    count = int(paths.max()) - first + 1

    def uniform_or_normal(stream: str, uniform: bool) -> np.ndarray:
        draw = ((lambda rng, n: rng.random((n, T))) if uniform
                else (lambda rng, n: rng.standard_normal((n, T))))
        return sample_blocks(draw, seed, stream, first, count)[paths - first]

    def normals(stream: str) -> np.ndarray:
        return uniform_or_normal(stream, uniform=False)

    def gbm(sigma: float, stream: str) -> np.ndarray:
        return np.ones((n_paths, T)) if sigma == 0 else gbm_factor(sigma, normals(stream))

    fx, kibor, fuel_index = exo.fx_pkr_per_usd, exo.kibor, dict(exo.fuel_index)
    if shocks.fx_pkr_per_usd is not None:
        s = shocks.fx_pkr_per_usd
        factor = gbm(s.volatility_pct_per_year / PERCENT, "shock:fx:diffusion")
        if s.jump_probability_pct_per_month > 0:
            happen = uniform_or_normal("shock:fx:jump", uniform=True) \
                < s.jump_probability_pct_per_month / PERCENT
            size = s.jump_mean_pct + s.jump_sd_pct * normals("shock:fx:size")
            factor = factor * jump_factor(happen, size)
        fx = fx * factor
        # dollar fuels carry the exchange-rate index, so they move with the shock too
        fuel_index = {name: values * factor if name in exo.usd_fuels else values
                      for name, values in fuel_index.items()}
    if shocks.kibor_pct is not None:
        rate = shocks.kibor_pct
        deviation = ou_deviation(rate.volatility_pct_points_per_year,
                                 rate.mean_reversion_per_year, normals("shock:kibor"))
        kibor = np.maximum(kibor + deviation, 0.0)
    sofr = exo.sofr
    if shocks.sofr_pct is not None:
        rate = shocks.sofr_pct
        deviation = ou_deviation(rate.volatility_pct_points_per_year,
                                 rate.mean_reversion_per_year, normals("shock:sofr"))
        sofr = np.maximum(sofr + deviation, 0.0)
    for name, price in shocks.fuels.items():
        if name in fuel_index:
            fuel_index[name] = fuel_index[name] * gbm(price.volatility_pct_per_year / PERCENT,
                                                      f"shock:fuel:{name}")
    return ExogenousPaths(fx, kibor, sofr, exo.pk_cpi_index, exo.us_cpi_index,
                          exo.gdp_bn_pkr_per_year, fuel_index, exo.usd_fuels)
