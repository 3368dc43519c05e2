"""Months, fiscal years and anchors (MODEL.md §2).

Pakistan's fiscal year runs July to June: FY2026 is July 2025 to June 2026. A month is
identified by its *month number* ``year * 12 + (month - 1)``, so that differences of
month numbers are numbers of months.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from functools import cached_property

import numpy as np

#: Longest horizon a scenario may ask for (100 years of months).
MAX_MONTHS = 1200


def month_number(text: str) -> int:
    """``"2025-07"`` -> 2025 * 12 + 6."""
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def month_label(number: int) -> str:
    """Inverse of :func:`month_number`."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def fiscal_year_of(number: int, fy_start_month: int = 7) -> int:
    """The fiscal year a month belongs to (FY named after the calendar year it ends in)."""
    year, month = number // 12, number % 12 + 1
    return year + 1 if month >= fy_start_month else year


def anchor_month(anchor: str) -> int:
    """Month number of a schedule anchor: ``"YYYY-MM"`` or ``"FYyyyy"`` (its January)."""
    if anchor.startswith("FY"):
        return int(anchor[2:]) * 12  # January of the calendar year the FY ends in
    return month_number(anchor)


@dataclass(frozen=True)
class Timeline:
    """The simulated months, start to end inclusive."""

    start: str
    end: str

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
        """Fiscal year of each month, shape (T,)."""
        return np.array([fiscal_year_of(int(n)) for n in self.numbers])

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


def months_before(timeline: Timeline, dates: list[str | None]) -> np.ndarray:
    """(T, len(dates)) bool: month t is before each date (``None``: never ends)."""
    limit = np.array([month_number(d) if d else np.iinfo(np.int64).max for d in dates])
    return timeline.numbers[:, None] < limit[None, :]


def months_from(timeline: Timeline, dates: list[str | None]) -> np.ndarray:
    """(T, len(dates)) bool: month t is on or after each date (``None``: always)."""
    first = np.array([month_number(d) if d else np.iinfo(np.int64).min for d in dates])
    return timeline.numbers[:, None] >= first[None, :]
