"""The engines: compile a scenario once, then run its months (vectorised) or its days
(event-driven settlement), and evaluate batches of variants for the analyses."""

from circdebt.engine.compile import Inputs, compile_inputs, timeline_of
from circdebt.engine.loop import simulate, simulate_scenario
from circdebt.engine.record import Trajectories

__all__ = ["Inputs", "Trajectories", "compile_inputs", "simulate", "simulate_scenario",
           "timeline_of"]
