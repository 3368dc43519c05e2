"""The sector's cost and the revenue requirement at the allowed loss (docs/model.md §8).

PPP = capacity + energy + transmission + net metering; sector cost K = PPP + DM (the
DISCOs' distribution margin); the revenue requirement at the allowed loss is
RR* = PPP x U*/U + DM. Amounts are Rs bn, arrays (paths,).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from circdebt.model.vectors import PerPath
from circdebt.units import GWH_TIMES_PKR_PER_KWH_TO_BN


def transmission_bn(rate_pkr_per_kwh: PerPath, pk_cpi_index: np.ndarray,
                    units_gwh: np.ndarray) -> np.ndarray:
    """Use-of-system and market-operator charges: rate x PK CPI x units purchased.
    [Rs bn], (paths,)."""
    return rate_pkr_per_kwh * pk_cpi_index * units_gwh * GWH_TIMES_PKR_PER_KWH_TO_BN


def net_metering_bn(buyback_pkr_per_kwh: PerPath,
                    exports_gwh: np.ndarray) -> np.ndarray:
    """Purchases of rooftop exports at the buy-back rate. [Rs bn], (paths,)."""
    return buyback_pkr_per_kwh * exports_gwh * GWH_TIMES_PKR_PER_KWH_TO_BN


def distribution_margin_bn(
    dm_pkr_per_kwh: PerPath, pk_cpi_index: np.ndarray, sales_gwh: np.ndarray,
    dm_share: np.ndarray,
) -> np.ndarray:
    """The DISCOs' distribution margin: rate x PK CPI x the sales that carry it
    (sum_c share_c x S_c; a bulk buyer distributing itself carries none). [Rs bn], (paths,)."""
    return dm_pkr_per_kwh * pk_cpi_index * (sales_gwh * dm_share).sum(axis=-1) \
        * GWH_TIMES_PKR_PER_KWH_TO_BN


class SectorCost(NamedTuple):
    """A month's costs. [Rs bn], (paths,) each."""

    capacity_bn: np.ndarray
    energy_bn: np.ndarray
    ppp_bn: np.ndarray  # capacity + energy + transmission + net metering
    distribution_margin_bn: np.ndarray
    revenue_requirement_allowed_bn: np.ndarray  # PPP x U*/U + DM
    allowed_share: np.ndarray  # U*/U [1]


def sector_cost(
    capacity_by_group_bn: np.ndarray, energy_by_group_bn: np.ndarray,
    transmission: np.ndarray, net_metering: np.ndarray, distribution_margin: np.ndarray,
    units_gwh: np.ndarray, units_allowed_gwh: np.ndarray,
) -> SectorCost:
    """PPP, the distribution margin and the revenue requirement at the allowed loss.

    RR* = PPP x U*/U + DM: the cost of the units the regulator allows for the sales
    (docs/model.md §8). U*/U is 0 where nothing is purchased.
    """
    capacity, energy = capacity_by_group_bn.sum(axis=1), energy_by_group_bn.sum(axis=1)
    ppp = capacity + energy + transmission + net_metering
    allowed_share = np.divide(units_allowed_gwh, units_gwh, out=np.zeros(units_gwh.shape),
                              where=units_gwh > 0)
    return SectorCost(capacity, energy, ppp, distribution_margin,
                      ppp * allowed_share + distribution_margin, allowed_share)
