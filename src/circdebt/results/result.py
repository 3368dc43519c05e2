"""A run's results object: tables as cached views over its trajectories."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from circdebt.engine.compile import compile_inputs
from circdebt.engine.loop import simulate
from circdebt.engine.record import Trajectories
from circdebt.results.tables import FLOW_COLUMNS, annual_table, monthly_table
from circdebt.scenario.schema import Scenario


@dataclass(frozen=True)
class Result:
    """A run's results: monthly and fiscal-year tables, trajectories and metadata.

    ``monthly_override`` is a monthly table computed elsewhere (the event-driven engine's,
    whose payables, LPS and stock differ from the trajectories'); the annual table is
    built from whichever monthly table the result has.
    """

    scenario: Scenario
    trajectories: Trajectories
    metadata: dict[str, Any] = field(default_factory=dict)
    monthly_override: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @cached_property
    def monthly(self) -> pd.DataFrame:
        """One row per month (path 0 of a multi-path run). Units in column names."""
        if self.monthly_override is not None:
            return self.monthly_override
        return monthly_table(self.trajectories)

    @cached_property
    def annual(self) -> pd.DataFrame:
        """One row per fiscal year: flows summed, stocks at the fiscal year's end, prices
        recomputed."""
        return annual_table(self.monthly)

    def summary(self) -> pd.DataFrame:
        """A short fiscal-year view for people: stock, flow, main causes, prices."""
        cols = ["fy", "cd_stock_bn_pkr", "cd_flow_bn_pkr", *FLOW_COLUMNS,
                "capacity_payments_bn_pkr", "capacity_charge_pkr_per_kwh",
                "avg_tariff_pkr_per_kwh", "cost_recovery_pkr_per_kwh", "fx_pkr_per_usd"]
        return self.annual[cols]


def run_scenario(scenario: Scenario, metadata: dict[str, Any] | None = None) -> Result:
    """Run a scenario once (one deterministic path) and wrap its trajectories."""
    return Result(scenario, simulate(compile_inputs(scenario)), metadata or {})
