"""The regulator's monthly references: the year a determination projects (docs/model.md §9).

A NEPRA determination carries, beside the uniform consumer tariff, a reference for each
month of the tariff year: units purchased, fuel cost per kWh, and the capacity and
transmission cost (NEPRA, determinations of the power purchase price, e.g. FY2026,
reported by Daily Times, 24 June 2025: PPP Rs25.98/kWh, capacity Rs16.67 and energy
Rs9.67 per kWh on average, with monthly references for the FCA such as Rs7.31/kWh for
August 2025). The FCA compares each month's fuel cost with that month's reference and
the quarterly adjustment compares capacity and other costs with the quarter's references,
so what the one uniform tariff over- or under-recovers by season is timing inside the
year, planned by the references, and not a deviation to refund.

This module holds the projection's arithmetic; :mod:`circdebt.engine.projection`
dispatches the projected months with the supply steps. Arrays are (paths, 12) indexed by
calendar month (January first), amounts in Rs bn, energy in GWh, prices in Rs/kWh.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from circdebt.model.vectors import ratio
from circdebt.units import BN_PER_GWH_TO_PKR_PER_KWH, GWH_TIMES_PKR_PER_KWH_TO_BN

#: Months a determination projects: a tariff year.
MONTHS_PROJECTED = 12


class References(NamedTuple):
    """The monthly references of a determination, by calendar month (January first).

    ``requirement_bn`` is what each month should cost at the allowed loss,
    fuel x allowed units + non-fuel (allowed share) + distribution margin; the uniform
    tariff is the year's requirement over the year's projected sales.
    """

    sales_gwh: np.ndarray  # (paths, 12) projected sales
    units_allowed_gwh: np.ndarray  # (paths, 12) projected units purchased at the allowed loss
    fuel_pkr_per_kwh: np.ndarray  # (paths, 12) fuel cost per kWh the plants deliver
    nonfuel_allowed_bn: np.ndarray  # (paths, 12) capacity, VO&M, transmission: allowed share
    dm_bn: np.ndarray  # (paths, 12) distribution margin

    @property
    def requirement_bn(self) -> np.ndarray:
        """Each month's reference cost at the allowed loss. [Rs bn], (paths, 12)."""
        return (self.fuel_pkr_per_kwh * self.units_allowed_gwh * GWH_TIMES_PKR_PER_KWH_TO_BN
                + self.nonfuel_allowed_bn + self.dm_bn)

    @property
    def uniform_pkr_per_kwh(self) -> np.ndarray:
        """The uniform tariff that recovers the year's references on its projected sales:
        sum_m RR_ref,m / sum_m S_m. [Rs/kWh sold], (paths,)."""
        return ratio(self.requirement_bn.sum(axis=1),
                      self.sales_gwh.sum(axis=1)) * BN_PER_GWH_TO_PKR_PER_KWH

    def timing_bn(self, calendar_month: int) -> np.ndarray:
        """What the uniform tariff under-recovers in a calendar month by design:
        RR_ref,m - uniform x S_m (negative when it over-recovers; the twelve sum to zero).
        [Rs bn], (paths,)."""
        m = calendar_month - 1
        return self.requirement_bn[:, m] - self.uniform_pkr_per_kwh * self.sales_gwh[:, m] \
            * GWH_TIMES_PKR_PER_KWH_TO_BN

    def sales_weights(self, calendar_months: np.ndarray) -> np.ndarray:
        """Shares of the projected sales falling in each of ``calendar_months`` (the months
        an amount recovered over the year is spread on). [1], (paths, len(months))."""
        sales = self.sales_gwh[:, np.asarray(calendar_months) - 1]
        total = sales.sum(axis=1, keepdims=True)
        return np.divide(sales, total, out=np.full(sales.shape, 1.0 / sales.shape[1]),
                         where=total > 0)


def projected_sales_by_class_gwh(annual_by_class_gwh: np.ndarray, growth: np.ndarray | float,
                                 seasonal_by_month: np.ndarray) -> np.ndarray:
    """Projected sales of each calendar month by class. [GWh], (paths, 12, classes).

    S_m,c = A_c x (1 + growth) / 12 x f_c(m): a year of sales (seasonally unbiased, §4)
    grown by the regulator's projected growth and spread by the seasonal profile
    (mean 1). ``annual_by_class_gwh`` is (paths, classes), ``seasonal_by_month``
    (12, classes).
    """
    grown = np.asarray(annual_by_class_gwh) * np.asarray(1.0 + growth)[..., None] / 12.0
    return grown[:, None, :] * seasonal_by_month[None, :, :]


def references_from_projection(
    sales_by_class_gwh: np.ndarray, units_gwh: np.ndarray, units_allowed_gwh: np.ndarray,
    fuel_bn: np.ndarray, nonfuel_bn: np.ndarray, dm_pkr_per_kwh: np.ndarray | float,
    dm_share: np.ndarray,
) -> References:
    """The references of a projected year. All (paths, 12) except sales (paths, 12, classes).

    fuel_m = F_m / U_m: fuel cost per kWh the plants deliver, at the projected merit order
    (``units`` are the projected purchases from the plants, after transmission losses);
    non-fuel allowed_m = (CP_m + VOM_m + TX_m) x U*_m / U_m: the regulator allows the
    capacity, variable O&M and transmission bill in the share of units needed at the
    allowed loss, the same share the sector's allowed cost uses (§8), so a loss rate as
    projected leaves no quarterly deviation; DM_m = dm x sum_c share_c S_m,c.
    """
    sales = sales_by_class_gwh.sum(axis=-1)
    allowed_share = ratio(units_allowed_gwh, units_gwh)
    dm = np.asarray(dm_pkr_per_kwh)[..., None] * (sales_by_class_gwh * dm_share).sum(axis=-1) \
        * GWH_TIMES_PKR_PER_KWH_TO_BN
    return References(sales, units_allowed_gwh,
                      ratio(fuel_bn, units_gwh) * BN_PER_GWH_TO_PKR_PER_KWH,
                      nonfuel_bn * allowed_share, np.broadcast_to(dm, sales.shape))


def with_fuel_references(references: References, given_pkr_per_kwh: np.ndarray) -> References:
    """Published fuel references where given (not NaN), the projection's elsewhere.

    ``given_pkr_per_kwh`` is (12,) by calendar month, NaN where the scenario gives none.
    """
    given = np.asarray(given_pkr_per_kwh, dtype=float)
    fuel = np.where(np.isnan(given), references.fuel_pkr_per_kwh, given)
    return references._replace(fuel_pkr_per_kwh=fuel)


def scaled_to_average_fuel(references: References, average_pkr_per_kwh_sold: np.ndarray
                           ) -> References:
    """The fuel references scaled to a given yearly average per kWh sold at the allowed
    loss, sum_m fuel_m U*_m / sum_m S_m, keeping the projection's seasonal shape."""
    projected = ratio((references.fuel_pkr_per_kwh * references.units_allowed_gwh).sum(axis=1),
                       references.sales_gwh.sum(axis=1))
    scale = ratio(np.asarray(average_pkr_per_kwh_sold, dtype=float), projected, default=1.0)
    return references._replace(fuel_pkr_per_kwh=references.fuel_pkr_per_kwh * scale[:, None])

