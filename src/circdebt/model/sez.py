"""Special Economic Zones: their grid load, the captive alternative and what a kWh costs
an SEZ manufacturer, broken down by cause (MODEL.md §5, §9).

Working units: GWh, Rs bn, Rs/kWh, US cents/kWh, fractions; arrays over paths.
"""

from __future__ import annotations

import numpy as np

from circdebt.scenario.schema import ConsumerClass, Sez
from circdebt.timeline import Timeline

#: The consumer class that carries SEZ load (a reserved class name).
SEZ_CLASS = "sez"

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


def sez_class(sez: Sez) -> ConsumerClass:
    """The consumer class SEZ load is sold under (its sales come from the zones)."""
    # model_construct: the values may be per-path arrays in a Monte Carlo run
    return ConsumerClass.model_construct(
        name=SEZ_CLASS, base_sales_gwh_per_year=0.0, tariff_multiplier=sez.tariff_multiplier,
        recovery_pct=sez.recovery_pct, loss_multiplier=sez.loss_multiplier)


def realisation_weights(sez: Sez, n_paths: int) -> np.ndarray:
    """How much of each zone materialises on each path. [1], (paths, zones).

    ``expected`` weights each zone by its probability, ``all`` by 1, ``none`` by 0.
    (Monte Carlo runs draw 0 or 1 per zone and path instead.)
    """
    n = len(sez.zones)
    if sez.realisation == "all":
        w = np.ones(n)
    elif sez.realisation == "none":
        w = np.zeros(n)
    else:
        w = np.array([z.probability_pct / 100.0 for z in sez.zones])
    return np.broadcast_to(w, (n_paths, n)).copy()


def zone_load_gwh(sez: Sez, timeline: Timeline, weights: np.ndarray) -> np.ndarray:
    """SEZ load each month before any captive switch. [GWh], (paths, T).

    Each zone: peak MW x load factor x hours x ramp, the ramp rising linearly from
    1/n in its start month to 1 after n = ``ramp_months`` (a step when n = 0).
    """
    t = np.arange(timeline.n_months)
    load = np.zeros((weights.shape[0], timeline.n_months))
    for z, zone in enumerate(sez.zones):
        s = timeline.index_of(zone.start)
        ramp = (t >= s).astype(float) if zone.ramp_months == 0 else \
            np.clip((t - s + 1) / zone.ramp_months, 0.0, 1.0)
        peak_mw = np.asarray(zone.peak_load_mw)[..., None]  # a number or (paths, 1)
        factor = np.asarray(zone.load_factor_pct)[..., None] / 100
        load += weights[:, z:z + 1] * peak_mw * factor * timeline.hours * ramp / 1e3
    return load


def captive_share_step(
    share: np.ndarray, grid_cost_usc: np.ndarray, captive_lcoe_usc: float,
    margin: float, speed: float, max_share: float,
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
    sez_price_pkr_per_kwh: np.ndarray, dss_pkr_per_kwh: np.ndarray, taxes_share: float,
) -> dict[str, np.ndarray]:
    """What a kWh costs an SEZ manufacturer, by component. [Rs/kWh], each (paths,).

    The cost of supply at allowed losses, c = (PPP x U*/U + DM) / S, is split into
    energy (incl. net-metering purchases), capacity used and idle (capacity payments per
    unit purchased, split by the fleet's utilisation), transmission and distribution,
    and the gross-up for allowed losses PPP/U x (U*/S - 1). Then: the tariff lag
    (average notified tariff minus c), the cross-subsidy (the SEZ class tariff minus
    the average), any SEZ package (price paid minus the class tariff), the debt
    servicing surcharge (legacy debt) and taxes on the bill. The components sum to
    ``total`` exactly.
    """
    per_unit = 1e3 / np.where(units_gwh > 0, units_gwh, np.nan)
    ppp_bn = energy_bn + net_metering_bn + capacity_bn + transmission_bn
    gross_up = np.where(sales_gwh > 0, allowed_units_gwh / np.where(sales_gwh > 0, sales_gwh,
                                                                      1.0) - 1.0, 0.0)
    parts = {
        "energy": (energy_bn + net_metering_bn) * per_unit,
        "capacity_used": capacity_bn * per_unit * utilisation,
        "capacity_idle": capacity_bn * per_unit * (1.0 - utilisation),
        "transmission_distribution": transmission_bn * per_unit + dm_pkr_per_kwh,
        "allowed_losses": ppp_bn * per_unit * gross_up,
    }
    parts = {k: np.nan_to_num(v) for k, v in parts.items()}
    cost_of_supply = sum(parts.values())
    parts["tariff_lag"] = avg_notified_pkr_per_kwh - cost_of_supply
    parts["cross_subsidy"] = sez_tariff_pkr_per_kwh - avg_notified_pkr_per_kwh
    parts["package_support"] = sez_price_pkr_per_kwh - sez_tariff_pkr_per_kwh
    parts["legacy_debt_dss"] = np.broadcast_to(dss_pkr_per_kwh, cost_of_supply.shape).copy()
    parts["taxes"] = taxes_share * (sez_price_pkr_per_kwh + dss_pkr_per_kwh)
    parts["total"] = sez_price_pkr_per_kwh + dss_pkr_per_kwh + parts["taxes"]
    return parts


def zone_loss_multiplier(sez: Sez, timeline: Timeline, weights: np.ndarray) -> np.ndarray:
    """The SEZ class's loss multiplier each month: the load-weighted mean of its zones'
    (each zone's own, or the class's), or the class's when there is no load. (paths, T)"""
    default = np.asarray(sez.loss_multiplier, dtype=float)
    total = np.zeros((weights.shape[0], timeline.n_months))
    weighted = np.zeros_like(total)
    for z, zone in enumerate(sez.zones):
        one = Sez.model_construct(**{**sez.__dict__, "zones": [zone]})
        load = zone_load_gwh(one, timeline, weights[:, z:z + 1])
        lm = default if zone.loss_multiplier is None else zone.loss_multiplier
        total += load
        weighted += load * lm
    fallback = np.broadcast_to(default[..., None] if default.ndim else default, total.shape)
    return np.divide(weighted, total, out=np.array(fallback, dtype=float), where=total > 0)
