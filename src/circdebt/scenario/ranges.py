"""What values each scenario key may take, read from the schema (docs/model.md §21).

The schema states every key's range once: ``Field`` bounds on numbers, a
:class:`~circdebt.scenario.fields.Range` on series, and a
:class:`~circdebt.scenario.fields.NotAFraction` mark on percent shares. This module
reads those rules back: the bounds at a key path (to truncate distributions and clip
analysis ranges), and every marked field of a scenario with its key path (for the
checks of :mod:`circdebt.scenario.consistency` and of the compiled horizon).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from circdebt import keypaths
from circdebt.keypaths import Part
from circdebt.scenario.fields import NotAFraction, Range
from circdebt.scenario.series import SeriesSpec

INF = float("inf")


def _rules(annotation: Any, metadata: list[Any]) -> list[Any]:
    """The constraint objects of a field: its own metadata and, for ``X | None``, the
    metadata of the annotated member."""
    rules = list(metadata) + list(getattr(annotation, "__metadata__", ()))
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for member in typing.get_args(annotation):
            rules += list(getattr(member, "__metadata__", ()))
    flat: list[Any] = []
    for rule in rules:
        flat += rule.metadata if isinstance(rule, FieldInfo) else [rule]
    return flat


def _item_annotation(annotation: Any) -> Any:
    """The item type of a ``list[...]`` field (through ``Annotated`` and ``| None``)."""
    for candidate in (annotation, *typing.get_args(annotation)):
        inner = typing.get_args(candidate)[0] if hasattr(candidate, "__metadata__") \
            else candidate
        if typing.get_origin(inner) is list:
            return typing.get_args(inner)[0]
    return None


def _bounds(rules: list[Any]) -> tuple[float, float]:
    low, high = -INF, INF
    for rule in rules:
        if isinstance(rule, Range):
            low, high = max(low, rule.low), min(high, rule.high)
        for attr in ("ge", "gt"):
            if getattr(rule, attr, None) is not None:
                low = max(low, float(getattr(rule, attr)))
        for attr in ("le", "lt"):
            if getattr(rule, attr, None) is not None:
                high = min(high, float(getattr(rule, attr)))
    return low, high


def field_rules(model: type[BaseModel], name: str) -> list[Any]:
    """Every constraint object on a field of a table."""
    field = model.model_fields.get(name)
    return [] if field is None else _rules(field.annotation, field.metadata)


def field_bounds(model: type[BaseModel], name: str) -> tuple[float, float]:
    """[low, high] a field allows (-inf, inf where the schema sets no bound)."""
    return _bounds(field_rules(model, name))


def key_rules(scenario: BaseModel, key: str) -> list[Any]:
    """The constraint objects on the value at a key path: its field's; a value inside a
    series table (``initial``, ``schedule.FY2030``) takes the series field's, an item of
    a list its field's and its items' ([] where no field is found)."""
    parts = keypaths.split(key)
    owner: Any = scenario
    for i, part in enumerate(parts):
        if not (isinstance(owner, BaseModel) and isinstance(part, str)):
            owner = keypaths.get(owner, [part])
            continue
        rules = field_rules(type(owner), part)
        if i == len(parts) - 1:
            return rules
        node = keypaths.get(owner, [part])
        if isinstance(node, SeriesSpec):
            return rules
        if isinstance(node, list) and i == len(parts) - 2 and isinstance(parts[-1], int):
            item = _item_annotation(type(owner).model_fields[part].annotation)
            return rules + ([] if item is None else _rules(item, []))
        owner = node
    return []


def key_bounds(scenario: BaseModel, key: str) -> tuple[float, float]:
    """[low, high] the value at a key path may take (-inf, inf where none is set)."""
    return _bounds(key_rules(scenario, key))


def clip_to_bounds(scenario: BaseModel, key: str, low: float, high: float,
                   ) -> tuple[float, float]:
    """Clip a range to the key's bounds (a percent stays within 0..100)."""
    key_low, key_high = key_bounds(scenario, key)
    return max(low, key_low), min(high, key_high)


def walk(node: BaseModel, parts: tuple[Part, ...] = ()
         ) -> Iterator[tuple[tuple[Part, ...], Any, list[Any]]]:
    """Every field of a scenario, depth first: (key path parts, value, constraint
    objects). Tables inside lists and name-keyed tables are walked too."""
    for name in type(node).model_fields:
        value = getattr(node, name)
        here = (*parts, name)
        yield here, value, field_rules(type(node), name)
        children: list[tuple[tuple[Part, ...], Any]] = []
        if isinstance(value, BaseModel):
            children = [(here, value)]
        elif isinstance(value, list):
            children = [((*here, i), v) for i, v in enumerate(value)]
        elif isinstance(value, dict):
            children = [((*here, str(k)), v) for k, v in value.items()]
        for child_parts, child in children:
            if isinstance(child, BaseModel) and not isinstance(child, SeriesSpec):
                yield from walk(child, child_parts)


def marked(scenario: BaseModel, kind: type) -> Iterator[tuple[str, Any, Any]]:
    """(key path, value, mark) of every field carrying a mark of ``kind`` (such as
    :class:`Range` or :class:`NotAFraction`), set or not."""
    for parts, value, rules in walk(scenario):
        for rule in rules:
            if isinstance(rule, kind):
                yield keypaths.join(parts), value, rule


def series_values(spec: Any) -> list[tuple[str, float]]:
    """The numbers a series is written with: (suffix of the key path, value)."""
    if spec is None:
        return []
    if not isinstance(spec, SeriesSpec):
        return [("", float(spec))]
    values = [] if spec.initial is None else [(".initial", float(spec.initial))]
    return values + [(f".schedule.{a}", float(v)) for a, v in (spec.schedule or {}).items()]



#: A distribution may put at most this share of its mass outside its key's range; it is
#: truncated there (docs/model.md §21). More would mean the distribution describes
#: values the key cannot take.
MAX_MASS_OUTSIDE = 0.10


def mass_outside(scenario: BaseModel, key: str) -> float:
    """The share of the distribution on ``key`` that lies outside the key's range (and
    is redrawn inside it by truncation). 0 for a key without a distribution."""
    dist = getattr(scenario, "uncertainty", {}).get(key)
    return 0.0 if dist is None else dist.mass_outside(*key_bounds(scenario, key))


def truncated_shares(scenario: BaseModel) -> dict[str, float]:
    """{uncertain key path: percent of its distribution truncated}, for every key whose
    distribution reaches outside its range by at least a millionth (what a Monte Carlo
    run reports, rounded to 1e-4 percent)."""
    shares = {key: 100.0 * mass_outside(scenario, key)
              for key in getattr(scenario, "uncertainty", {})}
    return {key: round(share, 4) for key, share in shares.items() if share >= 1e-4}


def fraction_hint(value: float) -> str:
    """What a fraction typed for a percent gets told (docs/model.md §21)."""
    return (f"did you mean {value * 100:g}? percent keys take percent, not fractions "
            f"(as written, {value:g} means {value:g}%)")


def value_problem(scenario: BaseModel, key: str, value: float) -> str | None:
    """Why ``value`` cannot be set at ``key`` (outside its range, or a fraction typed for
    a percent on a share key), or None. For values set outside a scenario file: sweep
    grids and sensitivity ranges (docs/model.md §21)."""
    if key.startswith("policies"):
        return ("a scenario input; policy parameters cannot be swept or varied (compare "
                "scenarios instead)")
    low, high = key_bounds(scenario, key)
    if not low <= value <= high:
        return f"a value in [{low:g}, {high:g}] (found {value:g})"
    for mark in key_rules(scenario, key):
        if isinstance(mark, Range) and not bool(mark.holds(value)):
            return f"{mark.text()} (found {value:g})"
        if isinstance(mark, NotAFraction) and 0 < value <= mark.at_most:
            return f"a percent (0-100) (found {value:g}); {fraction_hint(value)}"
    return None
