"""Packaged data: the data dictionary of output columns, the published history and record.

``variables.csv``, ``history.csv`` and ``record.csv`` ship inside the package (read-only);
this is the one place that reads them. :mod:`circdebt.data.history` and
:mod:`circdebt.data.record` are their APIs.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def package_text(name: str) -> str:
    """The text of a packaged data file (``variables.csv``, ``history.csv``)."""
    return resources.files("circdebt.data").joinpath(name).read_text("utf-8")
