"""Special Economic Zones: their grid load, tariff packages, the captive alternative and
what a kWh costs an SEZ manufacturer, broken down by cause (docs/model.md §15).

Working units: GWh, Rs bn, Rs/kWh, US cents/kWh, fractions; arrays over paths.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from circdebt.model.vectors import PerPath
from circdebt.units import (
    BN_PER_GWH_TO_PKR_PER_KWH,
    CENTS_PER_DOLLAR,
    GWH_TIMES_PKR_PER_KWH_TO_BN,
    MWH_PER_GWH,
)

#: Components of an SEZ consumer's cost per kWh, in reporting order; they add up to the
#: total exactly.
COMPONENTS = (
    "energy",
    "capacity_used",
    "capacity_idle",
    "transmission_distribution",
    "allowed_losses",
    "tariff_lag",
    "cross_subsidy",
    "package_support",
    "legacy_debt_dss",
    "taxes",
)


class Funding(enum.StrEnum):
    """Who pays the gap between the SEZ class tariff and an SEZ package price."""

    BUDGET = "budget"  # the budget, in full and on time (a tariff subsidy paid)
    CROSS_SUBSIDY = "cross_subsidy"  # the other consumers, per kWh
    UNFUNDED = "unfunded"  # nobody: its own cause of debt


@dataclass(frozen=True)
class Zone:
    """One zone's load parameters (a value may be a number or (paths,) draws)."""

    start_index: int  # month index of its start (may lie outside the horizon)
    ramp_months: int
    peak_load_mw: PerPath  # [MW]
    load_factor: PerPath  # [fraction]
    loss_multiplier: PerPath | None  # None: the SEZ class's


def zone_ramp(n_months: int, start_index: int, ramp_months: int) -> np.ndarray:
    """Share of a zone's peak load reached each month: rising linearly from 1/n in its
    start month to 1 after n = ``ramp_months`` (a step when n = 0). [1], (T,)."""
    t = np.arange(n_months)
    if ramp_months == 0:
        return (t >= start_index).astype(float)
    return np.clip((t - start_index + 1) / ramp_months, 0.0, 1.0)


def zone_loads_gwh(zones: Sequence[Zone], hours: np.ndarray,
                   weights: np.ndarray) -> list[np.ndarray]:
    """Each zone's load each month before any captive switch: weight x peak MW x load
    factor x hours x ramp. ``weights`` (paths, zones) say how much of each zone
    materialises on each path. [GWh], a (paths, T) array per zone."""
    loads = []
    for z, zone in enumerate(zones):
        ramp = zone_ramp(len(hours), zone.start_index, zone.ramp_months)
        peak_mw = np.asarray(zone.peak_load_mw)[..., None]  # a number or (paths, 1)
        factor = np.asarray(zone.load_factor)[..., None]
        load = np.zeros((weights.shape[0], len(hours)))
        load += weights[:, z:z + 1] * peak_mw * factor * hours * ramp / MWH_PER_GWH
        loads.append(load)
    return loads


def zone_loss_multiplier(loads: Sequence[np.ndarray], zones: Sequence[Zone],
                         default: PerPath, shape: tuple[int, int]) -> np.ndarray:
    """The SEZ class's loss multiplier each month: the load-weighted mean of its zones'
    (each zone's own, or the class's ``default``), or the class's when there is no load.
    [1], (paths, T)."""
    default = np.asarray(default, dtype=float)
    total = np.zeros(shape)
    weighted = np.zeros_like(total)
    for load, zone in zip(loads, zones, strict=True):
        lm = default if zone.loss_multiplier is None else zone.loss_multiplier
        total += load
        weighted += load * lm
    fallback = np.broadcast_to(default[..., None] if default.ndim else default, total.shape)
    return np.divide(weighted, total, out=np.array(fallback, dtype=float), where=total > 0)


class Package(NamedTuple):
    """What an SEZ tariff package does to a month's tariffs."""

    class_tariff_pkr_per_kwh: np.ndarray  # (paths, classes) after any cross-subsidy
    billed_share: np.ndarray  # (paths, classes) after the SEZ price
    sez_tariff_pkr_per_kwh: np.ndarray  # (paths,) the SEZ class tariff without the package
    sez_price_pkr_per_kwh: np.ndarray  # (paths,) what SEZ consumers pay per kWh
    gap_bn: np.ndarray  # (paths,) (SEZ tariff - price) x SEZ sales [Rs bn]


def package_month(
    class_tariff_pkr_per_kwh: np.ndarray, billed_share: np.ndarray, sales_gwh: np.ndarray,
    sez_column: int, weight: float, price_pkr_per_kwh: float, price_usc_per_kwh: float,
    fx_pkr_per_usd: np.ndarray, cap: bool, funding: Funding,
) -> Package:
    """The SEZ class pays a package price; its gap to the SEZ tariff is funded
    (docs/model.md §15).

    The price (US cents at the month's exchange rate, or rupees) is phased in with
    ``weight`` from the SEZ tariff; as a ``cap`` it never exceeds the tariff. Funded by
    cross-subsidy, the gap is charged per kWh on the other classes' tariffs; otherwise
    the SEZ class is billed the price (its billed share falls) and the budget pays the
    gap or nobody does. Without a package (``weight`` 0) nothing changes.
    """
    class_tariff = class_tariff_pkr_per_kwh.copy()
    billed = np.broadcast_to(billed_share, class_tariff.shape).copy()
    sez_tariff = class_tariff[:, sez_column].copy()
    if weight <= 0:
        return Package(class_tariff, billed, sez_tariff, sez_tariff.copy(),
                       np.zeros(sez_tariff.shape))
    price = (price_usc_per_kwh * fx_pkr_per_usd / CENTS_PER_DOLLAR
             if np.isfinite(price_usc_per_kwh) else price_pkr_per_kwh)
    if cap:
        price = np.minimum(price, sez_tariff)
    sez_price = (1 - weight) * sez_tariff + weight * price
    gap = (sez_tariff - sez_price) * sales_gwh[:, sez_column] * GWH_TIMES_PKR_PER_KWH_TO_BN
    if funding is Funding.CROSS_SUBSIDY:
        others = np.ones(class_tariff.shape[1], bool)
        others[sez_column] = False
        others_sales = sales_gwh[:, others].sum(axis=1)
        surcharge = np.divide(gap, others_sales, out=np.zeros(gap.shape),
                              where=others_sales > 0) * BN_PER_GWH_TO_PKR_PER_KWH
        class_tariff[:, others] += surcharge[:, None]
        class_tariff[:, sez_column] = sez_price
    else:
        billed[:, sez_column] = np.divide(sez_price, sez_tariff, out=np.ones(gap.shape),
                                          where=sez_tariff != 0)
    return Package(class_tariff, billed, sez_tariff, sez_price, gap)


def grid_and_captive_gwh(load_gwh: np.ndarray,
                         captive_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SEZ load split between the grid and captive plants this month. [GWh], (paths,) each.

    The captive share is the one decided at the end of the previous month
    (:func:`captive_share_step`); zones' load before any switch is ``load_gwh``.
    """
    return load_gwh * (1.0 - captive_share), load_gwh * captive_share


def captive_share_step(
    share: np.ndarray, grid_cost_usc: np.ndarray, captive_lcoe_usc: PerPath,
    margin: PerPath, speed: PerPath, max_share: PerPath,
) -> np.ndarray:
    """Share of SEZ load on captive supply after this month's decisions. [1], (paths,).

    Where the grid's all-in cost exceeds the captive cost by more than ``margin``, a
    further ``speed`` of load switches, up to ``max_share``; captive plants once built
    stay, so the share never falls.
    """
    switching = grid_cost_usc > captive_lcoe_usc * (1.0 + margin)
    return np.where(switching, np.minimum(share + speed, max_share), share)


def cost_breakdown_pkr_per_kwh(
    energy_bn: np.ndarray, net_metering_bn: np.ndarray, capacity_bn: np.ndarray,
    transmission_bn: np.ndarray, utilisation: np.ndarray, units_gwh: np.ndarray,
    allowed_units_gwh: np.ndarray, sales_gwh: np.ndarray, dm_pkr_per_kwh: np.ndarray,
    avg_notified_pkr_per_kwh: np.ndarray, sez_tariff_pkr_per_kwh: np.ndarray,
    sez_price_pkr_per_kwh: np.ndarray, dss_pkr_per_kwh: np.ndarray, taxes_share: PerPath,
    sez_service_pkr_per_kwh: np.ndarray, sez_distribution_pkr_per_kwh: np.ndarray,
) -> dict[str, np.ndarray]:
    """What a kWh costs an SEZ manufacturer, by component. [Rs/kWh], each (paths,).

    The SEZ class's cost of service at its voltage, COS_sez
    (:func:`circdebt.model.service.cost_of_service`), is split into energy (incl.
    net-metering purchases), capacity used and idle (capacity payments per unit
    purchased, split by the fleet's utilisation), transmission and distribution (TX per
    unit purchased + the distribution margin its voltage carries, ``sez_distribution``)
    and the gross-up for the losses allowed down to its voltage (the rest of COS_sez).
    Then: the tariff lag, the average notified tariff minus the average cost of supply
    c = (PPP x U*/U + DM) / S, which every class shares; the cross-subsidy, the SEZ class
    tariff minus its own cost of service beyond that lag, T_sez - COS_sez - (p - c);
    any SEZ package (price paid minus the class tariff), the debt servicing surcharge
    (legacy debt) and taxes on the bill. The components sum to ``total`` exactly.
    """
    per_unit = BN_PER_GWH_TO_PKR_PER_KWH / np.where(units_gwh > 0, units_gwh, np.nan)
    ppp_bn = energy_bn + net_metering_bn + capacity_bn + transmission_bn
    gross_up = np.where(sales_gwh > 0, allowed_units_gwh / np.where(sales_gwh > 0, sales_gwh,
                                                                      1.0) - 1.0, 0.0)
    ppp_per_unit = np.nan_to_num(ppp_bn * per_unit)
    average_cost = ppp_per_unit * (1.0 + gross_up) + dm_pkr_per_kwh
    parts = {
        "energy": (energy_bn + net_metering_bn) * per_unit,
        "capacity_used": capacity_bn * per_unit * utilisation,
        "capacity_idle": capacity_bn * per_unit * (1.0 - utilisation),
        "transmission_distribution": transmission_bn * per_unit + sez_distribution_pkr_per_kwh,
    }
    parts = {k: np.nan_to_num(v) for k, v in parts.items()}
    parts["allowed_losses"] = (sez_service_pkr_per_kwh - sez_distribution_pkr_per_kwh
                               - ppp_per_unit)
    parts["tariff_lag"] = avg_notified_pkr_per_kwh - average_cost
    parts["cross_subsidy"] = sez_tariff_pkr_per_kwh - sez_service_pkr_per_kwh \
        - parts["tariff_lag"]
    parts["package_support"] = sez_price_pkr_per_kwh - sez_tariff_pkr_per_kwh
    parts["legacy_debt_dss"] = np.broadcast_to(dss_pkr_per_kwh, average_cost.shape).copy()
    parts["taxes"] = taxes_share * (sez_price_pkr_per_kwh + dss_pkr_per_kwh)
    parts["total"] = sez_price_pkr_per_kwh + dss_pkr_per_kwh + parts["taxes"]
    return parts


class PackageFunding(NamedTuple):
    """How a month's SEZ package gap is carried. [Rs bn], (paths,) each."""

    subsidy_due_bn: np.ndarray  # TDS due, net of a package gap billed below the tariff
    budget_bn: PerPath  # paid by the budget in full, on time
    unfunded_bn: np.ndarray  # nobody pays: the ``sez_package`` cause


def package_funding(subsidy_due_bn: np.ndarray, gap_bn: np.ndarray,
                    funding: Funding) -> PackageFunding:
    """Split a package gap by who pays it. A gap billed below the SEZ tariff (budget or
    unfunded) shows as subsidy due in the bills and is taken out of it: it is not tariff
    differential subsidy. A cross-subsidised gap is in the other classes' tariffs."""
    if funding is Funding.CROSS_SUBSIDY:
        return PackageFunding(subsidy_due_bn - 0.0, 0.0, np.zeros(gap_bn.shape))
    unfunded = gap_bn if funding is Funding.UNFUNDED else np.zeros(gap_bn.shape)
    budget = gap_bn if funding is Funding.BUDGET else 0.0
    return PackageFunding(subsidy_due_bn - gap_bn, budget, unfunded)


def fleet_utilisation(generation_gwh: np.ndarray, available_gwh: np.ndarray) -> np.ndarray:
    """Share of the fleet's available energy dispatched this month. [1], (paths,)."""
    available = available_gwh.sum(axis=1)
    return np.divide(generation_gwh.sum(axis=1), available, out=np.zeros(available.shape),
                     where=available > 0)


def per_kwh_sold(amount_bn: np.ndarray, sales_gwh: np.ndarray) -> np.ndarray:
    """An amount per kWh sold (0 where nothing is sold). [Rs/kWh], (paths,)."""
    return np.divide(amount_bn, sales_gwh, out=np.zeros(sales_gwh.shape),
                     where=sales_gwh > 0) * BN_PER_GWH_TO_PKR_PER_KWH


def usc_per_kwh(pkr_per_kwh: np.ndarray, fx_pkr_per_usd: np.ndarray) -> np.ndarray:
    """Rupees per kWh in US cents per kWh at the month's exchange rate. [USc/kWh]"""
    return pkr_per_kwh / fx_pkr_per_usd * CENTS_PER_DOLLAR
