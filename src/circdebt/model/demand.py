"""Demand: consumer classes, seasonality and the response to real tariffs (docs/model.md §4).

Arrays are (paths, classes); class parameters are (classes,) or, when drawn per path,
(paths, classes), and broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from circdebt.model.state import MonthRecord

#: Months the real tariff is averaged over for the price response (docs/model.md §4):
#: "the real tariff smoothed over the past 12 months".
PRICE_WINDOW_MONTHS = 12


@dataclass(frozen=True)
class ClassArrays:
    """Consumer-class parameters as arrays over classes (fractions, not percents)."""

    names: list[str]
    base_sales_gwh_per_month: np.ndarray  # [GWh/month]
    growth_per_year: np.ndarray  # [fraction/yr]
    seasonal_by_month: np.ndarray  # (12, classes), Jan..Dec, mean 1 [1]
    price_elasticity: np.ndarray  # [1], <= 0
    tariff_multiplier: np.ndarray  # [1]
    billed_share: np.ndarray  # share of the notified class tariff the consumer pays [1]
    recovery: np.ndarray  # share of bills collected [1]
    solar_share: np.ndarray  # share of self-consumed rooftop solar hosted by the class [1]
    loss_multiplier: np.ndarray  # the class's loss rate relative to the system loss [1]
    dm_share: np.ndarray  # share of the distribution margin charged on its sales [1]
    recovery_elasticity: np.ndarray  # recovery falls as the real tariff rises [1]
    fca_exempt_negative: np.ndarray  # 1 where the class is not charged negative FCAs
    fca_exempt_all: np.ndarray  # 1 where the class is charged no FCA
    sez_column: int  # the column of the class that carries SEZ load

    @property
    def n(self) -> int:
        return len(self.names)


def underlying_sales_gwh(
    base_gwh_per_month: np.ndarray, growth_per_year: np.ndarray, seasonal: np.ndarray, t: int,
) -> np.ndarray:
    """Sales before price response and solar. [GWh], (classes,) or (paths, classes).

    S0_c,t = base_c / 12 x (1 + g_c) ** (t / 12) x season_c(calendar month of t)
    (docs/model.md §4). ``seasonal`` is the calendar month's row of the seasonal
    profiles (mean 1 over the year).
    """
    trend = (1.0 + growth_per_year) ** (t / 12.0)
    return base_gwh_per_month * trend * seasonal


def price_response(
    smoothed_real_tariff: np.ndarray, reference_real_tariff: np.ndarray, elasticity: np.ndarray,
) -> np.ndarray:
    """Constant-elasticity demand factor (smoothed real tariff / reference) ** elasticity.

    Tariffs are CPI-deflated and averaged over the past :data:`PRICE_WINDOW_MONTHS`
    months weighted by sales (docs/model.md §4). [1], (paths, classes).
    """
    ratio = np.divide(smoothed_real_tariff, reference_real_tariff,
                      out=np.ones_like(smoothed_real_tariff), where=reference_real_tariff > 0)
    return np.power(np.maximum(ratio, 1e-9), elasticity)


def smoothed_real_tariff(
    paid_x_sales_sum: np.ndarray, sales_sum: np.ndarray, reference_real_tariff: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The sales-weighted mean real tariff of the window, and its ratio to the reference.

    P̄_c = sum_w (real tariff x sales) / sum_w sales over the window w of past months
    (the reference where the window holds no sales). Returns (P̄ [Rs/kWh at start-month
    prices], P̄ / reference [1]), each (paths, classes). The ratio also drives the
    recovery response (:func:`circdebt.model.billing.recovery_rates`).
    """
    smoothed = np.divide(paid_x_sales_sum, sales_sum, out=reference_real_tariff.copy(),
                         where=sales_sum > 0)
    ratio = np.divide(smoothed, reference_real_tariff, out=np.ones_like(smoothed),
                      where=reference_real_tariff > 0)
    return smoothed, ratio


def real_tariff_paid(
    class_tariff_pkr_per_kwh: np.ndarray, billed_share: np.ndarray, pk_cpi_index: np.ndarray,
) -> np.ndarray:
    """What a class pays per kWh in start-month rupees: tariff x billed share / PK CPI.

    [Rs/kWh], (paths, classes); ``pk_cpi_index`` is (paths,).
    """
    return class_tariff_pkr_per_kwh * billed_share / pk_cpi_index[:, None]


def window_step(
    sums: tuple[np.ndarray, np.ndarray], leaving: MonthRecord | None,
    paid_x_sales: np.ndarray, sales_gwh: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The price window after this month: its (real tariff x sales, sales) join, and the
    month :data:`PRICE_WINDOW_MONTHS` ago (``leaving``, if the window is full) leaves."""
    dropped = None if leaving is None else (leaving.paid_x_sales, leaving.sales_by_class_gwh)
    return window_sums(sums, (paid_x_sales, sales_gwh), dropped)


def window_sums(
    sums: tuple[np.ndarray, np.ndarray], added: tuple[np.ndarray, np.ndarray],
    dropped: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Running sums of (real tariff x sales, sales) after a month joins the window and,
    once the window is full, its oldest month leaves it. (paths, classes) each."""
    paid_x_sales, sales = sums[0] + added[0], sums[1] + added[1]
    if dropped is not None:
        paid_x_sales, sales = paid_x_sales - dropped[0], sales - dropped[1]
    return paid_x_sales, sales


def sales_wanted_gwh(
    underlying_gwh: np.ndarray, response: np.ndarray, self_consumed_gwh: np.ndarray,
    extra_gwh: np.ndarray, sez_column: int, sez_load_gwh: np.ndarray,
) -> np.ndarray:
    """Grid sales wanted this month, before any shortfall of supply. [GWh], (paths, classes).

    max(S0 x price response - self-consumed rooftop solar, 0) + extra load moved to the
    grid (``captive_to_grid``), and the SEZ zones' load (net of captive supply) in the
    SEZ class's column.
    """
    wanted = np.maximum(underlying_gwh * response - self_consumed_gwh, 0.0) + extra_gwh
    wanted[:, sez_column] += sez_load_gwh
    return wanted


def served_sales_gwh(
    wanted_gwh: np.ndarray, units_delivered_gwh: np.ndarray, units_wanted_gwh: np.ndarray,
) -> np.ndarray:
    """Sales after load-shedding: each class's wanted sales times the share of wanted
    units the system could deliver. [GWh], (paths, classes)."""
    served = np.divide(units_delivered_gwh, units_wanted_gwh,
                       out=np.ones(units_wanted_gwh.shape), where=units_wanted_gwh > 0)
    return wanted_gwh * served[:, None]


def annualised_sales_gwh(sales_gwh: np.ndarray, seasonal: np.ndarray) -> np.ndarray:
    """A year of sales by class, projected from the months observed without seasonal bias.

    Each class's observed sales over its seasonal factors for those months, times 12:
    sum_t S_c,t / sum_t f_c(m_t) x 12 (equal to the plain sum when 12 whole months are
    observed). ``sales_gwh`` is (months, paths, classes), ``seasonal`` (months,
    classes). [GWh], (paths, classes).
    """
    factors = seasonal.sum(axis=0)
    return np.divide(sales_gwh.sum(axis=0) * 12.0, factors,
                     out=np.zeros(sales_gwh.shape[1:]), where=factors > 0)
