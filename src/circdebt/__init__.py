"""circdebt: a monthly simulator of power-sector circular debt.

The public API: :func:`load_scenario`, :func:`run` and the :class:`Result` it returns.
"""

__version__ = "0.1.0"

from circdebt.api import load_scenario, run  # noqa: E402
from circdebt.errors import ScenarioError, SimulationError  # noqa: E402
from circdebt.results.tables import Result  # noqa: E402
from circdebt.scenario.schema import Scenario  # noqa: E402

__all__ = ["Result", "Scenario", "ScenarioError", "SimulationError", "__version__",
           "load_scenario", "run"]
