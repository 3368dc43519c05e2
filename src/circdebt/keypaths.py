"""Key paths: how a user names one value of a scenario, e.g. ``supply.plants[3].capacity_mw``.

One grammar for ``--set``, distributions (``[uncertainty]``), sweeps, sensitivity,
calibration and ``diff``: names of letters, digits, ``_`` and ``-`` joined by ``.``,
each optionally followed by ``[index]`` into an array. A path is read into *parts*
(names and integer indices) by :func:`split` and written back by :func:`join`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

Part = str | int

_NAME = re.compile(r"[A-Za-z0-9_\-]+")
_SEGMENT = re.compile(r"([A-Za-z0-9_\-]+)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")

Model = TypeVar("Model", bound=BaseModel)


def is_name(text: str) -> bool:
    """Whether ``text`` can be a segment's name in a key path (letters, digits, _ and -)."""
    return _NAME.fullmatch(text) is not None


def split(key_path: str) -> list[Part]:
    """``"a.b[2].c"`` -> ``["a", "b", 2, "c"]``; ValueError naming the bad segment."""
    if not isinstance(key_path, str) or not key_path:
        raise ValueError(f"key path(={key_path!r}) must be a dotted path like "
                         "supply.plants[0].capacity_mw")
    parts: list[Part] = []
    for segment in key_path.split("."):
        m = _SEGMENT.fullmatch(segment)
        if m is None:
            raise ValueError(f"key path(={key_path!r}): {segment!r} is not a name "
                             "optionally followed by [index]")
        parts.append(m.group(1))
        parts.extend(int(i) for i in _INDEX.findall(m.group(2)))
    return parts


def join(parts: Iterable[Part]) -> str:
    """``["a", "b", 2, "c"]`` -> ``"a.b[2].c"`` (the inverse of :func:`split`)."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def get(node: Any, key_path: str | Sequence[Part]) -> Any:
    """The value at a key path in a validated scenario or in raw data (models, lists,
    dicts). KeyError, IndexError, AttributeError or TypeError if there is none."""
    parts = split(key_path) if isinstance(key_path, str) else key_path
    for part in parts:
        if isinstance(part, int) or isinstance(node, Mapping):
            node = node[part]
        else:
            node = getattr(node, part)
    return node


def decimal_at(model: Any, key_path: str) -> float:
    """The decimal number at ``key_path`` in a scenario; ValueError naming the key if the
    path does not exist or does not hold a decimal number (an input analyses may vary)."""
    try:
        value = get(model, key_path)
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        raise ValueError(f"{key_path!r} is not a key path of the scenario") from None
    if isinstance(value, bool) or not isinstance(value, float):
        raise ValueError(f"{key_path!r} is not a decimal number ({value!r})")
    return value


def set_in_data(data: Any, key_path: str, value: Any) -> None:
    """Set the value at ``key_path`` in nested raw data (dicts and lists), in place."""
    parts = split(key_path)
    node = data
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def with_values(model: Model, values: Mapping[str, Any]) -> Model:
    """A copy of a scenario with the values at the given key paths replaced.

    Used to put (paths,) arrays of draws in place of numbers: the copy is not
    re-validated, and the compile step broadcasts arrays over paths.
    """
    for key_path, value in values.items():
        model = _replace(model, split(key_path), value)
    return model


def _replace(node: Any, parts: list[Part], value: Any) -> Any:
    head, rest = parts[0], parts[1:]
    if isinstance(node, list):
        assert isinstance(head, int)
        child = value if not rest else _replace(node[head], rest, value)
        return [child if i == head else v for i, v in enumerate(node)]
    if isinstance(node, dict):
        child = value if not rest else _replace(node[head], rest, value)
        return {**node, head: child}
    assert isinstance(head, str)
    child = value if not rest else _replace(getattr(node, head), rest, value)
    return node.model_copy(update={head: child})


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Plain scenario data as ``{key path: leaf value}`` (arrays of tables are indexed,
    other arrays are leaves)."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out |= flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        out = {}
        for i, v in enumerate(value):
            out |= flatten(v, f"{prefix}[{i}]")
        return out
    return {prefix: value}
