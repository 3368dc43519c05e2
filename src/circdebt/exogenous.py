"""Exogenous paths: exchange rate, KIBOR, CPI indices, fuel indices, GDP (MODEL.md §3).

Every path is an array shaped (paths, T). Deterministic specifications give the same
values on every path; stochastic forms (issue 7) fill the path dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from circdebt.scenario import Exogenous, SeriesSpec
from circdebt.timeline import Timeline, anchor_month


def series_path(spec: float | SeriesSpec, timeline: Timeline) -> np.ndarray:
    """The monthly values of a series, shape (T,).

    A number is constant. ``initial`` with ``growth_pct_per_year`` g compounds monthly:
    ``initial * (1 + g/100) ** (t / 12)``. A schedule interpolates linearly between
    anchors (``initial`` anchors at the start month) and is flat outside them.
    """
    t = np.arange(timeline.n_months, dtype=float)
    if not isinstance(spec, SeriesSpec):
        return np.full(timeline.n_months, float(spec))
    if spec.schedule is None:
        growth = (spec.growth_pct_per_year or 0.0) / 100.0
        return float(spec.initial) * (1.0 + growth) ** (t / 12.0)
    start = timeline.numbers[0]
    points = {anchor_month(a) - start: v for a, v in spec.schedule.items()}
    if spec.initial is not None:
        points.setdefault(0, spec.initial)
    xs = np.array(sorted(points), dtype=float)
    ys = np.array([points[int(x)] for x in xs], dtype=float)
    return np.interp(t, xs, ys)


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

    @property
    def fx_index(self) -> np.ndarray:
        """Exchange rate relative to the start month. [1]"""
        return self.fx_pkr_per_usd / self.fx_pkr_per_usd[:, :1]


def build_exogenous(spec: Exogenous, timeline: Timeline, n_paths: int = 1) -> ExogenousPaths:
    """Deterministic exogenous paths, broadcast to ``n_paths`` identical rows."""

    def paths(values: np.ndarray) -> np.ndarray:
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
    )
