"""The Python API a notebook uses: load a scenario, run it, get a :class:`Result`.

>>> import circdebt
>>> result = circdebt.run(circdebt.load_scenario("scenarios/baseline.toml"))
>>> result.annual[["fy", "cd_stock_bn_pkr"]]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import numbers
import os
import platform
from typing import TYPE_CHECKING, Any

from circdebt.engine import compile_inputs, simulate
from circdebt.errors import Problem, ScenarioError
from circdebt.io import load_scenario, validate_scenario_data
from circdebt.results.result import Result, run_scenario
from circdebt.scenario.dump import scenario_dict, scenario_hash
from circdebt.scenario.schema import Scenario
from circdebt.version import __version__

if TYPE_CHECKING:
    from circdebt.results.events import EventsResult

__all__ = ["load_scenario", "run", "run_events", "run_metadata"]

_KEY_DEPENDENCIES = ("numpy", "pandas", "pydantic", "simpy", "matplotlib", "typer")


def dependency_versions() -> dict[str, str]:
    """Versions of Python and circdebt's key dependencies, for ``run.json``."""
    versions = {"python": platform.python_version()}
    for name in _KEY_DEPENDENCIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_metadata(scenario: Scenario, seed: int | None, n_paths: int) -> dict[str, Any]:
    """Everything needed to reproduce a run: version, resolved scenario, hash, seed."""
    return {
        "circdebt_version": __version__,
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": seed,
        "paths": n_paths,
        "time_of_run": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dependencies": dependency_versions(),
        "scenario": scenario_dict(scenario),
    }


def checked_seed(seed: object) -> int | None:
    """``seed`` if it is None or a whole number >= 0 (not a flag); else ScenarioError."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise ScenarioError([Problem("seed", "", "a whole number >= 0, or None",
                                     repr(seed)[:60])])
    return int(seed)


def checked_scenario(scenario: object) -> Scenario:
    """The scenario to run, checked now: a path is loaded; a :class:`Scenario` is checked
    again, schema and cross-field rules (one changed in code after loading, e.g. by
    ``model_copy(update=...)``, skipped pydantic's checks). ScenarioError if invalid."""
    if isinstance(scenario, Scenario):
        return validate_scenario_data(scenario_dict(scenario),
                                      f"<scenario {scenario.name!r} as changed in code>")
    if isinstance(scenario, str | os.PathLike):
        return load_scenario(scenario)
    raise ScenarioError([Problem("<scenario>", "", "a Scenario or the path of a scenario "
                                 "file", type(scenario).__name__)])


def run(scenario: Scenario | str | os.PathLike[str], *, seed: int | None = None) -> Result:
    """Run a scenario (a :class:`Scenario` or the path of a scenario file).

    Returns a :class:`~circdebt.results.Result` with ``.monthly`` and ``.annual``
    DataFrames and ``.metadata`` (what ``run.json`` records). The scenario is checked
    first (:func:`checked_scenario`), and ``seed`` must be None or a whole number >= 0;
    either raises :class:`~circdebt.ScenarioError` when it is not.
    """
    seed = checked_seed(seed)
    loaded = checked_scenario(scenario)
    return run_scenario(loaded, run_metadata(loaded, seed, 1))


def run_events(scenario: Scenario | str | os.PathLike[str]) -> EventsResult:
    """Run a scenario through the event-driven settlement engine (one deterministic
    path): the monthly engine's volumes and money, settled day by day (docs/events.md)."""
    from circdebt.engine.events import PaymentChain
    from circdebt.results.events import events_result

    loaded = checked_scenario(scenario)
    if loaded.anchor is not None:
        raise ScenarioError([Problem(
            "scenario", "anchor", "no [anchor] (or --start): the event-driven engine settles "
            "the payment chain from the start and does not re-anchor its stocks",
            repr(loaded.anchor.month), "run it with the monthly engine")])
    inputs = compile_inputs(loaded)
    trajectories = simulate(inputs)
    chain = PaymentChain(inputs, trajectories)
    chain.run()
    return events_result(loaded, trajectories, chain, run_metadata(loaded, None, 1))
