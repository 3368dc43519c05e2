"""Uncertain inputs: distributions, reproducible sampling and per-path scenarios (MODEL.md §10).

Any decimal number in a scenario may be given as a distribution table, e.g.
``growth_pct_per_year = {dist = "normal", mean = 3.0, sd = 1.0}``. The loader keeps
the distribution's central value in its place (so a deterministic run, and validation,
see an ordinary number) and records the distribution under ``[uncertainty]`` keyed by
its path. A Monte Carlo run draws each uncertain value once per path.

Reproducibility: paths are drawn in blocks of :data:`BLOCK` paths; block b of the
value at key path k uses the stream ``SeedSequence(seed, spawn_key=(b, h(k)))`` with h a
stable hash of the key path. So the same seed gives the same draws whatever the
chunking or the number of workers (chunks are whole blocks), and the same draws for
the same key in every scenario (common random numbers), however many other values
are uncertain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel

from circdebt.scenario.schema import Distribution

#: Paths per random-number block (chunks of a run are whole blocks).
BLOCK = 1024


def key_hash(key_path: str) -> int:
    """A stable 32-bit hash of a key path (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.sha256(key_path.encode()).digest()[:4], "little")


def block_rng(seed: int, block: int, stream: str) -> np.random.Generator:
    """The generator for one block of paths and one named stream."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, key_hash(stream))))


def sample_blocks(
    draw: Any, seed: int, stream: str, first_path: int, n_paths: int,
) -> np.ndarray:
    """Draws for paths ``first_path`` .. ``first_path + n_paths - 1`` of one stream.

    ``draw(rng, n)`` returns n draws (or an array whose first axis is n). Paths come
    from whole blocks of :data:`BLOCK`, so a path's draw never depends on how paths
    are split into chunks.
    """
    first_block, last_block = first_path // BLOCK, (first_path + n_paths - 1) // BLOCK
    parts = [draw(block_rng(seed, b, stream), BLOCK) for b in range(first_block, last_block + 1)]
    stacked = np.concatenate(parts, axis=0)
    offset = first_path - first_block * BLOCK
    return stacked[offset:offset + n_paths]


def sample_values(
    uncertainty: Mapping[str, Distribution], seed: int, first_path: int, n_paths: int,
) -> dict[str, np.ndarray]:
    """One draw per path for every uncertain key path. {key path: (paths,)}"""
    return {key: sample_blocks(dist.sample, seed, key, first_path, n_paths)
            for key, dist in uncertainty.items()}


# --------------------------------------------------------------------------- extraction


def extract_distributions(data: Any) -> tuple[Any, dict[str, Any], list[str]]:
    """Replace distribution tables in raw scenario data by placeholders.

    Returns (data with each ``{dist = ...}`` table replaced by ``None`` to be filled with
    its central value once validated, {key path: raw table}, [key paths of distributions
    that cannot be placed]). Key paths are written like ``supply.plants[2].capacity_mw``;
    a distribution under a key holding ``.``, ``[`` or ``]`` (which a key path cannot
    spell) cannot be placed.
    """
    found: dict[str, Any] = {}
    refused: list[str] = []

    def walk(node: Any, parts: tuple[str | int, ...]) -> Any:
        if isinstance(node, dict):
            if "dist" in node and parts:  # (a top-level 'dist' is just an unknown key)
                path = format_path(parts)
                if any(isinstance(p, str) and any(c in p for c in ".[]") for p in parts):
                    refused.append(path)
                    return node
                found[path] = node
                return None
            return {k: walk(v, (*parts, str(k))) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, (*parts, i)) for i, v in enumerate(node)]
        return node

    return walk(data, ()), found, refused


def format_path(parts: tuple[str | int, ...]) -> str:
    """``("supply", "plants", 2, "capacity_mw")`` -> ``supply.plants[2].capacity_mw``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _split(key_path: str) -> list[str | int]:
    parts: list[str | int] = []
    for segment in key_path.split("."):
        name, *indices = segment.replace("]", "").split("[")
        parts.append(name)
        parts.extend(int(i) for i in indices)
    return parts


def set_in_data(data: Any, key_path: str, value: Any) -> None:
    """Set a value in nested raw data (dicts and lists) at ``key_path``."""
    parts = _split(key_path)
    node = data
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def get_in_model(model: Any, key_path: str) -> Any:
    """The value at ``key_path`` in a validated scenario (models, lists, dicts)."""
    node = model
    for part in _split(key_path):
        if isinstance(part, int) or isinstance(node, dict):
            node = node[part]
        else:
            node = getattr(node, part)
    return node


def decimal_at(model: Any, key_path: str) -> float:
    """The decimal number at ``key_path`` in a scenario; ValueError naming the key if the
    path does not exist or does not hold a decimal number (an input analyses may vary)."""
    try:
        value = get_in_model(model, key_path)
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        raise ValueError(f"{key_path!r} is not a key path of the scenario") from None
    if isinstance(value, bool) or not isinstance(value, float):
        raise ValueError(f"{key_path!r} is not a decimal number ({value!r})")
    return value


def with_values(model: BaseModel, values: Mapping[str, Any]) -> BaseModel:
    """A copy of a scenario with the values at the given key paths replaced.

    Used to put (paths,) arrays of draws in place of numbers: the copy is not
    re-validated, and the compile steps broadcast arrays over paths.
    """
    for key_path, value in values.items():
        model = _replace(model, _split(key_path), value)
    return model


def _replace(node: Any, parts: list[str | int], value: Any) -> Any:
    head, rest = parts[0], parts[1:]
    if isinstance(node, list):
        child = value if not rest else _replace(node[head], rest, value)
        return [child if i == head else v for i, v in enumerate(node)]
    if isinstance(node, dict):
        child = value if not rest else _replace(node[head], rest, value)
        return {**node, head: child}
    child = value if not rest else _replace(getattr(node, head), rest, value)
    return node.model_copy(update={head: child})
