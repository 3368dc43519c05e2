"""Reading scenario files and writing outputs: the only module that touches files.

Reading
    ``load_scenario(path, overrides)`` reads TOML, follows ``extends`` (tables merge key
    by key, arrays replace whole), applies ``--set dotted.key=value`` overrides, checks
    the result against the schema (:mod:`circdebt.scenario.schema`) and the cross-field rules
    (:mod:`circdebt.scenario.consistency`), and raises one :class:`ScenarioError` listing every
    problem.

Writing
    Every file is written to a temporary name in the target folder and renamed into
    place, so no reader ever sees a half-written file.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w
from pydantic import BaseModel, ValidationError

from circdebt.errors import CircdebtError, Problem, ScenarioError, did_you_mean, display_path
from circdebt.scenario import distributions as uncertainty_mod
from circdebt.scenario.consistency import check_scenario
from circdebt.scenario.schema import MONTH_RE, NAME_PATTERN, POLICY_TYPES, Distribution, Scenario

if TYPE_CHECKING:
    import pandas as pd

    from circdebt.results.tables import Result

MAX_EXTENDS_DEPTH = 16
MAX_FILE_BYTES = 5_000_000
_INDEX_RE = re.compile(r"^([A-Za-z0-9_\-]+)((?:\[\d+\])*)$")


# --------------------------------------------------------------------------- reading


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file, turning every failure into a :class:`ScenarioError`."""
    shown = display_path(path)
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


def resolve_extends(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read ``path`` and everything it extends, merged; ``extends`` is removed.

    ``extends`` names another TOML file relative to the file that names it. Tables
    merge key by key and arrays replace whole, with one exception: a child's
    ``[[policies]]`` are appended to its parent's (a reform is the baseline plus
    measures), unless the child says ``inherit_policies = false``.
    """
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
    inherited = base.get("policies", []) if inherit else []
    own = data.get("policies", [])
    touched = "policies" in base or "policies" in data
    if touched and isinstance(inherited, list) and isinstance(own, list):
        merged["policies"] = copy.deepcopy(inherited) + copy.deepcopy(own)
    return merged


def _extends_allowed(path: Path, parent: str, root: Path) -> bool:
    """Whether ``extends = parent`` in ``path`` stays inside the user's project.

    Allowed: relative paths that resolve inside the parent of the top-level scenario's
    folder, or inside the working folder. Absolute paths and escapes elsewhere need
    ``CIRCDEBT_EXTENDS_ANYWHERE=1`` (the user's say).
    """
    if os.environ.get("CIRCDEBT_EXTENDS_ANYWHERE") == "1":
        return True
    if Path(parent).is_absolute():
        return False
    target = (path.parent / parent).resolve()
    allowed = (root.resolve().parent.parent, Path.cwd().resolve())
    return any(target.is_relative_to(base) for base in allowed)


def _split_key_path(key_path: str) -> list[str | int]:
    parts: list[str | int] = []
    for segment in key_path.split("."):
        m = _INDEX_RE.match(segment)
        if not m:
            raise ValueError(segment)
        parts.append(m.group(1))
        parts.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return parts


def parse_override(text: str) -> tuple[str, Any]:
    """``"a.b[2].c=VALUE"`` -> (key path, value). VALUE is TOML; a bare word is a string."""
    if "=" not in text:
        raise ScenarioError([Problem("--set", text, "KEY=VALUE, e.g. tariff.pass_through_pct=80")])
    key, _, value_text = text.partition("=")
    key = key.strip()
    if key.count(".") + key.count("[") > MAX_NESTING:
        raise ScenarioError([Problem("--set", key[:80], f"a key path at most {MAX_NESTING} "
                                     "levels deep")])
    try:
        value = tomllib.loads(f"v = {value_text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
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
    data = copy.deepcopy(data)
    problems: list[Problem] = []
    for text in overrides:
        key, value = parse_override(text)
        try:
            parts = _split_key_path(key)
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
    return data


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
    MONTH_RE.pattern: "a month written 'YYYY-MM'",
    NAME_PATTERN: "a name of letters, digits, '_' or '-' (at most 64)",
}


def format_loc(loc: Sequence[str | int]) -> str:
    """``('supply', 'plants', 3, 'capacity_mw')`` -> ``supply.plants[3].capacity_mw``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in _UNION_TAGS:
            continue
        else:
            text += ("." if text else "") + str(part)
    return text


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


def problems_from_validation(exc: ValidationError, shown: str) -> list[Problem]:
    """Turn pydantic's errors into :class:`Problem` rows with key paths."""
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
        else:
            msg = _PATTERN_WORDS.get(str(err.get("ctx", {}).get("pattern")),
                                     err["msg"].removeprefix("Value error, "))
            problems.append(Problem(shown, key_path, msg, _short(err.get("input"))))
    return problems


def _pull_distributions(data: Mapping[str, Any], source: str) -> tuple[dict[str, Any],
                                                                       list[Problem]]:
    """Move inline ``{dist = ...}`` tables into ``uncertainty``, leaving central values."""
    body = {k: v for k, v in data.items() if k != "uncertainty"}
    body, found, refused = uncertainty_mod.extract_distributions(body)
    explicit = data.get("uncertainty", {})
    problems: list[Problem] = [
        Problem(source, key or "dist", "a distribution under a plain key (no '.', '[' or "
                "']' in its name) inside the scenario") for key in refused]
    if problems:  # the rest of the file cannot be read around them
        raise ScenarioError(problems)
    if not isinstance(explicit, Mapping):
        return dict(body), [Problem(source, "uncertainty", "a table of key path = distribution")]
    table: dict[str, Any] = dict(explicit)
    for key, raw in found.items():
        try:
            dist = Distribution.model_validate(raw)
        except ValidationError as exc:
            problems += [Problem(source, f"{key}.{format_loc(e['loc'])}".rstrip("."),
                                 e["msg"].removeprefix("Value error, "), _short(e.get("input")))
                         for e in exc.errors()]
            uncertainty_mod.set_in_data(body, key, 0.0)
            continue
        uncertainty_mod.set_in_data(body, key, dist.central)
        table[key] = raw
    if table:
        body["uncertainty"] = table
    return dict(body), problems


def _check_uncertain_keys(scenario: Scenario, source: str) -> list[Problem]:
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
            value = uncertainty_mod.get_in_model(scenario, key)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError):
            problems.append(Problem(source, f"uncertainty.{key}",
                                    "the key path of a number in this scenario", repr(key)))
            continue
        if isinstance(value, bool) or not isinstance(value, float):
            problems.append(Problem(source, key, "a decimal number to carry a distribution "
                                    "(integers, flags, text and tables cannot)", repr(value)))
    return problems


def validate_scenario_data(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Schema check then cross-field checks; raise one :class:`ScenarioError` with all.

    Distribution tables (``{dist = ...}``) anywhere in the data are moved to
    ``uncertainty`` and replaced by their central value (see :mod:`circdebt.scenario.distributions`).
    """
    data, dist_problems = _pull_distributions(data, source)
    carried = set(data.get("uncertainty", {}))
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        schema = problems_from_validation(exc, source)
        schema = [Problem(p.file, p.key_path, "a decimal number to carry a distribution (this "
                          "setting takes a whole number, a flag or text)", "a distribution")
                  if p.key_path in carried else p for p in schema]
        raise ScenarioError(dist_problems + schema) from None
    if dist_problems:  # cross-field checks would see the placeholder values: skip them
        raise ScenarioError(dist_problems)
    problems = check_scenario(scenario, source)
    problems += _check_uncertain_keys(scenario, source)
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
    path = Path(path)
    data = resolve_extends(path)
    data = apply_overrides(data, overrides)
    return validate_scenario_data(data, display_path(path))


# --------------------------------------------------------------------------- writing


def scenario_dict(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data (no ``None`` values, so it is valid TOML)."""
    return scenario.model_dump(mode="json", exclude_none=True)


def scenario_toml(scenario: Scenario) -> str:
    """The resolved scenario as TOML text."""
    return tomli_w.dumps(scenario_dict(scenario))


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario's canonical JSON."""
    canonical = json.dumps(scenario_dict(scenario), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~_umask())  # mkstemp gives 0600; match open()
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


# --------------------------------------------------------------------------- run outputs

#: The files a run writes, in the order they are written (``run.json`` last: it marks
#: the folder as circdebt's own).
OUTPUT_FILES = ("monthly.csv", "annual.csv", "scenario.resolved.toml", "run.json")


class OutputError(CircdebtError, ValueError):
    """An output folder cannot be used (it is a file, or holds files circdebt did not write)."""


def _version() -> str:
    from circdebt import __version__

    return __version__


def is_circdebt_output(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds an earlier circdebt run (a ``run.json`` circdebt wrote)."""
    try:
        meta = json.loads((Path(out_dir) / "run.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and "circdebt_version" in meta


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


def check_output_folder(
    out_dir: Path, inputs: Iterable[Path] = (), names: Sequence[str] = OUTPUT_FILES,
) -> bool:
    """Check that a run's outputs may be written into ``out_dir``.

    Returns ``True`` if the folder holds an earlier circdebt output that will be
    overwritten, ``False`` if nothing will be overwritten.

    Raises
    ------
    OutputError
        If ``out_dir`` is a file, if an output would replace one of ``inputs`` (a user's
        input file is never overwritten), or if it would replace files in a folder that
        is not circdebt's own.
    """
    out_dir = Path(out_dir)
    shown = display_path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{shown}: the output folder is a file; choose another --out")
    targets = {(out_dir / name).resolve(): name for name in names}
    for path in inputs:
        name = targets.get(Path(path).resolve())
        if name is not None:
            raise OutputError(
                f"{display_path(path)}: is an input of this run and would be overwritten by "
                f"its {name}; choose another --out"
            )
    clashes = [name for name in names if (out_dir / name).exists()]
    if not clashes:
        return False
    if is_circdebt_output(out_dir):
        return True
    raise OutputError(
        f"{shown}: holds {', '.join(clashes)} that circdebt did not write (no run.json of "
        "its own); choose another --out or move those files"
    )


def _jsonable(value: Any) -> Any:
    """Plain JSON data: numpy scalars to Python, non-finite floats to ``None``."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def table_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as a list of JSON-ready row dicts (``NaN`` becomes ``None``)."""
    return [_jsonable(row) for row in table.to_dict(orient="records")]


def csv_text(table: pd.DataFrame) -> str:
    """A table as CSV: floats at full (round-trip) precision, ``\\n`` line ends.

    The same table always gives the same text, so the same inputs give byte-identical
    files.
    """
    return table.to_csv(index=False, lineterminator="\n")


def run_json_text(metadata: Mapping[str, Any]) -> str:
    """``run.json``: a run's metadata as indented JSON."""
    return json.dumps(_jsonable(metadata), indent=2, allow_nan=False, default=str) + "\n"


def write_run_outputs(
    result: Result, out_dir: str | os.PathLike[str], inputs: Iterable[Path] = (),
    *, fmt: str = "csv", extra: Mapping[str, str | bytes] | None = None,
) -> list[Path]:
    """Write a run's outputs into ``out_dir`` and return their paths.

    Writes ``monthly.csv``, ``annual.csv``, ``scenario.resolved.toml`` and ``run.json``
    (the run's metadata), each to a temporary name first and then renamed into place.
    With ``fmt="parquet"`` the tables are ``monthly.parquet`` and ``annual.parquet``;
    with ``fmt="xlsx"`` one ``results.xlsx`` (see :mod:`circdebt.io.exports`). ``extra``
    files (such as charts) are written too. ``inputs`` are files the run read; none of
    them is ever overwritten.

    Raises
    ------
    OutputError
        If ``out_dir`` cannot take the outputs (see :func:`check_output_folder`).
    """
    from circdebt.io.exports import table_payloads

    payloads = table_payloads({"monthly": result.monthly, "annual": result.annual}, fmt)
    payloads |= {
        "scenario.resolved.toml": scenario_toml(result.scenario),
        **(extra or {}),
        "run.json": run_json_text(result.metadata),
    }
    return write_output_set(out_dir, payloads, inputs)


def write_output_set(
    out_dir: str | os.PathLike[str], payloads: Mapping[str, str | bytes],
    inputs: Iterable[Path] = (),
) -> list[Path]:
    """Write named texts (or bytes) into ``out_dir`` atomically, ``run.json`` last;
    return the paths.

    Each file goes to a temporary name and is renamed into place. Before any of them, a
    provisional ``run.json`` saying ``"status": "writing"`` replaces the previous one, so
    the folder never presents a mix of old and new files as a finished run, and a run
    interrupted while writing leaves a folder circdebt recognises (and may overwrite)
    on the next run. The final ``run.json`` comes last.

    Raises :class:`OutputError` if the folder cannot take them (see
    :func:`check_output_folder`).
    """
    out_dir = Path(out_dir)
    names = sorted(payloads, key=lambda n: n == "run.json")
    check_output_folder(out_dir, inputs, names)
    if "run.json" in payloads:
        atomic_write_text(out_dir / "run.json", run_json_text(
            {"circdebt_version": _version(), "status": "writing",
             "files": [n for n in names if n != "run.json"]}))
    written = []
    for name in names:
        path = out_dir / name
        payload = payloads[name]
        if isinstance(payload, bytes):
            atomic_write_bytes(path, payload)
        else:
            atomic_write_text(path, payload)
        written.append(path)
    return written
