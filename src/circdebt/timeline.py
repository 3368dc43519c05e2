"""Months and fiscal years: the one authority for both (docs/model.md §1).

A month is identified by its *month number* ``year * 12 + (month - 1)``, so that
differences of month numbers are numbers of months. A fiscal year is named after the
calendar year it ends in and starts in the scenario's ``time.fiscal_year_start_month``
(7 by default: Pakistan's FY2026 is July 2025 to June 2026; 1 gives calendar years, 4
years from April). Every fiscal-year label, parse and boundary in circdebt comes from
here, and so do the windows a target is set on: a fiscal year, a quarter or half of one,
or a month (:func:`window_months`).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

#: Longest horizon a scenario may ask for (100 years of months).
MAX_MONTHS = 1200

#: The month a fiscal year starts in unless a scenario says otherwise: July, as the
#: Government of Pakistan's fiscal year (Finance Division, Budget in Brief).
DEFAULT_FY_START_MONTH = 7

#: The years a month may lie in: a scenario's months, schedule anchors and fiscal-year
#: keys outside them are refused (a horizon in year 0 would label its years "FY1").
#: A fiscal year may end one year later (the last one of a horizon ending in 2200).
MIN_YEAR, MAX_YEAR = 1900, 2200
#: The years, in words, for messages.
YEARS_WORDS = f"a year from {MIN_YEAR} to {MAX_YEAR}"

#: A month written ``YYYY-MM`` (the whole text, nothing before or after).
MONTH_PATTERN = r"(\d{4})-(0[1-9]|1[0-2])"
#: A fiscal year written ``FYyyyy`` (the whole text).
FY_PATTERN = r"FY(\d{4})"

#: A fiscal-year quarter or half written ``FYyyyy-Qn`` or ``FYyyyy-Hn`` (the whole text).
FY_PART_PATTERN = r"FY(\d{4})-(Q[1-4]|H[12])"
#: The windows a target may be set on (:func:`window_months`), in words, for messages.
WINDOW_WORDS = ("a window: a fiscal year 'FY2026', a quarter 'FY2026-Q2', a half "
                "'FY2026-H1' or a month-end '2025-12'")

_MONTH = re.compile(MONTH_PATTERN)
_FY = re.compile(FY_PATTERN)
_FY_PART = re.compile(FY_PART_PATTERN)


def is_month(text: object) -> bool:
    """Whether ``text`` is exactly a month ``YYYY-MM`` (no spaces, no newline) of a year
    from :data:`MIN_YEAR` to :data:`MAX_YEAR`."""
    m = _MONTH.fullmatch(text) if isinstance(text, str) else None
    return m is not None and MIN_YEAR <= int(m.group(1)) <= MAX_YEAR


def is_fy(text: object) -> bool:
    """Whether ``text`` is exactly a fiscal-year label ``FYyyyy`` of a year from
    :data:`MIN_YEAR` to :data:`MAX_YEAR` + 1."""
    m = _FY.fullmatch(text) if isinstance(text, str) else None
    return m is not None and MIN_YEAR <= int(m.group(1)) <= MAX_YEAR + 1


def month_number(text: str) -> int:
    """``"2025-07"`` -> 2025 * 12 + 6. ValueError for anything but ``YYYY-MM``."""
    m = _MONTH.fullmatch(text)
    if m is None:
        raise ValueError(f"month(={text!r}) must look like '2025-07'")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def month_label(number: int) -> str:
    """Inverse of :func:`month_number`."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def fy_label(year: int) -> str:
    """The label of the fiscal year ending in calendar year ``year``: ``"FY2026"``."""
    return f"FY{int(year)}"


def parse_fy(text: str) -> int:
    """``"FY2026"`` -> 2026, the calendar year the fiscal year ends in.

    ValueError for anything but exactly ``FYyyyy``.
    """
    m = _FY.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"fiscal year(={text!r}) must look like 'FY2026'")
    return int(m.group(1))


def fiscal_year_of(number: int, fy_start_month: int = DEFAULT_FY_START_MONTH) -> int:
    """The fiscal year a month belongs to (named after the calendar year it ends in)."""
    year, month = number // 12, number % 12 + 1
    return year + 1 if fy_start_month > 1 and month >= fy_start_month else year


def fy_first_month(year: int, fy_start_month: int = DEFAULT_FY_START_MONTH) -> int:
    """Month number of the first month of the fiscal year ending in ``year``."""
    return year * 12 + fy_start_month - 1 - (12 if fy_start_month > 1 else 0)


def anchor_month(anchor: str, fy_start_month: int = DEFAULT_FY_START_MONTH) -> int:
    """Month number of a schedule anchor: a month ``"YYYY-MM"``, or a fiscal year
    ``"FYyyyy"`` anchored at its seventh month (the January of a July-June year)."""
    if is_fy(anchor):
        return fy_first_month(parse_fy(anchor), fy_start_month) + 6
    return month_number(anchor)


def is_window(text: object) -> bool:
    """Whether ``text`` is exactly a window :func:`window_months` reads: a fiscal year
    ``FYyyyy``, a quarter ``FYyyyy-Qn``, a half ``FYyyyy-Hn`` or a month ``YYYY-MM``."""
    if is_fy(text) or is_month(text):
        return True
    m = _FY_PART.fullmatch(text) if isinstance(text, str) else None
    return m is not None and is_fy(f"FY{m.group(1)}")


def window_months(text: str, fy_start_month: int = DEFAULT_FY_START_MONTH) -> tuple[int, int]:
    """Month numbers of the first and last month of a window (both inclusive).

    A fiscal year ``"FY2026"`` is its twelve months; a quarter ``"FY2026-Q2"`` the
    fiscal year's months 4-6 (October-December 2025 for a July year, April-June 2026 for
    a calendar year); a half ``"FY2026-H1"`` its months 1-6; a month ``"2025-12"`` that
    month alone (its month-end). ValueError for anything else.
    """
    if is_month(text):
        number = month_number(text)
        return number, number
    if is_fy(text):
        first = fy_first_month(parse_fy(text), fy_start_month)
        return first, first + 11
    m = _FY_PART.fullmatch(text) if isinstance(text, str) else None
    if m is None or not is_fy(f"FY{m.group(1)}"):
        raise ValueError(f"window(={text!r}) must be {WINDOW_WORDS.removeprefix('a window: ')}")
    length = 3 if m.group(2)[0] == "Q" else 6
    first = fy_first_month(int(m.group(1)), fy_start_month) + (int(m.group(2)[1]) - 1) * length
    return first, first + length - 1


@dataclass(frozen=True)
class Timeline:
    """The simulated months, start to end inclusive, and their fiscal years."""

    start: str
    end: str
    fy_start_month: int = DEFAULT_FY_START_MONTH

    @cached_property
    def numbers(self) -> np.ndarray:
        """Month numbers, shape (T,)."""
        return np.arange(month_number(self.start), month_number(self.end) + 1)

    @property
    def n_months(self) -> int:
        return len(self.numbers)

    @cached_property
    def calendar_month(self) -> np.ndarray:
        """1..12 for each simulated month, shape (T,)."""
        return self.numbers % 12 + 1

    @cached_property
    def fiscal_year(self) -> np.ndarray:
        """Fiscal year of each month (the calendar year it ends in), shape (T,)."""
        return np.array([fiscal_year_of(int(n), self.fy_start_month) for n in self.numbers])

    @cached_property
    def fy_labels(self) -> list[str]:
        """``"FYyyyy"`` of each month."""
        return [fy_label(y) for y in self.fiscal_year]

    @cached_property
    def fy_starts(self) -> np.ndarray:
        """Whether each month opens a fiscal year (the first simulated month does), (T,)."""
        fy = self.fiscal_year
        return np.concatenate([[True], fy[1:] != fy[:-1]]) if len(fy) else np.zeros(0, bool)

    @cached_property
    def fiscal_years(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The fiscal years of the horizon: (labels, index of first month, months in it)."""
        starts = np.flatnonzero(self.fy_starts)
        counts = np.diff([*starts, self.n_months])
        return [self.fy_labels[i] for i in starts], starts, counts

    @cached_property
    def hours(self) -> np.ndarray:
        """Hours in each month. [h], shape (T,)."""
        return np.array(
            [24.0 * calendar.monthrange(int(n) // 12, int(n) % 12 + 1)[1] for n in self.numbers]
        )

    @cached_property
    def labels(self) -> list[str]:
        """``"YYYY-MM"`` for each month."""
        return [month_label(int(n)) for n in self.numbers]

    def index_of(self, month: str) -> int:
        """Index of a month in the timeline; may lie outside 0..T-1."""
        return month_number(month) - month_number(self.start)

    def fy_index(self, fy: str) -> int:
        """Position of a fiscal year among :attr:`fiscal_years`; ValueError naming the
        horizon if it is outside."""
        labels = self.fiscal_years[0]
        if fy not in labels:
            raise ValueError(f"{fy} is outside the horizon ({labels[0]}..{labels[-1]})")
        return labels.index(fy)

    def window_span(self, window: str) -> tuple[int, int] | None:
        """Positions of the first and last month of a window (:func:`window_months`) in
        the timeline; None unless every month of it is simulated (a fiscal year the
        horizon cuts is partly outside it)."""
        first, last = window_months(window, self.fy_start_month)
        start = month_number(self.start)
        if first < start or last - start >= self.n_months:
            return None
        return first - start, last - start


def months_before(timeline: Timeline, dates: list[str | None]) -> np.ndarray:
    """(T, len(dates)) bool: month t is before each date (``None``: never ends)."""
    limit = np.array([month_number(d) if d else np.iinfo(np.int64).max for d in dates])
    return timeline.numbers[:, None] < limit[None, :]


def months_from(timeline: Timeline, dates: list[str | None]) -> np.ndarray:
    """(T, len(dates)) bool: month t is on or after each date (``None``: always)."""
    first = np.array([month_number(d) if d else np.iinfo(np.int64).min for d in dates])
    return timeline.numbers[:, None] >= first[None, :]
