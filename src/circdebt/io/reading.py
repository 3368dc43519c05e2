"""Reading scenario files: TOML, ``extends``, ``--set`` and validation.

``load_scenario(path, overrides)`` reads TOML, follows ``extends`` (tables merge key by
key, arrays replace whole), applies ``--set dotted.key=value`` overrides, checks the
result against the schema (:mod:`circdebt.scenario.schema`) and the cross-field rules
(:mod:`circdebt.scenario.consistency`), and raises one :class:`ScenarioError` listing
every problem.
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from circdebt import keypaths
from circdebt.engine.checks import horizon_problems
from circdebt.errors import Problem, ScenarioError
from circdebt.io.paths import display_path, path_problem
from circdebt.io.problems import (
    check_uncertain_keys,
    problems_from_validation,
    pull_distributions,
)
from circdebt.scenario.consistency import check_scenario
from circdebt.scenario.schema import Scenario

MAX_EXTENDS_DEPTH = 16
MAX_FILE_BYTES = 5_000_000


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file, turning every failure into a :class:`ScenarioError`."""
    shown = display_path(path)
    unusable = path_problem(path)
    if unusable is not None:
        raise ScenarioError([Problem(shown, "", unusable)])
    if not path.is_file():
        raise ScenarioError([Problem(shown, "", "scenario file not found")])
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            [Problem(shown, "", f"a scenario file of at most {MAX_FILE_BYTES} bytes", f"{size}")]
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(shown, "", "a readable file", exc.strerror or str(exc))]) \
            from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            [Problem(shown, "", "UTF-8 text", f"a non-UTF-8 byte at line {line}")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([Problem(shown, "", "valid TOML", str(exc))]) from None
    except RecursionError:
        raise ScenarioError([Problem(shown, "", "TOML nested less deeply", "too deep")]) from None
    deep = too_deep(data)
    if deep is not None:
        raise ScenarioError([Problem(shown, deep, f"tables and arrays nested at most "
                                     f"{MAX_NESTING} deep", "deeper")])
    return data


#: How deep tables and arrays may nest in a scenario (the schema needs about 6).
MAX_NESTING = 32


def too_deep(data: Any, limit: int = MAX_NESTING) -> str | None:
    """The key path where ``data`` nests deeper than ``limit``, or None (no recursion)."""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        node, depth, path = stack.pop()
        if depth > limit:
            return path[:80] + ("..." if len(path) > 80 else "")
        if isinstance(node, dict):
            stack.extend((v, depth + 1, f"{path}.{k}" if path else str(k))
                         for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(node))
    return None


def merge_tables(base: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Child over base: tables merge key by key, anything else (arrays too) replaces."""
    merged = copy.deepcopy(dict(base))
    for key, value in child.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_tables(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def drop_replaced_distributions(data: dict[str, Any], keys: Iterable[str]) -> None:
    """Remove the inherited distribution of each key a later layer (a child file or
    ``--set``) gives a value of its own: the value set is what the user asked for, in
    Monte Carlo runs too (a distribution it gives inline is put back by
    :func:`~circdebt.io.problems.pull_distributions`)."""
    table = data.get("uncertainty")
    if not isinstance(table, dict):
        return
    keys = list(keys)
    for uncertain in list(table):
        if any(k == uncertain or k.startswith(f"{uncertain}.") for k in keys):
            del table[uncertain]


def resolve_extends(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read ``path`` and everything it extends, merged; ``extends`` is removed.

    ``extends`` names another TOML file relative to the file that names it. Tables
    merge key by key and arrays replace whole, with one exception: a child's
    ``[[policies]]`` are appended to its parent's (a reform is the baseline plus
    measures), unless the child says ``inherit_policies = false``.
    """
    unusable = path_problem(path)
    if unusable is not None:
        raise ScenarioError([Problem(display_path(path), "", unusable)])
    path = path.resolve()
    shown = display_path(path)
    if path in _chain:
        cycle = " -> ".join(display_path(p) for p in (*_chain, path))
        raise ScenarioError([Problem(shown, "extends", "no cycle of extends", cycle)])
    if len(_chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            [Problem(shown, "extends", f"at most {MAX_EXTENDS_DEPTH} levels of extends")]
        )
    data = read_toml(path)
    parent = data.pop("extends", None)
    inherit = data.pop("inherit_policies", True)
    if not isinstance(inherit, bool):
        raise ScenarioError(
            [Problem(shown, "inherit_policies", "true or false", repr(inherit))])
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.endswith(".toml"):
        raise ScenarioError(
            [Problem(shown, "extends", "the path of a .toml file (a string)", repr(parent))]
        )
    unusable = path_problem(path.parent / parent)
    if unusable is not None:
        raise ScenarioError([Problem(shown, "extends", unusable, repr(parent)[:80])])
    if not _extends_allowed(path, parent, _chain[0] if _chain else path):
        raise ScenarioError([Problem(
            shown, "extends", "a path relative to this file, inside the scenario's project "
            "(its folder's parent, or the working folder); set CIRCDEBT_EXTENDS_ANYWHERE=1 "
            "to allow others", repr(parent))])
    parent_path = path.parent / parent
    if not parent_path.is_file():
        raise ScenarioError(
            [Problem(shown, "extends", "an existing scenario file", f"{parent!r}: not found")]
        )
    base = resolve_extends(parent_path, (*_chain, path))
    merged = merge_tables(base, data)
    own_uncertain = data.get("uncertainty")
    drop_replaced_distributions(merged, [k for k in keypaths.flatten(
        {k: v for k, v in data.items() if k != "uncertainty"})
        if not (isinstance(own_uncertain, Mapping) and k in own_uncertain)])
    inherited = base.get("policies", []) if inherit else []
    own = data.get("policies", [])
    touched = "policies" in base or "policies" in data
    if touched and isinstance(inherited, list) and isinstance(own, list):
        merged["policies"] = copy.deepcopy(inherited) + copy.deepcopy(own)
    return merged


def _extends_allowed(path: Path, parent: str, root: Path) -> bool:
    """Whether ``extends = parent`` in ``path`` stays inside the user's project.

    Allowed: relative paths whose real path (symbolic links followed) lies inside the
    parent of the top-level scenario's folder, or inside the working folder. A folder
    that is the root of a file system is no project: a scenario in ``/tmp`` keeps to
    ``/tmp``, and a command run from ``/`` does not open the whole disk. Absolute paths
    and escapes elsewhere need ``CIRCDEBT_EXTENDS_ANYWHERE=1`` (the user's say).
    """
    if os.environ.get("CIRCDEBT_EXTENDS_ANYWHERE") == "1":
        return True
    if Path(parent).is_absolute():
        return False
    target = (path.parent / parent).resolve()
    folder = root.resolve().parent
    project = folder.parent if not _is_root(folder.parent) else folder
    allowed = [base for base in (project, Path.cwd().resolve()) if not _is_root(base)]
    return any(target.is_relative_to(base) for base in allowed)


def _is_root(folder: Path) -> bool:
    """Whether ``folder`` is the root of a file system (``/``, ``C:\\``)."""
    return folder == folder.parent


#: How a TOML array, table or quoted string begins: a --set value starting so that is
#: not valid TOML is refused, not taken as a bare word.
_TOML_OPENERS = ("[", "{", '"', "'")


def parse_override(text: str) -> tuple[str, Any]:
    """``"a.b[2].c=VALUE"`` -> (key path, value). VALUE is TOML; a bare word is a string
    (but a value that opens an array, a table or a quoted string must be valid TOML)."""
    if "=" not in text:
        raise ScenarioError([Problem("--set", text, "KEY=VALUE, e.g. tariff.pass_through_pct=80")])
    key, _, value_text = text.partition("=")
    key = key.strip()
    if key.count(".") + key.count("[") > MAX_NESTING:
        raise ScenarioError([Problem("--set", key[:80], f"a key path at most {MAX_NESTING} "
                                     "levels deep")])
    try:
        value = tomllib.loads(f"v = {value_text.strip()}")["v"]
    except tomllib.TOMLDecodeError as exc:
        if value_text.strip().startswith(_TOML_OPENERS):  # meant as TOML, and broken
            reason = str(exc).replace("(at line 1, ", "(at ")
            raise ScenarioError([Problem("--set", key, "a valid TOML value, e.g. 80, "
                                         "\"2030-06\", [1, 2] or {dist = \"normal\", ...}",
                                         f"{value_text.strip()[:60]!r}: {reason}")]) from None
        value = value_text.strip()
    except RecursionError:
        raise ScenarioError([Problem("--set", key, "a value nested less deeply")]) from None
    if too_deep(value) is not None:
        raise ScenarioError([Problem("--set", key, f"a value nested at most {MAX_NESTING} deep")])
    return key, value


def apply_overrides(data: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``--set`` overrides to resolved scenario data (a copy is returned).

    Missing tables are created, so any key the schema knows can be set even if the base
    file does not have it; the schema check afterwards refuses keys it does not know.
    """
    if isinstance(overrides, str | bytes | Mapping) or not isinstance(overrides, Iterable):
        raise ScenarioError([Problem("overrides", "", "a list of 'KEY=VALUE' texts, e.g. "
                                     "['tariff.pass_through_pct=80'] (one text must be in a "
                                     "list too)", type(overrides).__name__)])
    overrides = list(overrides)
    for text in overrides:
        if not isinstance(text, str):
            raise ScenarioError([Problem("--set", "", "a 'KEY=VALUE' text",
                                         type(text).__name__)])
    data = copy.deepcopy(data)
    problems: list[Problem] = []
    for text in overrides:
        key, value = parse_override(text)
        try:
            parts = keypaths.split(key)
        except ValueError:
            problems.append(Problem("--set", key, "a dotted key path like plants[0].capacity_mw"))
            continue
        node: Any = data
        for i, part in enumerate(parts[:-1]):
            nxt = parts[i + 1]
            if isinstance(part, int):
                if not isinstance(node, list) or part >= len(node):
                    problems.append(Problem("--set", key, "an index inside the array", str(part)))
                    break
                node = node[part]
            else:
                if not isinstance(node, dict):
                    problems.append(Problem("--set", key, f"a table at {part!r}"))
                    break
                node = node.setdefault(part, [] if isinstance(nxt, int) else {})
        else:
            last = parts[-1]
            if isinstance(last, int):
                if isinstance(node, list) and last < len(node):
                    node[last] = value
                else:
                    problems.append(Problem("--set", key, "an index inside the array", str(last)))
            elif isinstance(node, dict):
                node[last] = value
            else:
                problems.append(Problem("--set", key, f"a table to hold {last!r}"))
    if problems:
        raise ScenarioError(problems)
    drop_replaced_distributions(data, [keypaths.join(keypaths.split(parse_override(text)[0]))
                                       for text in overrides])
    return data


def validate_scenario_data(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Schema check then cross-field checks; raise one :class:`ScenarioError` with all.

    Distribution tables (``{dist = ...}``) anywhere in the data are moved to
    ``uncertainty`` and replaced by their central value
    (:mod:`circdebt.scenario.distributions`).
    """
    if not isinstance(data, Mapping):
        raise ScenarioError([Problem(source, "", "a table of the scenario's keys and values "
                                     "(a mapping)", type(data).__name__)])
    data, dist_problems, inline = pull_distributions(data, source)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(dist_problems + problems_from_validation(exc, source, inline)) \
            from None
    if dist_problems:  # cross-field checks would see the placeholder values: skip them
        raise ScenarioError(dist_problems)
    problems = check_scenario(scenario, source)
    problems += check_uncertain_keys(scenario, source)
    if not problems:  # the horizon checks compile the levers: only a consistent scenario
        problems = horizon_problems(scenario, source)
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_scenario(path: str | os.PathLike[str], overrides: Iterable[str] = ()) -> Scenario:
    """Read, resolve, override and validate a scenario file.

    Parameters
    ----------
    path
        The scenario TOML file.
    overrides
        ``"dotted.key=value"`` strings, applied after ``extends`` (values are TOML).

    Raises
    ------
    ScenarioError
        With every problem found, each naming the file and key path.
    """
    try:
        path = Path(path)
    except TypeError:
        raise ScenarioError([Problem("<scenario>", "", "the path of a scenario file",
                                     type(path).__name__)]) from None
    data = resolve_extends(path)
    if isinstance(overrides, Iterable) and not isinstance(overrides, str | bytes | Mapping):
        overrides = list(overrides)  # read twice: applied, then named in problems
    data = apply_overrides(data, overrides)
    try:
        return validate_scenario_data(data, display_path(path))
    except ScenarioError as exc:  # a value the user gave with --set: say so, not the file
        raise ScenarioError([_from_override(p, overrides) for p in exc.problems]) from None


def _from_override(problem: Problem, overrides: Iterable[str]) -> Problem:
    """``problem`` located at the ``--set`` that gave its key, if one did."""
    for text in overrides:
        key = parse_override(text)[0].strip()
        if problem.key_path == key or problem.key_path.startswith((f"{key}.", f"{key}[")):
            return Problem(f"{problem.file} with --set {text}", problem.key_path,
                           problem.expected, problem.found, problem.suggestion)
    return problem


def scenario_files(path: str | os.PathLike[str]) -> list[Path]:
    """A scenario file and every file it ``extends``, nearest first (for protection)."""
    files: list[Path] = []
    current: Path | None = Path(path).resolve()
    while current is not None and current not in files and len(files) <= MAX_EXTENDS_DEPTH:
        files.append(current)
        try:
            parent = tomllib.loads(current.read_text("utf-8")).get("extends")
        except (OSError, ValueError):
            break
        current = (current.parent / parent).resolve() if isinstance(parent, str) else None
    return files

