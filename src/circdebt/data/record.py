"""Pakistan's published monthly and quarterly record, 2018–2026, with its sources.

``data/record.csv`` holds figures published for single months, quarters and tariff
years: NEPRA's monthly fuel references and notified fuel charge adjustments (FCA), the
actual fuel cost NEPRA verified, quarterly adjustments (QTA), the uniform tariffs of the
FY2026 and CY2026 determinations; month-end circular-debt stocks from June 2018 to
December 2025 with their split (payables to producers, GENCO payables to fuel
suppliers, debt parked in PHL) where published; circular-debt flows over months,
quarters, halves and the fiscal year to date; and the Power Division's cause lines for
parts of FY2024-FY2026. The FY-level history is :mod:`circdebt.data.history` (the
June stocks here repeat its stocks, so that the month-ends form one series).

Each row says how the model uses it (``use``): ``input`` figures set a scenario input
(``scenarios/baseline.toml`` cites them, and a test holds the two equal); ``check``
figures are kept aside and compared with the model's results (``docs/validation.md``
§8, ``tests/test_record.py``).

Conventions
-----------
* ``period`` is a month ``YYYY-MM``, a range of months ``YYYY-MM..YYYY-MM`` (first and
  last inclusive: ``2025-07..2025-11`` is July–November 2025, the fiscal year to date
  the Power Division reports for November), a quarter ``FYyyyy-Qn`` (Q1 =
  July–September), a half ``FYyyyy-H1`` (July–December), a fiscal year ``FYyyyy`` or a
  calendar tariff year ``CYyyyy``. A stock is at the end of its (last) month; a flow is
  over all the period's months.
* Where sources disagree the row keeps one value and its ``note`` says ``CONFLICT:`` and
  gives the others. The Power Division reports "prior-year recovery" adjustments as
  positive amounts in prose; they are stored with the sign of its tables (negative:
  they reduce the debt).
* ``series`` names end in their unit (:func:`circdebt.units.unit_in_name`). FCA and
  fuel-cost figures are Rs per kWh as NEPRA notifies them; flows carry the Power
  Division's sign (positive adds to the debt).

This module only reads the packaged file: no network, no writes.
"""

from __future__ import annotations

import io

import pandas as pd

from circdebt.data import package_text

COLUMNS = ("period", "series", "value", "unit", "basis", "use", "source_title", "source_url",
           "note")
"""Columns of ``data/record.csv``, in file order."""

USES = ("input", "check")
"""How the model uses a figure: to set an input, or kept aside as a check."""


def load() -> pd.DataFrame:
    """The record as a tidy table, one row per (period, series), in file order.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``value`` is float in the row's ``unit``, the text
        columns are strings (``""`` where empty). A fresh copy on each call.
    """
    frame = pd.read_csv(
        io.StringIO(package_text("record.csv")),
        dtype={c: "string" for c in COLUMNS if c != "value"} | {"value": "float64"},
        keep_default_na=False,
    )
    return frame.loc[:, list(COLUMNS)]


def values(series: str, use: str | None = None) -> pd.Series:
    """The published values of one series, indexed by period (file order).

    Parameters
    ----------
    series : str
        A series name, e.g. ``"fca_notified_pkr_per_kwh"``.
    use : {"input", "check"}, optional
        Only the figures used this way.
    """
    frame = load()
    rows = frame[(frame["series"] == series) & ((frame["use"] == use) if use else True)]
    if rows.empty:
        raise KeyError(f"series(={series!r}, use={use!r}) not in the record")
    return pd.Series(rows["value"].to_numpy(float), index=pd.Index(rows["period"], name="period"),
                     name=series)


def month_end_stocks(month: str) -> dict[str, float | str] | None:
    """The published split of the circular-debt stock at the end of ``month``, as the
    keys of a scenario's ``[anchor]`` table (docs/model.md §2): producer payables, GENCO
    payables to fuel suppliers and PHL debt, each in Rs bn. GENCO payables are the stock
    less the other two where the record has no figure of its own. None if the record has
    no stock, payables and PHL figure for the month."""
    frame = load()
    rows = frame[frame["period"] == month]
    value = dict(zip(rows["series"], rows["value"].to_numpy(float), strict=True))
    title = dict(zip(rows["series"], rows["source_title"], strict=True))
    needed = ("cd_stock_bn_pkr", "payables_bn_pkr", "phl_debt_bn_pkr")
    if not set(needed) <= set(value):
        return None
    stock, payables, phl = (value[k] for k in needed)
    genco = value.get("genco_fuel_payables_bn_pkr", stock - payables - phl)
    titles = sorted({str(title[k]) for k in needed})
    return {"month": month, "payables_bn_pkr": payables, "genco_fuel_payables_bn_pkr": genco,
            "phl_debt_bn_pkr": phl, "source": "packaged record: " + "; ".join(titles)}
