"""Reproducible random streams for Monte Carlo paths (docs/model.md §19).

Paths are drawn in blocks of :data:`BLOCK` paths; block b of the stream named k uses
``SeedSequence(seed, spawn_key=(b, h(k)))`` with h a stable hash of the name. So the
same seed gives the same draws whatever the chunking or the number of workers (chunks
are whole blocks), and the same draws for the same name in every scenario (common
random numbers), however many other streams a run uses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

#: Paths per random-number block (chunks of a run are whole blocks).
BLOCK = 1024


def key_hash(name: str) -> int:
    """A stable 32-bit hash of a stream name (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


def block_rng(seed: int, block: int, stream: str) -> np.random.Generator:
    """The generator for one block of paths and one named stream."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, key_hash(stream))))


def sample_blocks(
    draw: Callable[[np.random.Generator, int], np.ndarray], seed: int, stream: str,
    first_path: int, n_paths: int,
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
