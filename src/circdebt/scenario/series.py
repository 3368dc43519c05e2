"""A time-varying input: a number, a start value with a growth rate, or a schedule of
anchors (docs/model.md §3). :func:`circdebt.engine.series.series_path` turns one into
monthly values; the field holding it states its physical range
(:class:`~circdebt.scenario.fields.Range`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from circdebt.scenario.fields import Finite, Strict
from circdebt.timeline import is_fy, is_month


class SeriesSpec(Strict):
    """A monthly path given by a start value and a growth rate, or by a schedule.

    ``schedule`` maps anchors to values. An anchor is a month ``"YYYY-MM"`` or a fiscal
    year ``"FY2027"`` (anchored at the seventh month of that fiscal year: its January for
    a July-June year).
    Between anchors the value is interpolated linearly; before the first and after the
    last it is held flat. ``initial`` anchors at the start month. ``growth_pct_per_year``
    compounds monthly from ``initial`` and cannot be combined with a schedule.
    """

    initial: Finite | None = None
    growth_pct_per_year: (
        Annotated[float, Field(gt=-100.0, le=1000.0, allow_inf_nan=False)] | None
    ) = None
    schedule: dict[str, Finite] | None = None

    @field_validator("schedule")
    @classmethod
    def _anchors_are_dates(cls, schedule: dict[str, float] | None) -> dict[str, float] | None:
        if schedule is None:
            return None
        if not schedule:
            raise ValueError("schedule is empty; give at least one 'YYYY-MM' or 'FYyyyy' anchor")
        for anchor in schedule:
            if not (is_month(anchor) or is_fy(anchor)):
                raise ValueError(
                    f"schedule anchor {anchor!r} is not a month 'YYYY-MM' or a fiscal year 'FYyyyy'"
                )
        return schedule

    @model_validator(mode="after")
    def _one_form(self) -> SeriesSpec:
        if self.initial is None and self.schedule is None:
            raise ValueError(
                "give 'initial' (with an optional growth_pct_per_year) or a 'schedule'")
        if self.growth_pct_per_year is not None and self.schedule is not None:
            raise ValueError("give either growth_pct_per_year or a schedule, not both")
        if self.growth_pct_per_year is not None and self.initial is None:
            raise ValueError("growth_pct_per_year needs an 'initial' value to grow from")
        return self


def _series_kind(value: object) -> str:
    return "table" if isinstance(value, dict | SeriesSpec) else "number"


#: A series is a constant number or a :class:`SeriesSpec` table.
Series = Annotated[
    Annotated[Finite, Tag("number")] | Annotated[SeriesSpec, Tag("table")],
    Discriminator(_series_kind),
]
