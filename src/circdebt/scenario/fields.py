"""Value types shared by every table of the scenario schema.

Conventions (docs/model.md §21): keys end in their unit (``_mw``, ``_pct``, ``_bn_pkr``,
``_pkr_per_kwh``, ``_usd_per_kw_month``). Percentages are given as percent (0-100) in
files and turned into fractions by the compile step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from circdebt.text import first_unsafe
from circdebt.timeline import FY_PATTERN, MONTH_PATTERN, YEARS_WORDS, is_fy, is_month

#: Largest magnitude of any number in a scenario: far beyond any real value in Rs bn, MW,
#: GWh or Rs/kWh, and small enough that no product of two inputs overflows.
HUGE = 1e12



@dataclass(frozen=True)
class Range:
    """The values a series key can physically take (docs/model.md §21).

    Pydantic ignores it; circdebt checks a series' values against it (its ``initial``
    and ``schedule`` values, and its monthly path over the whole horizon after
    policies), truncates distributions drawn for the key at it, and clips analysis
    ranges to it. ``what`` says in words what the value is.
    """

    low: float
    high: float
    what: str
    low_open: bool = False
    high_open: bool = False

    def holds(self, values: Any) -> Any:
        """Where ``values`` lie inside the range (elementwise, numpy-style)."""
        import numpy as np

        v = np.asarray(values, dtype=float)
        above = v > self.low if self.low_open else v >= self.low
        below = v < self.high if self.high_open else v <= self.high
        return above & below & np.isfinite(v)

    def text(self) -> str:
        """E.g. ``'a loss rate in percent, in [0, 100)'``."""
        return (f"{self.what}, in {'(' if self.low_open else '['}{self.low:g}, "
                f"{self.high:g}{')' if self.high_open else ']'}")


@dataclass(frozen=True)
class NotAFraction:
    """Marks a percent key whose values in (0, 1] are almost surely a fraction typed for
    a percent (0.9 for 90%): no real sector has a recovery, availability, capacity factor
    or loss rate of 1% or less (docs/model.md §21). Keys where small percents are real
    (growth rates, spreads, probabilities, speeds, taxes) do not carry it."""

    at_most: float = 1.0


NOT_A_FRACTION = NotAFraction()

#: Upper bounds of physical quantities no real power sector reaches (docs/model.md §21):
#: a plant group, zone or rooftop fleet above the world's whole fleet (about 9e6 MW), a
#: class's sales above the world's consumption (about 3e7 GWh a year), an amount above
#: 1e8 bn of the local currency (Pakistan's GDP is about 1e5 Rs bn), a price above 1e5
#: of the local currency per kWh (or 1e7 per kW a month, 1,000 US$ per kW a month, or
#: 1,000 US cents per kWh).
MAX_MW = 1e7
MAX_GWH_PER_YEAR = 1e8
MAX_BN = 1e8
MAX_PER_KWH = 1e5
MAX_PER_KW_MONTH = 1e7
MAX_USD_PER_KW_MONTH = 1e3
MAX_USC_PER_KWH = 1e3
#: Relative weights (seasonal and collection profiles): normalised, so only their ratios
#: matter; a ratio above a million is a typing slip.
MAX_WEIGHT = 1e6

#: The ranges of the series (docs/model.md §21). An exchange rate below a thousandth of
#: the local currency per US dollar belongs to no currency (the strongest, the Kuwaiti
#: dinar, is about 0.3); deflation beyond 50% or inflation beyond 1,000% a year is no
#: power sector's planning case; a loss rate is below all the units purchased.
FX_RANGE = Range(1e-3, 1e6, "a positive exchange rate in local currency per US dollar")
KIBOR_RANGE = Range(0.0, 100.0, "an interest rate in percent a year")
SOFR_RANGE = Range(0.0, 100.0, "a US dollar interest rate in percent a year")
INFLATION_RANGE = Range(-50.0, 1000.0, "inflation in percent a year")
GDP_RANGE = Range(1.0, 1e9, "a GDP in Rs bn a year")
FUEL_INDEX_RANGE = Range(1e-3, 1000.0, "a price index (1 = the start month)")
LOSS_RANGE = Range(0.0, 100.0, "a loss rate in percent of units purchased", high_open=True)

Percent = Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]
#: A percent share of a whole that no real sector has at 1% or less (see NotAFraction).
Share = Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False), NOT_A_FRACTION]
NonNegative = Annotated[float, Field(ge=0.0, le=HUGE, allow_inf_nan=False)]
Finite = Annotated[float, Field(ge=-HUGE, le=HUGE, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0.0, le=HUGE, allow_inf_nan=False)]
Mw = Annotated[float, Field(ge=0.0, le=MAX_MW, allow_inf_nan=False)]
GwhPerYear = Annotated[float, Field(ge=0.0, le=MAX_GWH_PER_YEAR, allow_inf_nan=False)]
#: An amount of money in billions of the local currency (Rs bn).
Bn = Annotated[float, Field(ge=0.0, le=MAX_BN, allow_inf_nan=False)]
#: A signed amount of money in billions of the local currency (an adjustment that may be a
#: refund).
SignedBn = Annotated[float, Field(ge=-MAX_BN, le=MAX_BN, allow_inf_nan=False)]
#: A price per kWh in the local currency (Rs/kWh); PositivePerKwh excludes zero.
PerKwh = Annotated[float, Field(ge=0.0, le=MAX_PER_KWH, allow_inf_nan=False)]
PositivePerKwh = Annotated[float, Field(gt=0.0, le=MAX_PER_KWH, allow_inf_nan=False)]
PerKwMonth = Annotated[float, Field(ge=0.0, le=MAX_PER_KW_MONTH, allow_inf_nan=False)]
UsdPerKwMonth = Annotated[float, Field(ge=0.0, le=MAX_USD_PER_KW_MONTH, allow_inf_nan=False)]
UscPerKwh = Annotated[float, Field(gt=0.0, le=MAX_USC_PER_KWH, allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0.0, le=MAX_WEIGHT, allow_inf_nan=False)]
NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$"
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=NAME_PATTERN)]
#: A month ``YYYY-MM`` (anchored: the whole value).
MONTH_FIELD_PATTERN = f"^{MONTH_PATTERN}$"


def _month_in_range(text: str) -> str:
    if not is_month(text):
        raise ValueError(f"a month 'YYYY-MM' of {YEARS_WORDS}")
    return text


def _fy_in_range(text: str) -> str:
    if not is_fy(text):
        raise ValueError(f"a fiscal year 'FYyyyy' of {YEARS_WORDS}")
    return text


def _plain_text(text: str) -> str:
    bad = first_unsafe(text)
    if bad is not None:
        raise ValueError("text without control characters or bidirectional overrides "
                         f"({bad[1]} at position {bad[0]})")
    return text


MonthStr = Annotated[str, Field(pattern=MONTH_FIELD_PATTERN), AfterValidator(_month_in_range)]
FyStr = Annotated[str, Field(pattern=f"^{FY_PATTERN}$"), AfterValidator(_fy_in_range)]
#: Free text (a description, a policy's or target's name, a source, a country): any
#: characters people write, tabs and line breaks included, but none that would act on a
#: terminal (:data:`circdebt.text.UNSAFE`: escape sequences, bells, carriage returns,
#: bidirectional overrides).
Text = Annotated[str, AfterValidator(_plain_text)]
#: Relative weights January..December (normalised by the step that reads them).
MonthlyProfile = Annotated[list[Weight], Field(min_length=12, max_length=12)]
#: A percent for each month January..December (a plant group's capacity factor).
MonthlyPercents = Annotated[list[Percent], Field(min_length=12, max_length=12),
                            NOT_A_FRACTION]


#: Percentage points added in each month January..December to an annual rate (a seasonal
#: profile: recovery lower on large summer bills, losses higher in summer). A swing of more
#: than 30 points in a month is no sector's seasonality.
def _points_not_fractions(points: list[float]) -> list[float]:
    largest = max(abs(v) for v in points)
    if 0.0 < largest < 0.5:
        raise ValueError("percentage points (e.g. -2.6 for 2.6 points below the annual "
                         f"rate); the largest here is {largest:g}, which looks like a fraction")
    return points


MonthlyPoints = Annotated[list[Annotated[float, Field(ge=-30.0, le=30.0, allow_inf_nan=False)]],
                          Field(min_length=12, max_length=12),
                          AfterValidator(_points_not_fractions)]


def _sums_to_100(shares: list[float]) -> list[float]:
    total = sum(shares)
    if abs(total - 100.0) > 1e-6:
        hint = "; fractions? give percents" if abs(total - 1.0) < 1e-6 else ""
        raise ValueError(f"twelve percents that sum to 100 (these sum to {total:g}{hint})")
    return shares


#: Shares of a fiscal year's amount released in each calendar month January..December,
#: in percent, summing to 100 (a budget's release calendar).
ReleaseShares = Annotated[list[Percent], Field(min_length=12, max_length=12),
                          AfterValidator(_sums_to_100)]

#: The pydantic error type of a refusal that says itself what was found and what to write
#: instead (:func:`refusal`); the loader shows them as the problem's own parts.
EXPLAINED = "circdebt_explained"


def refusal(expected: str, found: str = "", suggestion: str = "") -> PydanticCustomError:
    """A validation error reported as ``key: expected (found ...); suggestion``."""
    return PydanticCustomError(EXPLAINED, expected, {"found": found, "suggestion": suggestion})


class Strict(BaseModel):
    """Base for every table: unknown keys are refused, values are never coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
