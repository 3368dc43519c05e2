"""Units: the conversion constants of the engine and the unit of every output column.

Working units inside the model (docs/model.md §0): energy in GWh, money in Rs bn,
prices in Rs/kWh (tariffs) or Rs/kW/month (capacity prices), capacity in MW, rates as
fractions per year. The constants below are the only place those units meet; the
engine multiplies by them instead of writing bare powers of ten.

Output columns carry their unit in their name (``_bn_pkr``, ``_gwh``, ``_pkr_per_kwh``,
``_pct``). The data dictionary ``data/variables.csv`` gives each recorded column its
unit, kind, fiscal-year aggregation and description; :func:`unit_of` reads it (and,
for columns built per creditor, class or KPI, the unit their name ends in), and
:func:`axis_label` turns a unit into the words a chart axis shows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from circdebt.data import package_text

#: GWh x Rs/kWh -> Rs bn (10^6 kWh x Rs = Rs 10^6 = 10^-3 Rs bn).
GWH_TIMES_PKR_PER_KWH_TO_BN = 1e-3
#: Rs bn / GWh -> Rs/kWh (the inverse of the above).
BN_PER_GWH_TO_PKR_PER_KWH = 1e3
#: MW x Rs/kW/month -> Rs bn per month (10^3 kW x Rs = 10^-6 Rs bn).
MW_TIMES_PKR_PER_KW_TO_BN = 1e-6
#: MWh in a GWh: MW x hours / this = GWh.
MWH_PER_GWH = 1e3
#: Percent in a whole: scenario files give percent, the model works in fractions.
PERCENT = 100.0
#: US cents in a dollar.
CENTS_PER_DOLLAR = 100.0


@dataclass(frozen=True)
class Variable:
    """One row of the data dictionary ``data/variables.csv``."""

    name: str
    unit: str
    kind: str  # label, count, stock, flow, price, rate, ratio, index
    aggregation: str  # how a fiscal year is formed: sum, last, mean, ratio, label, count
    description: str


@cache
def variables() -> dict[str, Variable]:
    """The data dictionary of output columns, by column name."""
    rows = csv.DictReader(package_text("variables.csv").splitlines())
    return {row["name"]: Variable(**row) for row in rows}


#: Unit by the end of a column name, longest first (columns outside the dictionary:
#: per creditor, class, KPI or history series).
SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_bn_pkr_per_year", "Rs bn/yr"), ("_avg_annual_bn_pkr", "Rs bn/yr"),
    ("_pkr_per_kwh", "Rs/kWh"), ("_usc_per_kwh", "USc/kWh"), ("_pct_gdp", "% of GDP"),
    ("_pkr_per_usd", "Rs/USD"), ("_bn_pkr", "Rs bn"), ("_bn_usd", "USD bn"),
    ("_gwh", "GWh"), ("_mw", "MW"), ("_pct", "%"),
)

#: The unit a series name contains, token by token (history series carry their unit
#: inside the name, e.g. ``fx_pkr_per_usd_avg``).
TOKEN_UNITS: dict[str, str] = {
    "_bn_pkr": "Rs bn",
    "_gwh": "GWh",
    "_pct": "%",
    "_pkr_per_kwh": "Rs/kWh",
    "_pkr_per_usd": "Rs/USD",
    "_mw": "MW",
}


def unit_in_name(name: str) -> str:
    """The unit named by the one token of :data:`TOKEN_UNITS` that ``name`` contains;
    ValueError if it contains none or several."""
    found = [unit for token, unit in TOKEN_UNITS.items() if token in name]
    if len(found) != 1:
        raise ValueError(f"series(={name!r}) must contain exactly one unit token "
                         f"of {sorted(TOKEN_UNITS)}")
    return found[0]


#: Units that are labels or pure numbers: no unit to show.
_NO_UNIT = frozenset({"YYYY-MM", "FYyyyy", "1", "months"})


def unit_of(column: str) -> str:
    """The unit of a result column, e.g. ``"Rs bn"``; ``""`` for labels and counts.

    ``<name>_delta`` has the unit of ``<name>``; ``<column>@FY2030`` that of the column.
    """
    base = column.partition("@")[0].removesuffix("_delta")
    known = variables().get(base)
    if known is not None:
        return "" if known.unit in _NO_UNIT else known.unit
    for suffix, unit in SUFFIX_UNITS:
        if base.endswith(suffix):
            return unit
    return ""


#: How a chart axis names a unit.
_AXIS_WORDS = {"Rs bn": "Rs billion", "USc/kWh": "US cents per kWh", "Rs/kWh": "Rs per kWh",
               "USD bn": "US$ billion"}


def axis_label(column: str) -> str:
    """The unit of an output column in the words a chart axis shows."""
    unit = unit_of(column)
    return _AXIS_WORDS.get(unit, unit)


def decimals(unit: str) -> int:
    """How many decimals a table shows for a value in ``unit``: two for prices and
    ratios, none for money and energy."""
    return 2 if unit in ("Rs/kWh", "USc/kWh", "% of GDP", "USD bn", "%", "Rs/USD") else 0
