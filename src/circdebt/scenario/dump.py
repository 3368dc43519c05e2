"""A resolved scenario as plain data, TOML text and a hash (pure, no files)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import tomli_w

from circdebt.scenario.schema import Scenario


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

