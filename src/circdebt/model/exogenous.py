"""Exogenous paths: exchange rate, KIBOR, SOFR, price indices, fuel indices, GDP (docs/model.md §3).

Every path is an array shaped (paths, T). The processes that make them stochastic in a
Monte Carlo run are pure functions of standard-normal and uniform draws here; which
draws a path gets is decided by :mod:`circdebt.engine.series` from
:mod:`circdebt.streams`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from circdebt.units import PERCENT

#: Months per year, for monthly steps of annual rates.
MONTHS_PER_YEAR = 12.0


@dataclass(frozen=True)
class ExogenousPaths:
    """All exogenous paths of a run, each shaped (paths, T)."""

    fx_pkr_per_usd: np.ndarray  # [Rs/USD]
    kibor: np.ndarray  # [fraction per year]
    sofr: np.ndarray  # [fraction per year]
    pk_cpi_index: np.ndarray  # [1], 1 at the start month
    us_cpi_index: np.ndarray  # [1]
    gdp_bn_pkr_per_year: np.ndarray  # [Rs bn/yr]
    fuel_index: dict[str, np.ndarray]  # [1]; USD fuels already converted to PKR terms
    usd_fuels: frozenset[str] = frozenset()  # fuels whose index includes the fx index

    @property
    def fx_index(self) -> np.ndarray:
        """Exchange rate relative to the start month. [1]"""
        return self.fx_pkr_per_usd / self.fx_pkr_per_usd[:, :1]

    @property
    def n_paths(self) -> int:
        return self.fx_pkr_per_usd.shape[0]

    def rows(self, rows: np.ndarray) -> ExogenousPaths:
        """The paths of the given rows (a path may be taken more than once)."""
        return replace(self, fx_pkr_per_usd=self.fx_pkr_per_usd[rows], kibor=self.kibor[rows],
                       sofr=self.sofr[rows],
                       pk_cpi_index=self.pk_cpi_index[rows], us_cpi_index=self.us_cpi_index[rows],
                       gdp_bn_pkr_per_year=self.gdp_bn_pkr_per_year[rows],
                       fuel_index={k: v[rows] for k, v in self.fuel_index.items()})


def index_from_inflation(rate_pct_per_year: np.ndarray) -> np.ndarray:
    """A price index equal to 1 in the first month, from annual inflation rates.

    ``index[t] = prod_{s=1..t} (1 + rate[s]/100) ** (1/12)``. [1], same shape.
    """
    monthly = (1.0 + rate_pct_per_year / PERCENT) ** (1.0 / MONTHS_PER_YEAR)
    monthly[..., 0] = 1.0
    return np.cumprod(monthly, axis=-1)


def gbm_factor(sigma_per_year: float, normals: np.ndarray) -> np.ndarray:
    """A driftless geometric Brownian motion, 1 in the first month:
    exp(cumsum(sigma sqrt(dt) e - sigma^2 dt / 2)), dt = 1/12. [1], (paths, T)."""
    dt = 1.0 / MONTHS_PER_YEAR
    steps = sigma_per_year * np.sqrt(dt) * normals - 0.5 * sigma_per_year**2 * dt
    steps[:, 0] = 0.0
    return np.exp(np.cumsum(steps, axis=1))


def jump_factor(happen: np.ndarray, size_pct: np.ndarray) -> np.ndarray:
    """Persistent devaluation jumps: prod of (1 + J/100) over the months a jump happens
    (each at least 0.05, so a rate never turns negative); none in the first month.
    [1], (paths, T)."""
    happen = happen.copy()
    happen[:, 0] = False
    return np.cumprod(np.where(happen, np.maximum(1.0 + size_pct / PERCENT, 0.05), 1.0), axis=1)


def ou_deviation(sigma_points_per_year: float, mean_reversion_per_year: float,
                 normals: np.ndarray) -> np.ndarray:
    """A mean-reverting (Ornstein-Uhlenbeck) deviation, 0 in the first month:
    x_t = x_{t-1} (1 - kappa/12) + sigma/sqrt(12) e_t. [fraction], (paths, T)."""
    dt = 1.0 / MONTHS_PER_YEAR
    e = normals * sigma_points_per_year / PERCENT * np.sqrt(dt)
    x = np.zeros(normals.shape)
    keep = 1.0 - mean_reversion_per_year * dt
    for t in range(1, normals.shape[1]):
        x[:, t] = x[:, t - 1] * keep + e[:, t]
    return x
