"""Problems with a scenario, in the words of its file: pydantic's errors turned into
:class:`~circdebt.errors.Problem` rows with key paths, and the checks of distributions.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from circdebt import keypaths
from circdebt.errors import Problem, ScenarioError, did_you_mean
from circdebt.scenario.distributions import Distribution, extract_distributions
from circdebt.scenario.fields import EXPLAINED, MONTH_FIELD_PATTERN, NAME_PATTERN
from circdebt.scenario.policies import POLICY_TYPES
from circdebt.scenario.ranges import MAX_MASS_OUTSIDE, key_bounds, mass_outside
from circdebt.scenario.schema import Scenario


def _model_fields_at(loc: Sequence[str | int]) -> list[str] | None:
    """Field names of the schema table at ``loc`` (for "did you mean")."""
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _innermost_model(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return None


def _innermost_model(annotation: Any) -> Any:
    """The BaseModel class inside ``list[X]``, ``X | None``, ``Annotated[...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _innermost_model(arg)
        if found is not None:
            return found
    return None


_UNION_TAGS = {"number", "table"}
_PATTERN_WORDS = {
    MONTH_FIELD_PATTERN: "a month written 'YYYY-MM'",
    NAME_PATTERN: "a name of letters, digits, '_' or '-' (at most 64)",
}


def format_loc(loc: Sequence[str | int]) -> str:
    """``('supply', 'plants', 3, 'capacity_mw')`` -> ``supply.plants[3].capacity_mw``
    (pydantic's union tags left out)."""
    return keypaths.join(p if isinstance(p, int) else str(p) for p in loc
                         if p not in _UNION_TAGS)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _policy_problem(err: Any, shown: str) -> Problem | None:
    """Policy blocks: name the valid types, or the parameters the type takes."""
    loc = err["loc"]
    if len(loc) < 2 or loc[0] != "policies":
        return None
    key_path = format_loc(loc[:2])
    if err["type"] == "union_tag_invalid":
        tag = str(err.get("ctx", {}).get("tag", ""))
        return Problem(shown, f"{key_path}.type",
                       "a policy type, one of: " + ", ".join(POLICY_TYPES), repr(tag),
                       did_you_mean(tag, POLICY_TYPES))
    if err["type"] == "union_tag_not_found":
        return Problem(shown, f"{key_path}.type",
                       "a 'type' key naming the policy, one of: " + ", ".join(POLICY_TYPES))
    if err["type"] == "extra_forbidden" and len(loc) == 4 and loc[2] in POLICY_TYPES:
        params = [f for f in POLICY_TYPES[loc[2]].model_fields if f != "type"]
        return Problem(shown, f"{key_path}.{loc[3]}",
                       f"a parameter of {loc[2]}; it takes: " + ", ".join(params), "",
                       did_you_mean(str(loc[3]), params))
    return None


#: pydantic's errors that say a value is of the wrong type (not out of range).
_TYPE_ERRORS = ("int_type", "int_from_float", "bool_type", "string_type", "literal_error",
                "dict_type", "list_type", "model_type", "model_attributes_type", "enum")


def problems_from_validation(exc: ValidationError, shown: str,
                             inline: Collection[str] = ()) -> list[Problem]:
    """Turn pydantic's errors into :class:`Problem` rows with key paths.

    ``inline``: key paths whose value was a distribution table, replaced by its central
    value (:func:`pull_distributions`). An error there is about that distribution: a key
    that takes no decimal number cannot carry one (whatever the type error says), and a
    central value out of range is named as such. Everywhere else each error is the
    schema's own, about the value the user gave.
    """
    problems: list[Problem] = []
    for err in exc.errors():
        policy_problem = _policy_problem(err, shown)
        if policy_problem is not None:
            problems.append(policy_problem)
            continue
        loc = [p for i, p in enumerate(err["loc"]) if p not in _UNION_TAGS
               and not (i == 2 and err["loc"][0] == "policies")]
        key_path = format_loc(loc)
        kind = err["type"]
        if kind == "extra_forbidden":
            known = _model_fields_at(loc[:-1]) or []
            problems.append(
                Problem(shown, key_path, "no such key in the schema", "",
                        did_you_mean(str(loc[-1]), known))
            )
        elif kind == "missing":
            problems.append(Problem(shown, key_path, "a required key, missing"))
        elif kind == EXPLAINED:  # the validator said itself what it found and what to write
            ctx = err.get("ctx", {})
            problems.append(Problem(shown, key_path, err["msg"], str(ctx.get("found", "")),
                                    str(ctx.get("suggestion", ""))))
        elif key_path in inline and kind in _TYPE_ERRORS:
            problems.append(Problem(shown, key_path, "a decimal number to carry a distribution "
                                    "(this setting takes a whole number, a flag or text)",
                                    "a distribution"))
        elif key_path in inline:
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(shown, key_path, msg, f"{_short(err.get('input'))}, the "
                                    "central value of its distribution"))
        else:
            msg = _PATTERN_WORDS.get(str(err.get("ctx", {}).get("pattern")),
                                     err["msg"].removeprefix("Value error, "))
            problems.append(Problem(shown, key_path, msg, _short(err.get("input"))))
    return problems


def pull_distributions(data: Mapping[str, Any], source: str
                       ) -> tuple[dict[str, Any], list[Problem], set[str]]:
    """Move inline ``{dist = ...}`` tables into ``uncertainty``, leaving central values.

    Returns (the data, the problems of the distributions, the key paths of the inline
    distributions whose central value now stands in the data)."""
    body = {k: v for k, v in data.items() if k != "uncertainty"}
    body, found, refused = extract_distributions(body)
    explicit = data.get("uncertainty", {})
    problems: list[Problem] = [
        Problem(source, key or "dist", "a distribution under a plain key (letters, digits, "
                "'_' and '-' only) inside the scenario") for key in refused]
    if problems:  # the rest of the file cannot be read around them
        raise ScenarioError(problems)
    if not isinstance(explicit, Mapping):
        return dict(body), [Problem(source, "uncertainty",
                                    "a table of key path = distribution")], set()
    table: dict[str, Any] = dict(explicit)
    for key, raw in found.items():
        try:
            dist = Distribution.model_validate(raw)
        except ValidationError as exc:
            problems += [Problem(source, f"{key}.{format_loc(e['loc'])}".rstrip("."),
                                 e["msg"].removeprefix("Value error, "), _short(e.get("input")))
                         for e in exc.errors()]
            keypaths.set_in_data(body, key, 0.0)
            continue
        keypaths.set_in_data(body, key, dist.central)
        table[key] = raw
    if table:
        body["uncertainty"] = table
    return dict(body), problems, set(found)


def check_uncertain_keys(scenario: Scenario, source: str) -> list[Problem]:
    """Each uncertain key path names a decimal number of the scenario."""
    problems = []
    for key in scenario.uncertainty:
        if key.startswith(("policies", "targets", "uncertainty", "sez.benchmarks")):
            problems.append(Problem(source, key, "a scenario input; policy parameters, targets "
                                    "and benchmarks cannot carry distributions (compare "
                                    "scenarios instead)"))
            continue
        if key.endswith("]"):
            problems.append(Problem(source, key, "a single number; one element of a list "
                                    "(a profile) cannot carry a distribution"))
            continue
        try:
            value = keypaths.get(scenario, key)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError):
            problems.append(Problem(source, f"uncertainty.{key}",
                                    "the key path of a number in this scenario", repr(key)))
            continue
        if isinstance(value, bool) or not isinstance(value, float):
            problems.append(Problem(source, key, "a decimal number to carry a distribution "
                                    "(integers, flags, text and tables cannot)", repr(value)))
            continue
        outside = mass_outside(scenario, key)
        if outside > MAX_MASS_OUTSIDE:
            low, high = key_bounds(scenario, key)
            problems.append(Problem(
                source, key, f"a distribution with at most {MAX_MASS_OUTSIDE:.0%} of its "
                f"mass outside the key's range [{low:g}, {high:g}] (draws there are redrawn "
                "inside it)", f"{outside:.1%} outside"))
    return problems

