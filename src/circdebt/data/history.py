"""Pakistan's power-sector history, FY2013–FY2025, as packaged data with its sources.

The dataset (``data/history.csv``) holds one published value per fiscal year and series:
the circular-debt (CD) stock and its split, the annual flow and its published causes,
capacity payments, volumes, distribution losses and recovery, subsidies, tariffs,
exchange and interest rates, and installed capacity. Every value carries the title and
URL of its source, a ``basis`` naming whose figure it is, and a note where sources
disagree. ``docs/history.md`` describes the coverage, the conflicts and the gaps.

Conventions
-----------
* ``fy`` is the fiscal year by the calendar year it ends in: ``FY2019`` is
  1 July 2018 – 30 June 2019. Stocks and rates are at 30 June unless the name or note
  says otherwise.
* Money is in Rs bn (``*_bn_pkr``). The flow causes (``flow_*``) carry the Power
  Division's sign: positive adds to the CD stock. ``flow_*`` causes sum (within
  rounding) to ``cd_flow_gross_bn_pkr``; adding ``flow_fiscal_payments_bn_pkr``
  (negative) gives ``cd_flow_bn_pkr``. ``fiscal_*`` series are components of
  ``flow_fiscal_payments_bn_pkr``, and ``lps_ipp_bn_pkr`` + ``phl_markup_bn_pkr`` of
  ``flow_lps_bn_pkr``; they must not be added to them.
* The series name ends in (or contains) its unit: see :data:`circdebt.units.TOKEN_UNITS`.

This module only reads the packaged file: no network, no writes.
"""

from __future__ import annotations

import io
import re

import pandas as pd

from circdebt.data import package_text
from circdebt.units import unit_in_name

HISTORY_FIRST_FY = "FY2013"
"""First fiscal year the dataset covers (1 July 2012 – 30 June 2013)."""

HISTORY_LAST_FY = "FY2025"
"""Last fiscal year the dataset covers (1 July 2024 – 30 June 2025)."""

COLUMNS = ("fy", "series", "value", "unit", "basis", "source_title", "source_url", "note")
"""Columns of ``data/history.csv``, in file order."""

BASES = (
    "World Bank series",
    "Power Division CD report",
    "Power Division",
    "NEPRA SIR",
    "NEPRA SIR / CD-report review",
    "NEPRA PER",
    "NEPRA tariff determination",
    "Ministry of Finance",
    "Federal budget",
    "Economic Survey",
    "SBP (as reported)",
    "Industry data (AHL/Topline)",
    "Press report",
    "DERIVED: arithmetic",
    "DERIVED: inferred",
)
"""Whose figure a value is. SIR = NEPRA State of Industry Report; PER = NEPRA Performance
Evaluation Report; CD report = the Power Division's monthly circular-debt report.
``DERIVED`` rows are arithmetic on (or an inference from) the cited source, shown in the
note."""

_FY = re.compile(r"^FY(\d{4})$")


def fy_year(fy: str) -> int:
    """The calendar year a fiscal year ends in: ``fy_year("FY2019") == 2019``.

    Parameters
    ----------
    fy : str
        A fiscal-year label of the form ``FYyyyy``.

    Returns
    -------
    int
        The year of the 30 June that closes the fiscal year. [year]
    """
    match = _FY.match(fy)
    if match is None:
        raise ValueError(f"fy(={fy!r}) must look like 'FY2019'")
    return int(match.group(1))


def fiscal_years() -> list[str]:
    """Every fiscal year from :data:`HISTORY_FIRST_FY` to :data:`HISTORY_LAST_FY`, in order."""
    first, last = fy_year(HISTORY_FIRST_FY), fy_year(HISTORY_LAST_FY)
    return [f"FY{y}" for y in range(first, last + 1)]


def unit_for(series: str) -> str:
    """The unit a series name implies, from the token it contains
    (:func:`circdebt.units.unit_in_name`), e.g. ``"Rs bn"`` for ``"cd_stock_bn_pkr"``."""
    return unit_in_name(series)


def _text() -> str:
    return package_text("history.csv")


def load() -> pd.DataFrame:
    """The history as a tidy table, one row per (fiscal year, series).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`. ``value`` is float in the row's ``unit`` (Rs bn, GWh,
        %, Rs/kWh, Rs/USD or MW); the text columns are strings, with ``""`` for an
        empty note. Rows are ordered by series, then fiscal year. A fresh copy on each
        call.
    """
    frame = pd.read_csv(
        io.StringIO(_text()),
        dtype={c: "string" for c in COLUMNS if c != "value"} | {"value": "float64"},
        keep_default_na=False,
    )
    return frame.loc[:, list(COLUMNS)]


def wide(series: str | list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
    """The history with one column per series and one row per fiscal year.

    Parameters
    ----------
    series : str or sequence of str, optional
        The series to keep, in this order. Default: every series, in file order.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``fy`` over every year from :data:`HISTORY_FIRST_FY` to
        :data:`HISTORY_LAST_FY`; NaN where no source gives a value. Each column is in
        the unit its name ends in.
    """
    tidy = load()
    known = list(dict.fromkeys(tidy["series"]))
    if series is None:
        names = known
    else:
        names = [series] if isinstance(series, str) else list(series)
        unknown = [s for s in names if s not in known]
        if unknown:
            raise KeyError(f"series(={unknown}) not in the history; known: {known}")
    table = tidy.pivot(index="fy", columns="series", values="value")
    table = table.reindex(index=fiscal_years(), columns=names)
    table.index.name = "fy"
    table.columns.name = None
    return table.astype("float64")


def get(series: str) -> pd.Series:
    """The published values of one series, indexed by fiscal year (years with a value only).

    Parameters
    ----------
    series : str
        A series name, e.g. ``"cd_stock_bn_pkr"``.

    Returns
    -------
    pandas.Series
        Float values in the unit the name ends in, indexed by ``fy`` in order.
    """
    column = wide(series)[series].dropna()
    column.name = series
    return column


def sources() -> pd.DataFrame:
    """The sources cited by the history, one row per (title, URL).

    Returns
    -------
    pandas.DataFrame
        Columns ``source_title``, ``source_url``, ``n_values`` (rows citing it),
        ``series`` (the series it supports, comma-separated) and ``fys`` (the fiscal
        years, comma-separated), ordered by ``n_values`` then title.
    """
    tidy = load()
    groups = tidy.groupby(["source_title", "source_url"], sort=False)
    table = groups.agg(
        n_values=("value", "size"),
        series=("series", lambda s: ", ".join(dict.fromkeys(s))),
        fys=("fy", lambda s: ", ".join(sorted(set(s)))),
    ).reset_index()
    table = table.sort_values(["n_values", "source_title"], ascending=[False, True])
    return table.reset_index(drop=True)
