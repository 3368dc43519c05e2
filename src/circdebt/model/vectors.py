"""Helpers that keep parameter arrays shaped for paths.

A scenario value is a number, or, in a Monte Carlo run, an array of one draw per path
(shape (paths,)). Compiling parameters of several groups or classes then gives
(groups,) when every value is a number and (paths, groups) when any is drawn; levers
over time give (T, ...) or (T, paths, ...). The engine broadcasts either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: A value that is a number, or one number per path (a value drawn in a Monte Carlo run).
PerPath = float | np.ndarray


def stack_last(values: Sequence[Any]) -> np.ndarray:
    """Values of several items along a last axis: (items,) or (paths, items)."""
    if not values:
        return np.zeros(0)
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))
    return np.stack(arrays, axis=-1)


def stack_first(values: Sequence[Any]) -> np.ndarray:
    """Values of several months along a first axis: (T,) or (T, paths)."""
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))
    return np.stack(arrays, axis=0)


def over_time(value: Any, n_months: int) -> np.ndarray:
    """A constant repeated over months: (T,) + shape of value."""
    value = np.asarray(value, dtype=float)
    return np.broadcast_to(value, (n_months, *value.shape)).copy()


def per_path(value: Any, n_paths: int) -> np.ndarray:
    """A number or (paths,) array as a (paths,) array."""
    return np.broadcast_to(np.asarray(value, dtype=float), (n_paths,)).copy()


def time_first(path: np.ndarray) -> np.ndarray:
    """A monthly path (T,) or (paths, T) as (T,) or (T, paths)."""
    return path.T if path.ndim == 2 else path


def ratio(num: Any, den: Any, default: float = 0.0) -> np.ndarray:
    """num / den elementwise, ``default`` where den is 0 (no units sold, nothing
    purchased). Broadcasts."""
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    return np.divide(num, den, out=np.full(num.shape, default), where=den != 0)
