"""Tariff determination, adjustments and class tariffs (docs/model.md §9).

The regulator determines a base tariff at each rebasing from costs known then, grossed
up at the *allowed* loss; monthly fuel charge adjustments (FCA) and quarterly
adjustments (QTA) correct deviations from the reference with a lag; the government
notifies only ``pass_through`` of each determined change. All tariffs are Rs per kWh
sold; amounts are Rs bn; arrays are (paths,) or (paths, classes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from circdebt.model.demand import annualised_sales_gwh
from circdebt.model.state import MonthRecord
from circdebt.model.vectors import PerPath
from circdebt.units import BN_PER_GWH_TO_PKR_PER_KWH, GWH_TIMES_PKR_PER_KWH_TO_BN

#: Months of costs and sales a rebasing looks back on (docs/model.md §9): a year.
REBASING_WINDOW_MONTHS = 12


def rebase(
    trailing_sales_by_class_gwh: np.ndarray, trailing_units_gwh: np.ndarray,
    trailing_energy_cost_bn: np.ndarray, trailing_other_variable_bn: np.ndarray,
    capacity_run_rate_bn_per_month: np.ndarray, allowed_class_loss: np.ndarray,
    dm_pkr_per_kwh: np.ndarray, dm_share: np.ndarray, sales_growth: PerPath,
) -> tuple[np.ndarray, np.ndarray]:
    """Determined base tariff and its fuel part from costs known at rebasing.

    Projected sales by class = a year of sales (seasonally unbiased) x (1 + growth);
    projected units at the allowed loss U* = sum_c S_c / (1 - L*_c) (each class's own
    loss rate). Energy and other variable costs (transmission, net metering) are
    projected at their trailing cost per unit purchased; capacity at 12 x the latest
    monthly bill (contracts are fixed costs). Plus the distribution margin on the sales
    that carry it. Returns (determined total, fuel part), Rs/kWh sold, each (paths,).
    ``trailing_sales_by_class_gwh`` is (paths, classes).
    """
    by_class = trailing_sales_by_class_gwh * np.asarray(1.0 + sales_growth)[..., None]
    projected_sales = by_class.sum(axis=-1)
    projected_units = (by_class / (1.0 - allowed_class_loss)).sum(axis=-1)
    dm_bn = dm_pkr_per_kwh * (by_class * dm_share).sum(axis=-1) * GWH_TIMES_PKR_PER_KWH_TO_BN
    per_unit_energy = _ratio(trailing_energy_cost_bn, trailing_units_gwh)
    per_unit_other = _ratio(trailing_other_variable_bn, trailing_units_gwh)
    fuel_bn = per_unit_energy * projected_units
    nonfuel_bn = 12.0 * capacity_run_rate_bn_per_month + per_unit_other * projected_units
    fuel = _ratio(fuel_bn, projected_sales) * BN_PER_GWH_TO_PKR_PER_KWH
    total = fuel + _ratio(nonfuel_bn + dm_bn, projected_sales) * BN_PER_GWH_TO_PKR_PER_KWH
    return total, fuel


def notify(previous: np.ndarray, determined: np.ndarray, pass_through: PerPath) -> np.ndarray:
    """The notified tariff moves ``pass_through`` of the way to the determined one."""
    return previous + pass_through * (determined - previous)


def fuel_adjustment_pkr_per_kwh(
    energy_cost_bn: np.ndarray, units_gwh: np.ndarray, allowed_units_gwh: np.ndarray,
    sales_gwh: np.ndarray, fuel_reference_pkr_per_kwh: PerPath,
) -> np.ndarray:
    """Determined FCA for this month's deviation, charged later. [Rs/kWh sold], (paths,).

    Actual fuel cost at the allowed loss, per kWh sold, minus the reference:
    EC x (U*/U) / S - reference.
    """
    allowed_energy_bn = energy_cost_bn * _ratio(allowed_units_gwh, units_gwh)
    return _ratio(allowed_energy_bn, sales_gwh) * BN_PER_GWH_TO_PKR_PER_KWH \
        - fuel_reference_pkr_per_kwh


def normalised_multipliers(multiplier: np.ndarray, projected_mix_gwh: np.ndarray) -> np.ndarray:
    """Class multipliers scaled to be revenue neutral on the projected sales mix.

    m'_c = m_c x sum(S_c) / sum(m_c S_c). [1], (paths, classes).
    """
    weighted = (multiplier * projected_mix_gwh).sum(axis=-1, keepdims=True)
    total = projected_mix_gwh.sum(axis=-1, keepdims=True)
    return multiplier * _ratio(total, weighted, default=1.0)


def _ratio(num: np.ndarray, den: np.ndarray, default: float = 0.0) -> np.ndarray:
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    return np.divide(num, den, out=np.full(num.shape, default), where=den != 0)


@dataclass
class AdjustmentBook:
    """Adjustments determined now and recovered later, kept as amounts by month.

    A deviation (Rs bn) is booked for recovery in later months; in each month the
    booked amount is charged per kWh over that month's own sales, so a deviation is
    recovered in full (times the pass-through) whatever the sales of the months it is
    charged in. (A per-kWh rate fixed on the sales of the deviation's own months would
    over-recover winter deviations charged in spring and under-refund summer ones.)
    """

    fca_bn: np.ndarray  # (paths, T): FCA amount to recover in month t
    qta_bn: np.ndarray  # (paths, T): QTA amount to recover in month t
    qta_deviation_bn: np.ndarray  # (paths,) accumulating over the open adjustment period

    @classmethod
    def empty(cls, n_paths: int, n_months: int) -> AdjustmentBook:
        return cls(np.zeros((n_paths, n_months)), np.zeros((n_paths, n_months)),
                   np.zeros(n_paths))

    def schedule_fca(self, t: int, lag: int, amount_bn: np.ndarray) -> None:
        """Recover ``amount`` in month t + lag (dropped if past the horizon)."""
        if t + lag < self.fca_bn.shape[1]:
            self.fca_bn[:, t + lag] += amount_bn

    def accrue_qta(self, deviation_bn: np.ndarray) -> None:
        """Add this month's non-fuel deviation to the open period. [Rs bn]"""
        self.qta_deviation_bn = self.qta_deviation_bn + deviation_bn

    def close_period(self, t: int, period: int, lag: int, pass_through: PerPath) -> None:
        """Recover the period's deviation in equal parts over ``period`` months from t + lag.

        A lag of 0 starts in month t itself (the period's last month). Parts falling past
        the horizon are dropped.
        """
        end = min(t + lag + period, self.qta_bn.shape[1])
        if t + lag < end:
            self.qta_bn[:, t + lag:end] += (pass_through * self.qta_deviation_bn / period)[:, None]
        self.qta_deviation_bn = np.zeros_like(self.qta_deviation_bn)

    def rates_pkr_per_kwh(self, t: int, sales_gwh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """FCA and QTA charged in month t per kWh sold. [Rs/kWh], each (paths,)."""
        return (_ratio(self.fca_bn[:, t], sales_gwh) * BN_PER_GWH_TO_PKR_PER_KWH,
                _ratio(self.qta_bn[:, t], sales_gwh) * BN_PER_GWH_TO_PKR_PER_KWH)


# --------------------------------------------------------------------------- month steps


class Determination(NamedTuple):
    """The tariff in force: notified and determined base, fuel reference, multipliers."""

    notified_pkr_per_kwh: np.ndarray  # (paths,)
    determined_pkr_per_kwh: np.ndarray  # (paths,)
    fuel_reference_pkr_per_kwh: np.ndarray  # (paths,)
    multipliers: np.ndarray  # (paths, classes) or (classes,), revenue neutral


def initial_determination(
    determined_pkr_per_kwh: np.ndarray, fuel_reference_pkr_per_kwh: np.ndarray | None,
    energy_bn: np.ndarray, units_gwh: np.ndarray, units_allowed_gwh: np.ndarray,
    sales_gwh: np.ndarray, multiplier: np.ndarray, base_mix_gwh: np.ndarray,
) -> Determination:
    """The determination in force in the first month.

    The notified base is the determined one given by the scenario; the fuel reference is
    the given one or, if none is given, the first month's fuel cost per kWh sold at the
    allowed loss (so the first FCA is zero); multipliers are normalised on the base
    sales mix. ``sales_gwh`` is (paths, classes).
    """
    if fuel_reference_pkr_per_kwh is None:
        fuel_reference_pkr_per_kwh = fuel_adjustment_pkr_per_kwh(
            energy_bn, units_gwh, units_allowed_gwh, sales_gwh.sum(axis=1), 0.0)
    mix = np.broadcast_to(base_mix_gwh, sales_gwh.shape)
    return Determination(determined_pkr_per_kwh, determined_pkr_per_kwh,
                         fuel_reference_pkr_per_kwh, normalised_multipliers(multiplier, mix))


def rebase_on_window(
    window: Sequence[MonthRecord], seasonal_by_month: np.ndarray,
    allowed_class_loss: np.ndarray, dm_pkr_per_kwh: np.ndarray, dm_share: np.ndarray,
    sales_growth: PerPath,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`rebase` on the months of ``window`` (the last
    :data:`REBASING_WINDOW_MONTHS` months, oldest first): a year of their sales by class
    (seasonally unbiased), their units, energy and other variable costs, and the last
    month's capacity bill. Returns (determined, fuel reference) [Rs/kWh], (paths,) each.
    """
    months = np.array([r.calendar_month for r in window])
    return rebase(
        annualised_sales_gwh(np.stack([r.sales_by_class_gwh for r in window]),
                             seasonal_by_month[months - 1]),
        np.stack([r.units_gwh for r in window]).sum(axis=0),
        np.stack([r.energy_bn for r in window]).sum(axis=0),
        np.stack([r.other_variable_bn for r in window]).sum(axis=0),
        window[-1].capacity_bn, allowed_class_loss, dm_pkr_per_kwh, dm_share, sales_growth)


def determine(
    current: Determination, t: int, rebasing: bool, multiplier: np.ndarray,
    multiplier_changed: bool, window: Sequence[MonthRecord], pass_through: PerPath,
    seasonal_by_month: np.ndarray, allowed_class_loss: np.ndarray,
    dm_pkr_per_kwh: np.ndarray, dm_share: np.ndarray, sales_growth: PerPath,
) -> Determination:
    """The determination after this month's regulatory decisions (docs/model.md §9).

    In a rebasing month the regulator determines a new base from the window of past
    months (:func:`rebase_on_window`), the government notifies ``pass_through`` of the
    change, and class multipliers are renormalised on the window's sales mix. A change
    of multipliers between rebasings (a tariff rebalancing) is renormalised the same
    way. Otherwise the determination stays as it is. ``multiplier`` is this month's
    (class multipliers x any rebalancing scale).
    """
    window = list(window)[-REBASING_WINDOW_MONTHS:]
    rebalanced = not rebasing and t > 0 and multiplier_changed
    if not (rebasing or rebalanced) or not window:
        return current
    mix = np.stack([r.sales_by_class_gwh for r in window]).sum(axis=0)
    multipliers = normalised_multipliers(multiplier, mix)
    if rebalanced:
        return current._replace(multipliers=multipliers)
    determined, fuel_reference = rebase_on_window(window, seasonal_by_month, allowed_class_loss,
                                                  dm_pkr_per_kwh, dm_share, sales_growth)
    return Determination(notify(current.notified_pkr_per_kwh, determined, pass_through),
                         determined, fuel_reference, multipliers)


class Adjustments(NamedTuple):
    """This month's adjustments. FCA and QTA charged [Rs/kWh], the fuel deviation [Rs bn]."""

    fca_pkr_per_kwh: np.ndarray  # (paths,)
    qta_pkr_per_kwh: np.ndarray  # (paths,)
    fuel_deviation_bn: np.ndarray  # (paths,): fuel cost at the allowed loss over the reference


def adjust(
    book: AdjustmentBook, t: int, calendar_month: int, determination: Determination,
    energy_bn: np.ndarray, units_gwh: np.ndarray, units_allowed_gwh: np.ndarray,
    sales_gwh: np.ndarray, revenue_requirement_allowed_bn: np.ndarray,
    pass_through: PerPath, fca_lag: int, qta_period: int, qta_lag: int,
) -> Adjustments:
    """Book this month's deviations and return the adjustments charged in it.

    The cost at the allowed loss is compared with what the *determined* base recovers.
    Its fuel part, F = EC x U*/U - fuel reference x S, is charged as an FCA ``fca_lag``
    months later; the rest (capacity, other costs, sales mix) accrues to the open QTA
    period, which closes in calendar months divisible by ``qta_period`` and is charged
    over the next period from ``qta_lag`` months later. Only ``pass_through`` of each is
    notified (docs/model.md §9). ``sales_gwh`` is (paths, classes). Writes into ``book``.
    """
    total_sales = sales_gwh.sum(axis=1)
    fuel_deviation = fuel_adjustment_pkr_per_kwh(
        energy_bn, units_gwh, units_allowed_gwh, total_sales,
        determination.fuel_reference_pkr_per_kwh) * total_sales * GWH_TIMES_PKR_PER_KWH_TO_BN
    book.schedule_fca(t, fca_lag, pass_through * fuel_deviation)
    base_recovers = determination.determined_pkr_per_kwh * (
        determination.multipliers * sales_gwh).sum(axis=1) * GWH_TIMES_PKR_PER_KWH_TO_BN
    book.accrue_qta(revenue_requirement_allowed_bn - base_recovers - fuel_deviation)
    period = qta_period
    if calendar_month % period == 0:
        book.close_period(t, period, qta_lag, pass_through)
    fca, qta = book.rates_pkr_per_kwh(t, total_sales)
    return Adjustments(fca, qta, fuel_deviation)


def class_tariffs_pkr_per_kwh(
    notified_pkr_per_kwh: np.ndarray, multipliers: np.ndarray, fca_pkr_per_kwh: np.ndarray,
    qta_pkr_per_kwh: np.ndarray,
) -> np.ndarray:
    """Class tariffs: notified base x class multiplier + FCA + QTA (adjustments are
    uniform per kWh across classes). [Rs/kWh], (paths, classes)."""
    return notified_pkr_per_kwh[:, None] * multipliers \
        + (fca_pkr_per_kwh + qta_pkr_per_kwh)[:, None]
