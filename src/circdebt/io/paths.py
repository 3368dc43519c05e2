"""Paths as people see them in messages, and the check of every path people give.

A path given on the command line, to the API or in ``extends`` may be one no file can
have: it holds a NUL byte, it is longer than the system allows (``PATH_MAX``, or a
folder or file name longer than ``NAME_MAX``), or it runs into a loop of symbolic
links. :func:`path_problem` says so before the path is opened, and :func:`path_words`
recognises the same failures when the operating system reports them, so each is a
refusal of the user's input (exit 2) that shows the path safely, never a crash.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

#: Longest file or folder name, and longest path, the system takes. [bytes]
NAME_MAX, PATH_MAX = 255, 4096
#: Longest path shown in a message; longer ones are shortened in the middle.
SHOWN_MAX = 400

_NUL = "a path without a NUL byte"
_LOOP = "a path without a loop of symbolic links"
_LONG = (f"a path of at most {PATH_MAX} bytes, each folder or file name at most "
         f"{NAME_MAX} bytes")


def display_path(path: Path | str) -> str:
    """A path as the user would recognise it (relative to the working directory),
    shortened in the middle if very long. Never fails, whatever the path."""
    try:
        p = Path(path)
    except TypeError:
        return repr(path)
    try:
        shown = str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # elsewhere; NUL byte; too long; loop
        shown = str(p)
    if len(shown) > SHOWN_MAX:
        shown = f"{shown[:SHOWN_MAX // 2]}...{shown[-SHOWN_MAX // 2 + 3:]}"
    return shown


def path_problem(path: str | os.PathLike[str]) -> str | None:
    """Why no file can have ``path`` (in the words of a problem's "expected"), or None.

    Checked without opening anything but resolving symbolic links: a NUL byte, more than
    :data:`PATH_MAX` bytes, a name of more than :data:`NAME_MAX` bytes, a symlink loop.
    """
    try:
        text = os.fspath(path)
    except TypeError:
        return "a path (text)"
    if "\x00" in text:
        return _NUL
    try:
        raw = os.fsencode(text)
    except UnicodeError:
        return "a path the file system can encode"
    if len(raw) > PATH_MAX or any(len(name) > NAME_MAX for name in raw.split(b"/")):
        return _LONG
    try:
        Path(text).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        found = path_words(exc)
        return found[1] if found else None
    return None


_LOOP_MESSAGE = re.compile(r"^Symlink loop from '(.*)'$")


def path_words(exc: BaseException) -> tuple[str, str] | None:
    """(the path shown, what was expected) when ``exc`` says a path could not be used
    because of its shape, not its file: a NUL byte (ValueError), a name too long
    (ENAMETOOLONG), a symlink loop (ELOOP, or RuntimeError from ``Path.resolve``); else
    None. Permissions, a full disk and missing files are not of this kind."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENAMETOOLONG, errno.ELOOP):
        shown = display_path(exc.filename) if exc.filename is not None else "a path"
        return shown, _LONG if exc.errno == errno.ENAMETOOLONG else _LOOP
    if type(exc) is ValueError and "embedded null" in str(exc):
        return "a path", _NUL
    if type(exc) is RuntimeError:
        m = _LOOP_MESSAGE.match(str(exc))
        if m is not None:
            return display_path(m.group(1)), _LOOP
    return None
