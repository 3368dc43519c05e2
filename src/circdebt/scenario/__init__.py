"""Scenarios as data: the schema, its policy blocks and distributions, and the
cross-field rules checked before every run."""

from circdebt.scenario.policies import POLICY_TYPES, Policy, Target
from circdebt.scenario.schema import SEZ_CLASS, Scenario

__all__ = ["POLICY_TYPES", "SEZ_CLASS", "Policy", "Scenario", "Target"]
