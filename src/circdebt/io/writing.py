"""Writing outputs: every file goes to a temporary name in the target folder and is
renamed into place, so no reader ever sees a half-written file; a folder that holds
files circdebt did not write is never written into.
"""

from __future__ import annotations

import functools
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circdebt.errors import OutputError
from circdebt.io.paths import display_path

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from circdebt.results.result import Result

@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~_umask())  # mkstemp gives 0600; match open()
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


# --------------------------------------------------------------------------- run outputs

#: The files a run writes, in the order they are written (``run.json`` last: it marks
#: the folder as circdebt's own).
OUTPUT_FILES = ("monthly.csv", "annual.csv", "scenario.resolved.toml", "run.json")


def _version() -> str:
    from circdebt.version import __version__

    return __version__


def is_circdebt_output(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds an earlier circdebt run (a ``run.json`` circdebt wrote)."""
    try:
        meta = json.loads((Path(out_dir) / "run.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and "circdebt_version" in meta


def check_output_folder(
    out_dir: Path, inputs: Iterable[Path] = (), names: Sequence[str] = OUTPUT_FILES,
) -> bool:
    """Check that a run's outputs may be written into ``out_dir``.

    Returns ``True`` if the folder holds an earlier circdebt output that will be
    overwritten, ``False`` if nothing will be overwritten.

    Raises
    ------
    OutputError
        If ``out_dir`` is a file, if an output would replace one of ``inputs`` (a user's
        input file is never overwritten), or if it would replace files in a folder that
        is not circdebt's own.
    """
    out_dir = Path(out_dir)
    shown = display_path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{shown}: the output folder is a file; choose another --out")
    targets = {(out_dir / name).resolve(): name for name in names}
    for path in inputs:
        name = targets.get(Path(path).resolve())
        if name is not None:
            raise OutputError(
                f"{display_path(path)}: is an input of this run and would be overwritten by "
                f"its {name}; choose another --out"
            )
    clashes = [name for name in names if (out_dir / name).exists()]
    if not clashes:
        return False
    if is_circdebt_output(out_dir):
        return True
    raise OutputError(
        f"{shown}: holds {', '.join(clashes)} that circdebt did not write (no run.json of "
        "its own); choose another --out or move those files"
    )


def _jsonable(value: Any) -> Any:
    """Plain JSON data: numpy scalars to Python, non-finite floats to ``None``."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def table_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as a list of JSON-ready row dicts (``NaN`` becomes ``None``)."""
    return [_jsonable(row) for row in table.to_dict(orient="records")]


def csv_text(table: pd.DataFrame) -> str:
    """A table as CSV: floats at full (round-trip) precision, ``\\n`` line ends.

    The same table always gives the same text, so the same inputs give byte-identical
    files.
    """
    return table.to_csv(index=False, lineterminator="\n")


def run_json_text(metadata: Mapping[str, Any]) -> str:
    """``run.json``: a run's metadata as indented JSON."""
    return json.dumps(_jsonable(metadata), indent=2, allow_nan=False, default=str) + "\n"


def write_run_outputs(
    result: Result, out_dir: str | os.PathLike[str], inputs: Iterable[Path] = (),
    *, fmt: str = "csv", extra: Mapping[str, str | bytes] | None = None,
) -> list[Path]:
    """Write a run's outputs into ``out_dir`` and return their paths.

    Writes ``monthly.csv``, ``annual.csv``, ``scenario.resolved.toml`` and ``run.json``
    (the run's metadata), each to a temporary name first and then renamed into place.
    With ``fmt="parquet"`` the tables are ``monthly.parquet`` and ``annual.parquet``;
    with ``fmt="xlsx"`` one ``results.xlsx`` (see :mod:`circdebt.io.exports`). ``extra``
    files (such as charts) are written too. ``inputs`` are files the run read; none of
    them is ever overwritten.

    Raises
    ------
    OutputError
        If ``out_dir`` cannot take the outputs (see :func:`check_output_folder`).
    """
    from circdebt.io.exports import table_payloads
    from circdebt.scenario.dump import scenario_toml

    payloads = table_payloads({"monthly": result.monthly, "annual": result.annual}, fmt)
    payloads |= {
        "scenario.resolved.toml": scenario_toml(result.scenario),
        **(extra or {}),
        "run.json": run_json_text(result.metadata),
    }
    return write_output_set(out_dir, payloads, inputs)


def write_output_set(
    out_dir: str | os.PathLike[str], payloads: Mapping[str, str | bytes],
    inputs: Iterable[Path] = (),
) -> list[Path]:
    """Write named texts (or bytes) into ``out_dir`` atomically, ``run.json`` last;
    return the paths.

    Each file goes to a temporary name and is renamed into place. Before any of them, a
    provisional ``run.json`` saying ``"status": "writing"`` replaces the previous one, so
    the folder never presents a mix of old and new files as a finished run, and a run
    interrupted while writing leaves a folder circdebt recognises (and may overwrite)
    on the next run. The final ``run.json`` comes last.

    Raises :class:`OutputError` if the folder cannot take them (see
    :func:`check_output_folder`).
    """
    out_dir = Path(out_dir)
    names = sorted(payloads, key=lambda n: n == "run.json")
    check_output_folder(out_dir, inputs, names)
    if "run.json" in payloads:
        atomic_write_text(out_dir / "run.json", run_json_text(
            {"circdebt_version": _version(), "status": "writing",
             "files": [n for n in names if n != "run.json"]}))
    written = []
    for name in names:
        path = out_dir / name
        payload = payloads[name]
        if isinstance(payload, bytes):
            atomic_write_bytes(path, payload)
        else:
            atomic_write_text(path, payload)
        written.append(path)
    return written


def save_figure(
    fig: Figure, path: str | Path, formats: Sequence[str] = ("png", "svg", "pdf"),
    dpi: int = 200,
) -> list[Path]:
    """Write ``fig`` as ``path`` with each format's suffix (``path``'s own suffix is
    replaced), each file to a temporary name first and then renamed into place.
    Returns the paths written. [dpi: dots per inch of the PNG]"""
    from circdebt.charts.style import FORMATS, figure_bytes

    path = Path(path)
    stem = path.with_suffix("") if path.suffix.lstrip(".") in FORMATS else path
    written = []
    for fmt in formats:
        target = stem.with_name(f"{stem.name}.{fmt}")
        atomic_write_bytes(target, figure_bytes(fig, fmt, dpi))
        written.append(target)
    return written
