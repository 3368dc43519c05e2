"""Cost of service by consumer class and supply voltage, and the cross-subsidy each class
pays (docs/model.md §9).

A class's cost of service is what its kWh costs the sector at the allowed loss: the
power purchase price per unit bought at the generation end, grossed up by the losses
allowed down to the voltage it takes supply at, plus the share of the distribution
margin its voltage carries. This is the basis of NEPRA's consumer-end tariff
determinations (PPP passed through at each voltage level with the losses allowed to it,
plus the distribution margin; NEPRA Guidelines for Determination of Consumer End Tariff
(Methodology and Process), S.R.O. 34(I)/2015) and of the Power Division's industrial
cross-subsidy statements (tariff minus the cost of service at 11/132 kV; Profit, 14 Jan
2026, https://profit.pakistantoday.com.pk/2026/01/14/industrial-cross-subsidy-burden-slashed-by-rs123bn-under-current-government).

The allocation is scaled so that the classes' costs of service add up to the revenue
requirement at the allowed loss, RR* = PPP x U*/U + DM (§8): the voltage levels decide
who carries the cost, the regulator's allowed loss how much there is.

Working units: Rs bn, GWh, Rs/kWh, fractions; arrays (paths, classes) and (paths,).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from circdebt.units import BN_PER_GWH_TO_PKR_PER_KWH, GWH_TIMES_PKR_PER_KWH_TO_BN

#: Weighted sales below this share of all sales count as none (a weight of 1e-300 on the
#: only class that sells would otherwise put an overflowing cost on the others).
NEGLIGIBLE = 1e-12


def class_gross_up(allowed_loss: np.ndarray, level_loss: np.ndarray) -> np.ndarray:
    """Units bought per unit sold for each class at the loss allowed down to its voltage,
    1 / (1 - l_c): l_c is its voltage level's allowed loss, or (no level: NaN in
    ``level_loss``) the class's own allowed loss this month (system allowed loss x its
    loss multiplier, §6). ``allowed_loss`` (paths, classes), ``level_loss`` (classes,).
    [1], (paths, classes)."""
    loss = np.where(np.isnan(level_loss), allowed_loss, level_loss)
    return 1.0 / (1.0 - loss)


def class_dm_weight(dm_share: np.ndarray, level_dm_share: np.ndarray,
                    shape: tuple[int, int]) -> np.ndarray:
    """The weight per kWh of the distribution margin each class carries: its voltage
    level's share, or (no level: NaN) the class's own ``distribution_margin_pct`` / 100.
    [1], (paths, classes)."""
    weight = np.where(np.isnan(level_dm_share), dm_share, level_dm_share)
    return np.broadcast_to(weight, shape).astype(float)


class CostOfService(NamedTuple):
    """Each class's cost of service this month. [Rs/kWh], (paths, classes) each."""

    supply_pkr_per_kwh: np.ndarray  # PPP at the allowed loss down to the class's voltage
    distribution_pkr_per_kwh: np.ndarray  # the distribution margin its voltage carries
    total_pkr_per_kwh: np.ndarray  # the sum: its cost of service


def _allocate(amount_bn: np.ndarray, weight: np.ndarray, sales_gwh: np.ndarray) -> np.ndarray:
    """``amount`` shared over the classes' sales in proportion to ``weight`` per kWh:
    amount x w_c / sum_c (w_c S_c), per kWh; equal per kWh where no sales carry weight
    (weighted sales below 1e-12 of all sales). [Rs/kWh], (paths, classes)."""
    weighted = (weight * sales_gwh).sum(axis=1)
    use = weighted > NEGLIGIBLE * sales_gwh.sum(axis=1)
    weight = np.where(use[:, None], weight, 1.0)
    weighted = np.where(use, weighted, sales_gwh.sum(axis=1))
    share = np.divide(weight, weighted[:, None], out=np.zeros(np.shape(weight)),
                      where=weighted[:, None] > 0)  # [1/GWh]: w_c / sum_k w_k S_k
    return amount_bn[:, None] * share * BN_PER_GWH_TO_PKR_PER_KWH


def cost_of_service(ppp_allowed_bn: np.ndarray, distribution_margin_bn: np.ndarray,
                    sales_gwh: np.ndarray, gross_up: np.ndarray,
                    dm_weight: np.ndarray) -> CostOfService:
    """Each class's cost of service per kWh (docs/model.md §9).

    COS_c = PPP* x g_c / sum_k g_k S_k + DM x w_c / sum_k w_k S_k, with PPP* = PPP x U*/U
    the power purchase cost at the allowed loss [Rs bn], g_c = 1 / (1 - l_c) the gross-up
    for the losses allowed down to the class's voltage (:func:`class_gross_up`) and w_c the
    weight of the distribution margin it carries (:func:`class_dm_weight`). So
    sum_c COS_c S_c = PPP* + DM = RR* exactly. [Rs/kWh], (paths, classes) each.
    """
    supply_part = _allocate(ppp_allowed_bn, gross_up, sales_gwh)
    distribution_part = _allocate(distribution_margin_bn, dm_weight, sales_gwh)
    return CostOfService(supply_part, distribution_part, supply_part + distribution_part)


class CrossSubsidy(NamedTuple):
    """What each class pays above its cost of service. (paths, classes) each."""

    pkr_per_kwh: np.ndarray  # tariff paid - cost of service [Rs/kWh]
    bn: np.ndarray  # x sales [Rs bn]


def cross_subsidy(class_tariff_pkr_per_kwh: np.ndarray, billed_share: np.ndarray,
                  cost_of_service_pkr_per_kwh: np.ndarray,
                  sales_gwh: np.ndarray) -> CrossSubsidy:
    """The cross-subsidy each class pays: tariff paid (tariff x billed share, §10) minus
    its cost of service, per kWh and x sales (negative: the class is subsidised).

    Identity (docs/model.md §9): sum_c X_c + TDS due + unfunded SEZ package gap =
    RR_passed - RR*, i.e. the cross-subsidies paid, the tariff subsidy due and an
    unfunded SEZ package add up to minus the tariff gap; to zero when tariffs recover
    the cost. [Rs/kWh], [Rs bn], (paths, classes).
    """
    per_kwh = class_tariff_pkr_per_kwh * billed_share - cost_of_service_pkr_per_kwh
    return CrossSubsidy(per_kwh, per_kwh * sales_gwh * GWH_TIMES_PKR_PER_KWH_TO_BN)
