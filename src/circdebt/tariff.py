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
    trailing_sales_gwh: np.ndarray, trailing_units_gwh: np.ndarray,
    trailing_energy_cost_bn: np.ndarray, trailing_other_variable_bn: np.ndarray,
    capacity_run_rate_bn_per_month: np.ndarray, allowed_loss: np.ndarray,
    dm_pkr_per_kwh: np.ndarray, sales_growth: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Determined base tariff and its fuel part from costs known at rebasing.

    Projected sales = trailing 12-month sales x (1 + growth); projected units at the
    allowed loss U* = sales / (1 - L*). Energy and other variable costs (transmission,
    net metering) are projected at their trailing cost per unit purchased; capacity at
    12 x the latest monthly bill (contracts are fixed costs). Plus the distribution
    margin. Returns (determined total, fuel part), Rs/kWh sold, each (paths,).
    """
    projected_sales = trailing_sales_gwh * (1.0 + sales_growth)
    projected_units = projected_sales / (1.0 - allowed_loss)
    per_unit_energy = _ratio(trailing_energy_cost_bn, trailing_units_gwh)
    per_unit_other = _ratio(trailing_other_variable_bn, trailing_units_gwh)
    fuel_bn = per_unit_energy * projected_units
    nonfuel_bn = 12.0 * capacity_run_rate_bn_per_month + per_unit_other * projected_units
    fuel = _ratio(fuel_bn, projected_sales) * 1e3
    total = fuel + _ratio(nonfuel_bn, projected_sales) * 1e3 + dm_pkr_per_kwh
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
    """Adjustments determined now and charged later: per-kWh adders by month.

    ``adder[:, t]`` is the notified Rs/kWh added to every class tariff in month t.
    """

    fca: np.ndarray  # (paths, T)
    qta: np.ndarray  # (paths, T)
    qta_deviation_bn: np.ndarray  # (paths,) accumulating over the open adjustment period
    qta_sales_gwh: np.ndarray  # (paths,)

    @classmethod
    def empty(cls, n_paths: int, n_months: int) -> AdjustmentBook:
        return cls(np.zeros((n_paths, n_months)), np.zeros((n_paths, n_months)),
                   np.zeros(n_paths), np.zeros(n_paths))

    def schedule_fca(self, t: int, lag: int, rate: np.ndarray) -> None:
        """Charge ``rate`` in month t + lag (dropped if past the horizon)."""
        if t + lag < self.fca.shape[1]:
            self.fca[:, t + lag] += rate

    def accrue_qta(self, deviation_bn: np.ndarray, sales_gwh: np.ndarray) -> None:
        """Add this month's non-fuel deviation (Rs bn) and sales to the open period."""
        self.qta_deviation_bn = self.qta_deviation_bn + deviation_bn
        self.qta_sales_gwh = self.qta_sales_gwh + sales_gwh

    def close_period(self, t: int, period: int, lag: int, pass_through: float) -> None:
        """Charge the period's deviation per kWh sold over ``period`` months from t + lag.

        A lag of 0 charges it from month t itself (the period's last month).
        """
        rate = _ratio(self.qta_deviation_bn, self.qta_sales_gwh) * 1e3 * pass_through
        end = min(t + lag + period, self.qta.shape[1])
        if t + lag < end:
            self.qta[:, t + lag:end] += rate[:, None]
        self.qta_deviation_bn = np.zeros_like(self.qta_deviation_bn)
        self.qta_sales_gwh = np.zeros_like(self.qta_sales_gwh)
