"""Sweep checkpoints: what a sweep has finished, so ``--resume`` need not redo it.

A checkpoint is text, one item a line:

1. circdebt's tag (:data:`circdebt.io.folders.CHECKPOINT_TAG`): it proves the file is
   circdebt's, so circdebt may replace or delete it; a file of that name without it is
   the user's and is never touched;
2. a JSON header: everything that determines the result (:data:`CONFIG_ITEMS`: circdebt
   version, resolved scenario hash, grid, paths, chunk size, KPI columns and the seed
   actually used, drawn before the first chunk) and the SHA-256 of those items;
3. one JSON line per finished chunk: its first row, its number of rows, its values as
   base64 of little-endian float64 bytes, and the SHA-256 of those bytes keyed by the
   header's digest and the chunk's first row.

A header that does not parse or whose digest fails makes the whole checkpoint unusable
(:class:`~circdebt.errors.OutputError`, exit 2). A chunk line that does not parse, has
the wrong shape or fails its checksum (a line cut short by a killed process, or
damaged bytes) is dropped and that chunk is computed again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circdebt.errors import OutputError
from circdebt.io.folders import CHECKPOINT_TAG
from circdebt.io.paths import display_path

if TYPE_CHECKING:
    import numpy as np

#: The checkpoint's file name in a sweep's output folder.
SWEEP_CHECKPOINT = "sweep.checkpoint"
#: The version of the layout above.
FORMAT = 2
#: What determines a sweep's result, in the order a resume compares them.
CONFIG_ITEMS = ("circdebt_version", "scenario_hash", "grid", "paths", "chunk", "kpis", "seed")


def _canonical(config: Mapping[str, Any]) -> str:
    return json.dumps(config, sort_keys=True, separators=(",", ":"), allow_nan=False)


def config_digest(config: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonical(config).encode()).hexdigest()


def chunk_digest(header_digest: str, start: int, raw: bytes) -> str:
    return hashlib.sha256(f"{header_digest}:{start}:".encode() + raw).hexdigest()


def header_bytes(config: Mapping[str, Any]) -> bytes:
    """The tag and the header line of a checkpoint of ``config``."""
    config = json.loads(_canonical(config))
    header = {"format": FORMAT, "kind": "sweep", "config": config,
              "config_sha256": config_digest(config)}
    return CHECKPOINT_TAG + (json.dumps(header, sort_keys=True) + "\n").encode()


def chunk_bytes(config: Mapping[str, Any], start: int, values: np.ndarray) -> bytes:
    """One chunk's line."""
    import numpy as np

    raw = np.ascontiguousarray(values, dtype="<f8").tobytes()
    line = {"start": int(start), "rows": int(values.shape[0]),
            "sha256": chunk_digest(config_digest(config), start, raw),
            "values": base64.b64encode(raw).decode("ascii")}
    return (json.dumps(line, sort_keys=True) + "\n").encode()


@dataclass
class Checkpoint:
    """A checkpoint read back: its config, its good chunks and how many were dropped."""

    config: dict[str, Any]
    chunks: dict[int, np.ndarray] = field(default_factory=dict)
    dropped: int = 0


def _rows(config: Mapping[str, Any]) -> int:
    return math.prod(len(values) for _, values in config["grid"]) * int(config["paths"])


def _chunk(line: bytes, config: Mapping[str, Any], digest: str) -> tuple[int, Any] | None:
    """A chunk line's (start, values), or ``None`` if it is damaged in any way."""
    import numpy as np

    try:
        item = json.loads(line)
        start, rows = item["start"], item["rows"]
        n_rows, chunk, width = _rows(config), int(config["chunk"]), len(config["kpis"])
        if type(start) is not int or type(rows) is not int or start % chunk or \
                not 0 <= start < n_rows or rows != min(chunk, n_rows - start):
            return None
        raw = base64.b64decode(item["values"], validate=True)
        if len(raw) != rows * width * 8 or item["sha256"] != chunk_digest(digest, start, raw):
            return None
        return start, np.frombuffer(raw, dtype="<f8").reshape(rows, width).astype(float)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def read_checkpoint(path: Path) -> Checkpoint:
    """Read a sweep checkpoint.

    Raises :class:`OutputError` if the file is not circdebt's checkpoint or its header
    is damaged; damaged chunk lines are dropped (counted in ``dropped``).
    """
    shown = display_path(path)
    data = path.read_bytes()
    if not data.startswith(CHECKPOINT_TAG):
        raise OutputError(f"{shown}: is not a checkpoint circdebt wrote (it lacks circdebt's "
                          "tag); move it, or choose another --out")
    lines = data[len(CHECKPOINT_TAG):].split(b"\n")
    try:
        header = json.loads(lines[0])
        config = header["config"]
        ok = (isinstance(header, dict) and header.get("format") == FORMAT
              and header.get("kind") == "sweep" and isinstance(config, dict)
              and set(config) == set(CONFIG_ITEMS) and isinstance(config["grid"], list)
              and header.get("config_sha256") == config_digest(config))
        if ok:
            _rows(config)
    except (ValueError, TypeError, KeyError, AttributeError):
        ok = False
    if not ok:
        raise OutputError(f"{shown}: a damaged checkpoint (truncated or garbled header, or "
                          "a format of another circdebt version); run without --resume to "
                          "start afresh (it will be replaced)")
    found = Checkpoint(config)
    digest = config_digest(config)
    for line in lines[1:]:
        if not line.strip():
            continue
        chunk = _chunk(line, config, digest)
        if chunk is None:
            found.dropped += 1
        else:
            found.chunks[chunk[0]] = chunk[1]
    return found


def difference(saved: Mapping[str, Any], now: Mapping[str, Any],
               seed_given: bool) -> tuple[str, Any, Any] | None:
    """The first item of :data:`CONFIG_ITEMS` in which a checkpoint's config differs from
    this sweep's: (item, saved value, value now). Without ``--seed`` the seed is the
    checkpoint's, so it differs only when given."""
    now = json.loads(_canonical(now))
    for item in CONFIG_ITEMS:
        if item == "seed" and not seed_given:
            continue
        if saved.get(item) != now.get(item):
            return item, saved.get(item), now.get(item)
    return None
