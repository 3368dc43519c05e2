"""Tariff determination, adjustments and class tariffs (MODEL.md §6).

The regulator determines a base tariff at each rebasing from costs known then, grossed
up at the *allowed* loss; monthly fuel charge adjustments (FCA) and quarterly
adjustments (QTA) correct deviations from the reference with a lag; the government
notifies only ``pass_through`` of each determined change. All tariffs are Rs per kWh
sold; amounts are Rs bn; arrays are (paths,) or (paths, classes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def rebase(
    trailing_sales_by_class_gwh: np.ndarray, trailing_units_gwh: np.ndarray,
    trailing_energy_cost_bn: np.ndarray, trailing_other_variable_bn: np.ndarray,
    capacity_run_rate_bn_per_month: np.ndarray, allowed_class_loss: np.ndarray,
    dm_pkr_per_kwh: np.ndarray, dm_share: np.ndarray, sales_growth: float,
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
    dm_bn = dm_pkr_per_kwh * (by_class * dm_share).sum(axis=-1) * 1e-3
    per_unit_energy = _ratio(trailing_energy_cost_bn, trailing_units_gwh)
    per_unit_other = _ratio(trailing_other_variable_bn, trailing_units_gwh)
    fuel_bn = per_unit_energy * projected_units
    nonfuel_bn = 12.0 * capacity_run_rate_bn_per_month + per_unit_other * projected_units
    fuel = _ratio(fuel_bn, projected_sales) * 1e3
    total = fuel + _ratio(nonfuel_bn + dm_bn, projected_sales) * 1e3
    return total, fuel


def notify(previous: np.ndarray, determined: np.ndarray, pass_through: float) -> np.ndarray:
    """The notified tariff moves ``pass_through`` of the way to the determined one."""
    return previous + pass_through * (determined - previous)


def fuel_adjustment_pkr_per_kwh(
    energy_cost_bn: np.ndarray, units_gwh: np.ndarray, allowed_units_gwh: np.ndarray,
    sales_gwh: np.ndarray, fuel_reference_pkr_per_kwh: np.ndarray,
) -> np.ndarray:
    """Determined FCA for this month's deviation, charged later. [Rs/kWh sold], (paths,).

    Actual fuel cost at the allowed loss, per kWh sold, minus the reference:
    EC x (U*/U) / S - reference.
    """
    allowed_energy_bn = energy_cost_bn * _ratio(allowed_units_gwh, units_gwh)
    return _ratio(allowed_energy_bn, sales_gwh) * 1e3 - fuel_reference_pkr_per_kwh


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

    def close_period(self, t: int, period: int, lag: int, pass_through: float) -> None:
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
        return (_ratio(self.fca_bn[:, t], sales_gwh) * 1e3,
                _ratio(self.qta_bn[:, t], sales_gwh) * 1e3)
