"""Writing outputs: every file goes to a temporary name in the target folder and is
renamed into place, so no reader ever sees a half-written file; a file circdebt cannot
prove it wrote is never replaced (the rule and the folder lock: :mod:`circdebt.io.folders`).
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
from circdebt.io.folders import (
    CHECKPOINT_SUFFIX,
    CHECKPOINT_TAG,
    MANIFEST,
    OutputFolder,
    claim_output_folder,
    file_sha256,
    read_manifest,
    recorded_files,
    sha256_bytes,
    why_not_replaceable,
)
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

def _version() -> str:
    from circdebt.version import __version__

    return __version__


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
    result: Result, out_dir: str | os.PathLike[str] | OutputFolder,
    inputs: Iterable[Path] = (), *, fmt: str = "csv",
    extra: Mapping[str, str | bytes] | None = None,
) -> list[Path]:
    """Write a run's outputs into ``out_dir`` and return their paths.

    Writes ``monthly.csv``, ``annual.csv``, ``scenario.resolved.toml`` and ``run.json``
    (the run's metadata), each to a temporary name first and then renamed into place.
    With ``fmt="parquet"`` the tables are ``monthly.parquet`` and ``annual.parquet``;
    with ``fmt="xlsx"`` one ``results.xlsx`` (see :mod:`circdebt.io.exports`). ``extra``
    files (such as charts) are written too. ``inputs`` are files the run read; none of
    them is ever overwritten. ``out_dir`` may be a folder already claimed with
    :func:`circdebt.io.folders.claim_output_folder`.

    Raises
    ------
    OutputError
        If ``out_dir`` cannot take the outputs (see :mod:`circdebt.io.folders`).
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


def _bytes(payload: str | bytes) -> bytes:
    return payload if isinstance(payload, bytes) else payload.encode("utf-8")


def write_output_set(
    out_dir: str | os.PathLike[str] | OutputFolder, payloads: Mapping[str, str | bytes],
    inputs: Iterable[Path] = (),
) -> list[Path]:
    """Write named texts (or bytes) into ``out_dir`` atomically, ``run.json`` last;
    return the paths.

    ``out_dir`` is a folder claimed with :func:`~circdebt.io.folders.claim_output_folder`
    (then ``inputs`` are the claim's), or a path, which is then claimed (checked and
    locked) for the time of the writing.

    Each file goes to a temporary name and is renamed into place. Before any of them, a
    provisional ``run.json`` saying ``"status": "writing"`` replaces the previous one, so
    the folder never presents a mix of old and new files as a finished run, and a run
    interrupted while writing leaves a folder circdebt recognises (and may overwrite)
    on the next run. The final ``run.json`` comes last. Every ``run.json`` lists under
    ``files`` the SHA-256 of each file circdebt wrote in the folder and that is still as
    it wrote it: that is how a later command proves a file is circdebt's to replace. A
    set without ``run.json`` (charts added to a run's folder) adds its files to the list
    of the folder's ``run.json``. A set with ``run.json`` is a new run: circdebt's files
    of an earlier run that it does not rewrite are removed, so ``run.json`` describes the
    folder's files exactly.

    Raises :class:`OutputError` if the folder cannot take them (see
    :mod:`circdebt.io.folders`).
    """
    if not isinstance(out_dir, OutputFolder):
        with claim_output_folder(out_dir, inputs, list(payloads)) as claimed:
            return write_output_set(claimed, payloads)
    folder = out_dir
    names = sorted(payloads, key=lambda n: n == MANIFEST)
    folder.check(names)
    manifest = read_manifest(folder.path)
    if MANIFEST not in payloads and manifest is None:
        raise OutputError(f"{display_path(folder.path)}: holds no run.json of circdebt's to "
                          f"record these files in; choose another {folder.option}")
    digests = {n: sha256_bytes(_bytes(payloads[n])) for n in names if n != MANIFEST}
    proofs = recorded_files(manifest)
    kept: dict[str, str] = {}
    replacing: dict[str, str] = {}
    for name, known in proofs.items():  # earlier files of circdebt's, still as written
        path = folder.path / name
        if name == MANIFEST or not path.is_file() or path.is_symlink():
            continue
        digest = file_sha256(path)
        if digest in known:
            (replacing if name in digests else kept)[name] = digest
    files = dict(sorted((kept | digests).items()))
    final: dict[str, Any]
    provisional: dict[str, Any]
    if MANIFEST in payloads:  # a new run: its files only (earlier ones are removed below)
        final = json.loads(payloads[MANIFEST]) | {"files": dict(sorted(digests.items()))}
        provisional = {"circdebt_version": _version(), "status": "writing", "files": files,
                       "replacing": replacing}
    else:
        final = (manifest or {}) | {"files": files}
        final.pop("replacing", None)
        provisional = final | {"replacing": replacing}
    atomic_write_text(folder.path / MANIFEST, run_json_text(provisional))
    written = []
    for name in names:
        if name != MANIFEST:
            atomic_write_bytes(folder.path / name, _bytes(payloads[name]))
        written.append(folder.path / name)
    if MANIFEST in payloads:
        # files of circdebt's from an earlier run that this one does not rewrite (a table
        # in another format, an older chart) would sit under this run's run.json: remove
        # them, after the new files are in place (the provisional run.json still lists
        # them, so an interruption here leaves them provably circdebt's)
        for name in kept:
            (folder.path / name).unlink(missing_ok=True)
    atomic_write_text(folder.path / MANIFEST, run_json_text(final))
    return written


def write_own_file(folder: OutputFolder, name: str, payload: bytes) -> Path:
    """Write a file circdebt proves by its tag (a checkpoint) into a claimed folder."""
    if not payload.startswith(CHECKPOINT_TAG) or not name.endswith(CHECKPOINT_SUFFIX):
        raise ValueError(f"{name}: not a checkpoint circdebt can prove it wrote")
    folder.check([name])
    atomic_write_bytes(folder.path / name, payload)
    return folder.path / name


def append_own_file(folder: OutputFolder, name: str, payload: bytes) -> None:
    """Append ``payload`` to a tagged file circdebt wrote (a checkpoint), flushed to disk.

    An append cut short leaves a last line that does not parse; readers drop it."""
    path = folder.path / name
    if why_not_replaceable(folder.path, name, {}, folder.inputs) is not None or \
            not path.is_file():
        raise OutputError(f"{display_path(path)}: is no longer circdebt's checkpoint")
    with open(path, "ab") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())


def remove_own_file(folder: OutputFolder, name: str) -> None:
    """Delete ``name`` from a claimed folder if circdebt can prove it wrote it."""
    path = folder.path / name
    if path.is_file() and why_not_replaceable(folder.path, name, folder.proofs(),
                                              folder.inputs) is None:
        path.unlink()


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
