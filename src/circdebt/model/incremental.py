"""An incremental-consumption tariff: a lower price on the units a class uses above a
reference consumption, and the extra units it draws (docs/model.md §9).

Pakistan's package: Rs22.98/kWh for industry and agriculture on consumption above a
reference, November 2025 - October 2028, capacity charges removed from those units
(Particle News, "Pakistan launches three-year Rs22.98 power rate for incremental
industrial and farm use", 2025,
https://particle.news/story/pakistan-launches-three-year-rs2298-power-rate-for-incremental-industrial-and-farm-use).

Working units: GWh, Rs/kWh (nominal unless said real), Rs bn, fractions; arrays
(paths, classes).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from circdebt.units import GWH_TIMES_PKR_PER_KWH_TO_BN


def reference_sales_gwh(last_year_gwh: np.ndarray, reference_share: np.ndarray) -> np.ndarray:
    """The reference consumption of each class this month: ``reference_share`` (r / 100 of
    ``reference_pct_of_last_year``) x its sales in the same month a year before.
    [GWh], (paths, classes)."""
    return reference_share * last_year_gwh


def incremental_units_gwh(sales_gwh: np.ndarray, reference_gwh: np.ndarray) -> np.ndarray:
    """Units above the reference, I = max(S - R, 0). [GWh], (paths, classes)."""
    return np.maximum(sales_gwh - reference_gwh, 0.0)


def price_ratio(price_real_pkr_per_kwh: np.ndarray,
                tariff_real_pkr_per_kwh: np.ndarray | None, weight: np.ndarray) -> np.ndarray:
    """The incremental price relative to the class's tariff, p_eff / P, for the price
    response: p_eff = P - w (P - min(p, P)) phases the price in with the policy weight w;
    P is the class's real tariff paid over the past 12 months (as in §4; None in a run's
    first month, when there is no response: ratio 1). Where there is no price (NaN), 1.
    [1], (paths, classes)."""
    if tariff_real_pkr_per_kwh is None:
        return np.ones(np.broadcast_shapes(np.shape(price_real_pkr_per_kwh), np.shape(weight)))
    tariff = np.maximum(tariff_real_pkr_per_kwh, 1e-9)
    price = np.where(np.isnan(price_real_pkr_per_kwh), tariff,
                     np.minimum(price_real_pkr_per_kwh, tariff))
    return 1.0 - weight * (1.0 - price / tariff)


def induced_sales_gwh(wanted_gwh: np.ndarray, reference_gwh: np.ndarray,
                      ratio: np.ndarray, elasticity: np.ndarray) -> np.ndarray:
    """Sales wanted with the incremental price: the units above the reference respond to
    their lower price with the class's price elasticity e (constant elasticity),
    S' = S + max(S - R, 0) x (ratio ** e - 1). Units below the reference keep the class
    tariff, so they do not respond. [GWh], (paths, classes)."""
    return wanted_gwh + incremental_units_gwh(wanted_gwh, reference_gwh) * (
        np.maximum(ratio, 1e-9) ** elasticity - 1.0)


class Incremental(NamedTuple):
    """What an incremental tariff does to a month's bills. (paths, classes) each."""

    class_tariff_pkr_per_kwh: np.ndarray  # average tariff per kWh after the discount
    units_gwh: np.ndarray  # units above the reference while the tariff is in force [GWh]
    discount_bn: np.ndarray  # revenue given up on them against the class tariff [Rs bn]


def discount(class_tariff_pkr_per_kwh: np.ndarray, sales_gwh: np.ndarray,
             reference_gwh: np.ndarray, price_pkr_per_kwh: np.ndarray,
             weight: np.ndarray) -> Incremental:
    """Bill the units above the reference at the incremental price (never above the
    class tariff), phased in with the weight w: the discount is
    D_c = w x max(T_c - p, 0) x I_c and the class's average tariff T_c - D_c / S_c.
    Without a price (NaN) or weight 0 nothing changes. [Rs/kWh], [GWh], [Rs bn]."""
    units = incremental_units_gwh(sales_gwh, reference_gwh)
    on = ~np.isnan(price_pkr_per_kwh) & (weight > 0)
    units = np.where(on, units, 0.0)
    per_kwh = np.where(on, weight * np.maximum(class_tariff_pkr_per_kwh
                                               - np.nan_to_num(price_pkr_per_kwh), 0.0), 0.0)
    cut = np.divide(per_kwh * units, sales_gwh, out=np.zeros(np.shape(units)),
                    where=sales_gwh > 0)
    return Incremental(class_tariff_pkr_per_kwh - cut, units,
                       per_kwh * units * GWH_TIMES_PKR_PER_KWH_TO_BN)
