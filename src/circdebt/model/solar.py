"""Rooftop solar: generation, self-consumption, exports and grid defection (docs/model.md §5).

Arrays are over paths, (paths,), or (paths, classes) for what each class self-consumes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from circdebt.model.vectors import PerPath
from circdebt.units import BN_PER_GWH_TO_PKR_PER_KWH, MWH_PER_GWH


def solar_energy_gwh(capacity_mw: np.ndarray, capacity_factor: PerPath,
                     hours: float) -> np.ndarray:
    """Rooftop solar generation this month: MW x capacity factor x hours. [GWh], (paths,)."""
    return capacity_mw * capacity_factor * hours / MWH_PER_GWH


class RooftopMonth(NamedTuple):
    """What rooftop solar does in a month."""

    generation_gwh: np.ndarray  # (paths,)
    self_consumed_gwh: np.ndarray  # (paths, classes): lowers each class's grid sales
    export_offered_gwh: np.ndarray  # (paths,): offered to the grid under net metering


def rooftop_month(
    capacity_mw: np.ndarray, initial_capacity_mw: PerPath, capacity_factor: PerPath,
    hours: float, self_consumption: PerPath, class_shares: np.ndarray,
) -> RooftopMonth:
    """Generation, self-consumption by class and exports of rooftop solar this month.

    A share ``self_consumption`` of generation is used behind the meter, the rest is
    offered to the grid. Class base sales are net of the solar installed at the start,
    so only capacity added since then lowers them: self-consumed = new capacity's
    output x self-consumption x class share (docs/model.md §5). [GWh]
    """
    generation = solar_energy_gwh(capacity_mw, capacity_factor, hours)
    new_capacity_mw = capacity_mw - initial_capacity_mw
    new_generation = solar_energy_gwh(new_capacity_mw, capacity_factor, hours)
    self_consumed = (new_generation * self_consumption)[:, None] * class_shares
    return RooftopMonth(generation, self_consumed, generation * (1.0 - self_consumption))


def exports_used_gwh(export_offered_gwh: np.ndarray, units_wanted_gwh: np.ndarray) -> np.ndarray:
    """Rooftop exports the grid takes: never more than the units it needs. [GWh], (paths,)."""
    return np.minimum(export_offered_gwh, units_wanted_gwh)


def grid_to_solar_ratio(
    billed_bn: np.ndarray, sales_gwh: np.ndarray, solar_lcoe_pkr_per_kwh: PerPath,
) -> np.ndarray:
    """The average billed tariff over the levelised cost of rooftop solar. [1], (paths,)."""
    avg_paid = np.divide(billed_bn, sales_gwh, out=np.zeros(sales_gwh.shape),
                         where=sales_gwh > 0) * BN_PER_GWH_TO_PKR_PER_KWH
    return avg_paid / solar_lcoe_pkr_per_kwh


def solar_additions_mw(
    additions_mw_per_year: PerPath, tariff_to_solar_ratio: np.ndarray,
    reference_ratio: np.ndarray, defection_elasticity: PerPath,
) -> np.ndarray:
    """Rooftop capacity added this month. [MW], (paths,).

    Exogenous additions / 12 scaled by (ratio / reference ratio) ** elasticity, where the
    ratio is the average grid tariff over the solar levelised cost (grid defection,
    docs/model.md §5) and the reference is the first month's.
    """
    ratio = np.divide(tariff_to_solar_ratio, reference_ratio,
                      out=np.ones_like(tariff_to_solar_ratio), where=reference_ratio > 0)
    return additions_mw_per_year / 12.0 * np.power(np.maximum(ratio, 0.0), defection_elasticity)


def next_capacity_mw(
    capacity_mw: np.ndarray, policy_extra_mw: PerPath, additions_mw_per_year: PerPath,
    tariff_to_solar_ratio: np.ndarray, reference_ratio: np.ndarray,
    defection_elasticity: PerPath,
) -> np.ndarray:
    """Rooftop capacity at the start of next month. [MW], (paths,).

    This month's capacity, plus any capacity a policy adds this month, plus the
    exogenous additions scaled by grid defection (:func:`solar_additions_mw`,
    docs/model.md §5).
    """
    return capacity_mw + policy_extra_mw + solar_additions_mw(
        additions_mw_per_year, tariff_to_solar_ratio, reference_ratio, defection_elasticity)
