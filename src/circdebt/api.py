"""The Python API a notebook uses: load a scenario, run it, get a :class:`Result`.

>>> import circdebt
>>> result = circdebt.run(circdebt.load_scenario("scenarios/baseline.toml"))
>>> result.annual[["fy", "cd_stock_bn_pkr"]]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
from typing import Any

from circdebt import __version__
from circdebt.engine.loop import simulate
from circdebt.io.files import load_scenario, scenario_dict, scenario_hash
from circdebt.results.tables import Result
from circdebt.scenario.schema import Scenario

__all__ = ["load_scenario", "run", "run_metadata"]

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


def run(scenario: Scenario | str | os.PathLike[str], *, seed: int | None = None) -> Result:
    """Run a scenario (a :class:`Scenario` or the path of a scenario file).

    Returns a :class:`~circdebt.results.Result` with ``.monthly`` and ``.annual``
    DataFrames and ``.metadata`` (what ``run.json`` records).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    trajectories = simulate(scenario, n_paths=1)
    return Result(scenario, trajectories, run_metadata(scenario, seed, 1))
