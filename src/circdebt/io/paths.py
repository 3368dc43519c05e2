"""Paths as people see them in messages."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path | str) -> str:
    """A path as the user would recognise it (relative to the working directory)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
