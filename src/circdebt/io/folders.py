"""Output folders: which files circdebt may replace, and one command at a time in each.

The rule, for every command that writes (one authority, :func:`claim_output_folder`):
circdebt replaces or deletes a file in an output folder only if it can prove it wrote
that file:

- ``run.json`` itself, when circdebt wrote it (it holds ``circdebt_version``);
- a file the folder's ``run.json`` lists under ``files`` with the SHA-256 it had when
  circdebt wrote it, and that still has that content (a file the user has changed since
  is theirs);
- a checkpoint (``*.checkpoint``) that starts with circdebt's format tag, and the lock
  file ``.circdebt.lock`` holding exactly circdebt's lock tag.

An input of the run is never replaced. Anything else in the way is refused with an
:class:`~circdebt.errors.OutputError` (exit 2) naming the file, before any work and
again just before writing. While a command runs, the folder is locked (an OS-level
advisory lock, released when the process ends, however it ends), so a second command
into the same folder is refused at once.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from circdebt.errors import OutputError
from circdebt.io.paths import display_path

#: The folder's record of what circdebt wrote (and the run's metadata).
MANIFEST = "run.json"
#: The lock file held while a command runs (removed when it ends).
LOCK_NAME = ".circdebt.lock"
#: The exact content of circdebt's lock file: what proves a left-over one is circdebt's.
LOCK_TAG = b"circdebt output-folder lock: a circdebt command is writing this folder\n"
#: The first bytes of every checkpoint circdebt writes (``*.checkpoint``).
CHECKPOINT_TAG = b"circdebt checkpoint\n"
CHECKPOINT_SUFFIX = ".checkpoint"
#: The files a run writes, in the order they are written (``run.json`` last: it marks
#: the folder as circdebt's own).
OUTPUT_FILES = ("monthly.csv", "annual.csv", "scenario.resolved.toml", "run.json")
#: The longest default folder name; longer ones are cut and given a hash of the names.
MAX_DEFAULT_NAME = 120


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The folder's ``run.json`` if circdebt wrote it, else ``None``."""
    path = Path(out_dir) / MANIFEST
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 << 20:
            return None
        meta = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and "circdebt_version" in meta else None


def is_circdebt_output(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds an earlier circdebt output (a ``run.json`` circdebt wrote)."""
    return read_manifest(Path(out_dir)) is not None


def recorded_files(manifest: Mapping[str, Any] | None) -> dict[str, set[str]]:
    """{name: the SHA-256 digests circdebt wrote under that name} from a manifest.

    ``files`` maps names to digests; ``replacing`` (in a ``run.json`` left by an
    interrupted write) maps names to the digests of the files being replaced. A list of
    bare names (circdebt 0.2.0) proves nothing.
    """
    found: dict[str, set[str]] = {}
    if manifest is None:
        return found
    for key in ("files", "replacing"):
        entries = manifest.get(key)
        if isinstance(entries, dict):
            for name, digest in entries.items():
                if isinstance(name, str) and isinstance(digest, str) and \
                        name == Path(name).name and name not in ("", ".", ".."):
                    found.setdefault(name, set()).add(digest)
    return found


def _head(path: Path, n: int) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def why_not_replaceable(out_dir: Path, name: str, proofs: Mapping[str, set[str]],
                        inputs: Iterable[Path] = ()) -> str | None:
    """Why circdebt may not replace (or delete) ``out_dir/name``; ``None`` if it may."""
    path = out_dir / name
    if path.resolve() in {Path(p).resolve() for p in inputs}:
        return "input"
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_symlink() or not path.is_file():
        return "not a regular file"
    if name == MANIFEST:
        return None if read_manifest(out_dir) is not None else "foreign"
    if name == LOCK_NAME:
        return None if _head(path, len(LOCK_TAG) + 1) == LOCK_TAG else "foreign"
    if name.lower().endswith(CHECKPOINT_SUFFIX):
        return None if _head(path, len(CHECKPOINT_TAG)) == CHECKPOINT_TAG else "foreign"
    if file_sha256(path) in proofs.get(name, ()):
        return None
    return "foreign"


def _matches(name: str, patterns: Sequence[str]) -> bool:
    low = name.lower()  # case-insensitive: on some file systems Annual.CSV is annual.csv
    return any(fnmatch.fnmatchcase(low, p.lower()) for p in patterns)


def check_files(out_dir: Path, names: Iterable[str], inputs: Iterable[Path] = (),
                patterns: Sequence[str] = (), option: str = "--out") -> bool:
    """Apply the rule to ``names`` and to every file in ``out_dir`` that matches one of
    ``patterns``. Returns whether any of them exists (an earlier output to replace).

    Raises :class:`OutputError` naming every file in the way.
    """
    out_dir = Path(out_dir)
    shown = display_path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{shown}: the output folder is a file; choose another {option}")
    inputs = [Path(p).resolve() for p in inputs]
    candidates = dict.fromkeys(names)
    if out_dir.is_dir() and patterns:
        candidates |= dict.fromkeys(p.name for p in out_dir.iterdir()  # files it may write
                                    if _matches(p.name, patterns) and not p.is_dir())
    for path in inputs:  # an input in the folder under a name circdebt may write
        if path.parent == out_dir.resolve() and (path.name in candidates
                                                 or _matches(path.name, patterns)):
            candidates[path.name] = None
    proofs = recorded_files(read_manifest(out_dir))
    foreign, existing = [], False
    for name in candidates:
        why = why_not_replaceable(out_dir, name, proofs, inputs)
        if why == "input":
            raise OutputError(
                f"{display_path(out_dir / name)}: is an input of this run and would be "
                f"overwritten by its output of that name; choose another {option}")
        if why is not None:
            foreign.append(name)
        elif (out_dir / name).exists() and name != LOCK_NAME:
            existing = True
    if foreign:
        raise OutputError(
            f"{shown}: holds {', '.join(sorted(foreign))}, which circdebt did not write (or "
            "which changed since it wrote them); circdebt never replaces a file it cannot "
            f"prove it wrote: choose another {option} or move those files")
    return existing


def check_output_folder(
    out_dir: Path, inputs: Iterable[Path] = (), names: Sequence[str] = (),
) -> bool:
    """Check that a run's outputs may be written into ``out_dir`` (without locking it).

    Returns ``True`` if the folder holds an earlier circdebt output that will be
    replaced, ``False`` if nothing will be.

    Raises
    ------
    OutputError
        If ``out_dir`` is a file, if an output would replace one of ``inputs``, or if it
        would replace a file circdebt cannot prove it wrote (module docstring).
    """
    return check_files(Path(out_dir), names or OUTPUT_FILES, inputs)


def default_folder(prefix: str, names: Sequence[str]) -> Path:
    """``out/<prefix>-<name1>-<name2>…-<hash>``: the default folder of a command on
    several scenarios. The hash (8 hex digits of SHA-256 of the full list of names) keeps
    two lists apart even when their joined names are cut or read alike."""
    digest = sha256_bytes("\n".join(names).encode())[:8]
    stem = f"{prefix}-{'-'.join(names)}"[:MAX_DEFAULT_NAME - 9].rstrip("-")
    return Path("out") / f"{stem}-{digest}"


# --------------------------------------------------------------------------- the claim


class OutputFolder:
    """An output folder claimed by one command: checked, created and locked.

    Made by :func:`claim_output_folder`; :func:`circdebt.io.write_output_set` and the
    checkpoint writer take it in place of a path.
    """

    def __init__(self, path: Path, inputs: Sequence[Path], patterns: Sequence[str],
                 option: str = "--out"):
        self.path = path
        self.option = option
        self.inputs = [Path(p).resolve() for p in inputs]
        self.patterns = tuple(patterns)
        #: Whether the folder held an earlier circdebt output when claimed.
        self.replaces_earlier = False

    def check(self, names: Iterable[str]) -> bool:
        """Apply the rule to ``names`` now (each must have been declared)."""
        names = list(names)
        undeclared = [n for n in names if not _matches(n, self.patterns)]
        if undeclared:
            raise RuntimeError(f"internal error: {', '.join(undeclared)} not declared when "
                               f"{display_path(self.path)} was claimed")
        return check_files(self.path, names, self.inputs, option=self.option)

    def proofs(self) -> dict[str, set[str]]:
        return recorded_files(read_manifest(self.path))


def _missing_parents(path: Path) -> list[Path]:
    """``path`` and its ancestors that do not exist yet, deepest first."""
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    return missing


def _place_lock_file(lock: Path) -> bool:
    """Put circdebt's lock file at ``lock`` unless one is there; return whether it was
    placed now. The tag is written before the file appears (a hard link), so no other
    command ever sees a lock file without it."""
    fd, tmp = tempfile.mkstemp(prefix=f"{LOCK_NAME}.", suffix=".tmp", dir=lock.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(LOCK_TAG)
        try:
            os.link(tmp, lock)
        except FileExistsError:
            return False
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)


@contextlib.contextmanager
def _folder_lock(out_dir: Path, option: str) -> Iterator[None]:
    """Hold ``out_dir``'s lock; refuse at once if another command holds it."""
    import filelock

    path = out_dir / LOCK_NAME
    _place_lock_file(path)
    lock = filelock.FileLock(path, timeout=0, fallback_to_soft=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise OutputError(
            f"{display_path(out_dir)}: folder in use by another circdebt run (it is writing "
            f"there); wait for it to finish or choose another {option}") from None
    except NotImplementedError:  # a file system without locks: go on unlocked
        yield
        return
    try:
        yield
    finally:
        try:
            if why_not_replaceable(out_dir, LOCK_NAME, {}) is None:
                with contextlib.suppress(OSError):  # Windows: removed after release
                    path.unlink()
        finally:
            lock.release()


@contextlib.contextmanager
def claim_output_folder(
    out_dir: str | os.PathLike[str], inputs: Iterable[Path] = (),
    may_write: Sequence[str] = (), option: str = "--out",
) -> Iterator[OutputFolder]:
    """Claim ``out_dir`` for a command that may write the files ``may_write`` (names or
    ``*`` patterns), before any work is done.

    Checks with the rule (module docstring) every file there that matches ``may_write``
    and the lock file, then creates the folder and locks it, and checks again. On the
    way out the lock is released and its file removed, and folders this claim created are
    removed again if they are still empty (a command that fails leaves nothing behind).

    Raises :class:`OutputError` if the folder may not be used, or if another circdebt
    command holds it.
    """
    out_dir = Path(out_dir)
    patterns = (*may_write, LOCK_NAME)
    folder = OutputFolder(out_dir, list(inputs), patterns, option)
    check_files(out_dir, [LOCK_NAME], folder.inputs, patterns, option)
    created = _missing_parents(out_dir.absolute())
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with _folder_lock(out_dir, option):
            folder.replaces_earlier = check_files(out_dir, [LOCK_NAME], folder.inputs,
                                                  patterns, option)
            yield folder
    finally:
        for path in created:  # deepest first; only empty folders go
            try:
                path.rmdir()
            except OSError:
                break

