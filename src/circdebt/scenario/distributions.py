"""Uncertain inputs: distributions on scenario values (docs/model.md §19).

Any decimal number in a scenario may be given as a distribution table, e.g.
``growth_pct_per_year = {dist = "normal", mean = 3.0, sd = 1.0}``. The loader keeps
the distribution's central value in its place (so a deterministic run, and validation,
see an ordinary number) and records the distribution under ``[uncertainty]`` keyed by
its key path (:mod:`circdebt.keypaths`). A Monte Carlo run draws each uncertain value
once per path, from the reproducible streams of :mod:`circdebt.streams`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from circdebt.keypaths import Part, is_name, join
from circdebt.scenario.fields import Finite, Strict

#: A spread below this (relative to the value's size) is a point: the distribution of
#: its value alone.
POINT_SD = 1e-12


class Distribution(Strict):
    """A distribution for one scenario value.

    normal (mean, sd); lognormal (mean, sd of the value itself, > 0); triangular
    (low, mode, high); uniform (low, high); choice (values, optional weights).
    """

    dist: Literal["normal", "lognormal", "triangular", "uniform", "choice"]
    mean: Finite | None = None
    sd: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] | None = None
    low: Finite | None = None
    mode: Finite | None = None
    high: Finite | None = None
    values: list[Finite] | None = None
    weights: list[Annotated[float, Field(ge=0.0, allow_inf_nan=False)]] | None = None

    @model_validator(mode="after")
    def _parameters_fit(self) -> Distribution:
        need = {"normal": ("mean", "sd"), "lognormal": ("mean", "sd"),
                "triangular": ("low", "mode", "high"), "uniform": ("low", "high"),
                "choice": ("values",)}[self.dist]
        given = {k for k in ("mean", "sd", "low", "mode", "high", "values", "weights")
                 if getattr(self, k) is not None}
        missing = [k for k in need if k not in given]
        extra = sorted(given - set(need) - ({"weights"} if self.dist == "choice" else set()))
        if missing:
            raise ValueError(f"a {self.dist} distribution needs {', '.join(need)}; "
                             f"missing {', '.join(missing)}")
        if extra:
            raise ValueError(f"a {self.dist} distribution takes {', '.join(need)}; "
                             f"not {', '.join(extra)}")
        if self.dist == "lognormal" and self._get("mean") <= 0:
            raise ValueError("a lognormal distribution needs mean > 0")
        if self.dist == "triangular" and not (
                self._get("low") <= self._get("mode") <= self._get("high")):
            raise ValueError("a triangular distribution needs low <= mode <= high")
        if self.dist == "uniform" and not self._get("low") <= self._get("high"):
            raise ValueError("a uniform distribution needs low <= high")
        if self.dist == "choice":
            if not self.values:
                raise ValueError("a choice needs at least one value")
            if self.weights is not None and (len(self.weights) != len(self.values)
                                             or sum(self.weights) <= 0):
                raise ValueError("choice weights need one positive-sum weight per value")
        return self

    def _get(self, name: str) -> float:
        """A parameter the distribution's kind requires (checked present on validation)."""
        value = getattr(self, name)
        assert value is not None, name
        return float(value)

    def _choices(self) -> tuple[np.ndarray, np.ndarray]:
        values = np.asarray(self.values or [], float)
        weights = np.asarray(self.weights or [1.0] * len(values), float)
        return values, weights / weights.sum()

    @property
    def central(self) -> float:
        """The value a deterministic run uses: the mean (the most likely value of a choice)."""
        if self.dist in ("normal", "lognormal"):
            return self._get("mean")
        if self.dist == "triangular":
            return (self._get("low") + self._get("mode") + self._get("high")) / 3.0
        if self.dist == "uniform":
            return (self._get("low") + self._get("high")) / 2.0
        values, weights = self._choices()
        return float(values[int(np.argmax(weights))])

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws. [same unit as the value], (n,)."""
        if self.dist == "normal":
            return rng.normal(self._get("mean"), self._get("sd"), n)
        if self.dist == "lognormal":
            mu, sigma = self._lognormal_parameters()
            return rng.lognormal(mu, sigma, n)
        if self.dist == "triangular":
            low, mode, high = self._get("low"), self._get("mode"), self._get("high")
            if low == high:
                return np.full(n, low)
            return rng.triangular(low, mode, high, n)
        if self.dist == "uniform":
            return rng.uniform(self._get("low"), self._get("high"), n)
        values, weights = self._choices()
        return rng.choice(values, n, p=weights)

    def _lognormal_parameters(self) -> tuple[float, float]:
        """(mu, sigma) of log(value) for a lognormal given by the value's mean and sd."""
        mean, sd = self._get("mean"), self._get("sd")
        sigma2 = float(np.log1p((sd / mean) ** 2))
        return float(np.log(mean) - sigma2 / 2), float(np.sqrt(sigma2))

    def _scipy(self) -> Any:
        """The frozen ``scipy.stats`` distribution (None for a point or a choice)."""
        from scipy import stats

        if self.dist == "normal":
            sd, mean = self._get("sd"), self._get("mean")
            # an sd below 1e-12 of the mean's size is a point (scipy overflows on it)
            return None if sd <= POINT_SD * max(1.0, abs(mean)) else stats.norm(mean, sd)
        if self.dist == "lognormal":
            mu, sigma = self._lognormal_parameters()
            return None if sigma <= POINT_SD else stats.lognorm(sigma, scale=np.exp(mu))
        low, high = self._get("low"), self._get("high")
        # a width below 1e-12 of the bounds' size is a point (scipy overflows on it)
        if high - low <= POINT_SD * max(1.0, abs(low), abs(high)):
            return None
        if self.dist == "triangular":
            return stats.triang((self._get("mode") - low) / (high - low), low, high - low)
        if self.dist == "uniform":
            return stats.uniform(low, high - low)
        return None

    def cdf(self, x: float) -> float:
        """P(value <= x), exactly (``scipy.stats``; the weights of a choice)."""
        if self.dist == "choice":
            values, weights = self._choices()
            return float(weights[values <= x].sum())
        frozen = self._scipy()
        return float(x >= self.central) if frozen is None else float(frozen.cdf(x))

    def quantiles(self, q: np.ndarray) -> np.ndarray:
        """The q-quantiles of the distribution, exactly (inverse CDF). [value's unit]"""
        q = np.asarray(q, dtype=float)
        if self.dist == "choice":
            values, weights = self._choices()
            order = np.argsort(values, kind="stable")
            cdf = np.cumsum(weights[order])
            at = np.minimum(np.searchsorted(cdf, q - 1e-12), len(cdf) - 1)
            return values[order][at]
        frozen = self._scipy()
        return np.full(q.shape, self.central) if frozen is None \
            else np.asarray(frozen.ppf(q), dtype=float)

    def quantile(self, q: float) -> float:
        """The q-quantile of the distribution, exactly. [value's unit]"""
        return float(self.quantiles(np.asarray([q]))[0])

    def mass_outside(self, low: float, high: float) -> float:
        """The probability of a draw outside [low, high] (the key's physical range)."""
        below = self.cdf(low) - (self._atom(low) if np.isfinite(low) else 0.0)
        return max(0.0, below) + max(0.0, 1.0 - self.cdf(high))

    def _atom(self, x: float) -> float:
        """P(value == x): the weight of a choice's value, or a point distribution's 1."""
        if self.dist == "choice":
            values, weights = self._choices()
            return float(weights[values == x].sum())
        return float(self._scipy() is None and self.central == x)

    def sample_within(self, rng: np.random.Generator, n: int, low: float, high: float,
                      ) -> np.ndarray:
        """``n`` draws of the distribution truncated to [low, high] (docs/model.md §21).

        Draws inside the range are the ones :meth:`sample` makes (so a distribution
        whose support lies inside its key's range draws exactly as before); each draw
        outside is replaced by a draw of the truncated distribution by inverse CDF, from
        the same generator. Since a draw lands inside with probability 1 - m and is then
        distributed as f / (1 - m) there, the result is exactly the truncated
        distribution. [same unit as the value], (n,)
        """
        draws = self.sample(rng, n)
        outside = (draws < low) | (draws > high)
        if outside.any():
            lo = self.cdf(low) - self._atom(low) if np.isfinite(low) else 0.0
            hi = self.cdf(high) if np.isfinite(high) else 1.0
            u = lo + rng.random(int(outside.sum())) * (hi - lo)
            draws[outside] = np.clip(self.quantiles(u), low, high)
        return draws

    def percentile_range(self, low_q: float = 0.05, high_q: float = 0.95) -> tuple[float, float]:
        """Low and high quantiles (for tornado charts and sensitivity ranges)."""
        return self.quantile(low_q), self.quantile(high_q)


def extract_distributions(data: Any) -> tuple[Any, dict[str, Any], list[str]]:
    """Replace distribution tables in raw scenario data by placeholders.

    Returns (data with each ``{dist = ...}`` table replaced by ``None`` to be filled with
    its central value once validated, {key path: raw table}, [key paths of distributions
    that cannot be placed]). Key paths are written like ``supply.plants[2].capacity_mw``;
    a distribution under a key a key path cannot spell (anything but letters, digits,
    ``_`` and ``-``: :func:`circdebt.keypaths.is_name`) cannot be placed.
    """
    found: dict[str, Any] = {}
    refused: list[str] = []

    def walk(node: Any, parts: tuple[Part, ...]) -> Any:
        if isinstance(node, dict):
            if "dist" in node and parts:  # (a top-level 'dist' is just an unknown key)
                path = join(parts)
                if any(isinstance(p, str) and not is_name(p) for p in parts):
                    refused.append(path)
                    return node
                found[path] = node
                return None
            return {k: walk(v, (*parts, str(k))) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, (*parts, i)) for i, v in enumerate(node)]
        return node

    return walk(data, ()), found, refused
