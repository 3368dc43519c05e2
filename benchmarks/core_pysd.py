"""Run ``benchmarks/core.mdl`` with PySD: every path in one vectorised run.

The .mdl's ``path`` subscript range is rewritten for the number of paths, and the
exchange-rate paths are written next to it as ``fx_paths.csv`` (one column per path),
which the model reads with GET DIRECT DATA.
"""

from __future__ import annotations

import re
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from core_common import HERE

MDL = HERE / "core.mdl"


def prepare(fx_paths: np.ndarray, workdir: Path) -> Path:
    """Write the model for ``len(fx_paths)`` paths and its data into ``workdir``."""
    n, T = fx_paths.shape
    text = MDL.read_text()
    text, count = re.subn(r"^path: \(p1-p\d+\)", f"path: (p1-p{n})", text, flags=re.M)
    assert count == 1
    model_file = workdir / "core.mdl"
    model_file.write_text(text)
    header = "time," + ",".join(f"p{i + 1}" for i in range(n))
    body = np.column_stack([np.arange(T, dtype=float), fx_paths.T])
    np.savetxt(workdir / "fx_paths.csv", body, delimiter=",", header=header, comments="",
               fmt="%.17g")
    return model_file


def load(fx_paths: np.ndarray, workdir: Path | None = None):
    """Translate and load the model (with its data). Returns (model, seconds)."""
    import pysd

    workdir = workdir or Path(tempfile.mkdtemp(prefix="circdebt-pysd-"))
    model_file = prepare(fx_paths, workdir)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pysd.read_vensim(str(model_file))
    return model, time.perf_counter() - t


def run(model, n_paths: int) -> np.ndarray:
    """One run of the loaded model: CD stock (paths, T)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = model.run(return_columns=["cd stock"], progress=False)
    columns = [f"cd stock[p{i + 1}]" for i in range(n_paths)]
    return out[columns].to_numpy().T
