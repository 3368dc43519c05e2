"""circdebt: a monthly simulator of power-sector circular debt.

The public API: :func:`load_scenario`, :func:`run` and the :class:`Result` it returns,
:class:`Scenario`, and the errors :class:`ScenarioError` and :class:`SimulationError`.
They are imported on first use, so ``import circdebt`` (and ``circdebt --help``) stays
light: numpy, pandas and pydantic load only when a scenario is read or run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from circdebt.version import __version__

if TYPE_CHECKING:
    from circdebt.api import load_scenario, run
    from circdebt.errors import ScenarioError, SimulationError
    from circdebt.results.result import Result
    from circdebt.scenario.schema import Scenario

#: Public name -> the module that defines it.
_EXPORTS = {
    "load_scenario": "circdebt.api",
    "run": "circdebt.api",
    "Result": "circdebt.results.result",
    "Scenario": "circdebt.scenario.schema",
    "ScenarioError": "circdebt.errors",
    "SimulationError": "circdebt.errors",
}

__all__ = ["Result", "Scenario", "ScenarioError", "SimulationError", "__version__",
           "load_scenario", "run"]


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'circdebt' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
