"""Value types shared by every table of the scenario schema.

Conventions (docs/model.md §21): keys end in their unit (``_mw``, ``_pct``, ``_bn_pkr``,
``_pkr_per_kwh``, ``_usd_per_kw_month``). Percentages are given as percent (0-100) in
files and turned into fractions by the compile step.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from circdebt import keypaths
from circdebt.text import first_unsafe
from circdebt.timeline import FY_PATTERN, MONTH_PATTERN, YEARS_WORDS, is_fy, is_month

#: Largest magnitude of any number in a scenario: far beyond any real value in Rs bn, MW,
#: GWh or Rs/kWh, and small enough that no product of two inputs overflows.
HUGE = 1e12

Percent = Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0.0, le=HUGE, allow_inf_nan=False)]
Finite = Annotated[float, Field(ge=-HUGE, le=HUGE, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0.0, le=HUGE, allow_inf_nan=False)]
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
MonthlyProfile = Annotated[list[NonNegative], Field(min_length=12, max_length=12)]


class Strict(BaseModel):
    """Base for every table: unknown keys are refused, values are never coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def clip_to_bounds(scenario: BaseModel, key: str, low: float, high: float,
                   ) -> tuple[float, float]:
    """Clip a range to the schema's bounds for the key (a percent stays within 0..100)."""
    parent, _, name = key.rpartition(".")
    owner = keypaths.get(scenario, parent) if parent else scenario
    field = type(owner).model_fields.get(name) if hasattr(type(owner), "model_fields") else None
    for rule in getattr(field, "metadata", []) or []:
        for attr in ("ge", "gt"):
            if getattr(rule, attr, None) is not None:
                low = max(low, float(getattr(rule, attr)))
        for attr in ("le", "lt"):
            if getattr(rule, attr, None) is not None:
                high = min(high, float(getattr(rule, attr)))
    return low, high
