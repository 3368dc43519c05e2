"""Tariff determination, adjustments and class tariffs (docs/model.md §9).

The regulator determines, at each rebasing, a uniform base tariff and twelve monthly
references from its projection of the year ahead (:mod:`circdebt.model.references`),
grossed up at the *allowed* loss. The monthly fuel charge adjustment (FCA) compares
each month's fuel cost per kWh with that month's reference; the quarterly adjustment
(QTA) compares capacity and other costs with the quarter's references; what the
determined tariff under-recovers beyond the seasonal timing the references plan is
recovered over the next year as a prior-year adjustment (PYA). The government notifies
only ``pass_through`` of each determined change. Tariffs are Rs per kWh sold unless a
name says otherwise; amounts are Rs bn; arrays are (paths,) or (paths, classes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from circdebt.model.demand import annualised_sales_gwh
from circdebt.model.references import (
    References,
    projected_sales_by_class_gwh,
    scaled_to_average_fuel,
    with_fuel_references,
)
from circdebt.model.state import MonthRecord
from circdebt.model.vectors import PerPath, ratio
from circdebt.units import BN_PER_GWH_TO_PKR_PER_KWH, GWH_TIMES_PKR_PER_KWH_TO_BN

#: Months of sales a rebasing looks back on (docs/model.md §9): a year.
REBASING_WINDOW_MONTHS = 12


def notify(previous: np.ndarray, determined: np.ndarray, pass_through: PerPath) -> np.ndarray:
    """The notified tariff moves ``pass_through`` of the way to the determined one."""
    return previous + pass_through * (determined - previous)


def normalised_multipliers(multiplier: np.ndarray, projected_mix_gwh: np.ndarray) -> np.ndarray:
    """Class multipliers scaled to be revenue neutral on the projected sales mix.

    m'_c = m_c x sum(S_c) / sum(m_c S_c). [1], (paths, classes).
    """
    weighted = (multiplier * projected_mix_gwh).sum(axis=-1, keepdims=True)
    total = projected_mix_gwh.sum(axis=-1, keepdims=True)
    return multiplier * ratio(total, weighted, default=1.0)



@dataclass
class AdjustmentBook:
    """Adjustments determined now and recovered later, kept as amounts by month.

    A deviation (Rs bn) is booked for recovery in later months; in each month the
    booked amount is charged per kWh over that month's own sales, so a deviation is
    recovered in full (times the pass-through) whatever the sales of the months it is
    charged in. (A per-kWh rate fixed on the sales of the deviation's own months would
    over-recover winter deviations charged in spring and under-refund summer ones.)
    Three kinds: the FCA, the quarterly adjustment (QTA) and the prior-year adjustment
    (PYA), each (paths, T); and the two amounts still accruing: the open QTA period's
    deviation and the residual the next rebasing recognises as a PYA.
    """

    fca_bn: np.ndarray  # (paths, T): FCA amount to recover in month t
    qta_bn: np.ndarray  # (paths, T): QTA amount to recover in month t
    pya_bn: np.ndarray  # (paths, T): PYA amount to recover in month t
    qta_deviation_bn: np.ndarray  # (paths,) accumulating over the open adjustment period
    pya_residual_bn: np.ndarray  # (paths,) accumulating until the next rebasing

    @classmethod
    def empty(cls, n_paths: int, n_months: int) -> AdjustmentBook:
        return cls(np.zeros((n_paths, n_months)), np.zeros((n_paths, n_months)),
                   np.zeros((n_paths, n_months)), np.zeros(n_paths), np.zeros(n_paths))

    @classmethod
    def opening(cls, n_paths: int, fca: np.ndarray, qta: np.ndarray,
                pya: np.ndarray) -> AdjustmentBook:
        """The book on the start date: FCA, QTA and PYA amounts already determined and not
        yet charged, by month [Rs bn], (T,) each (docs/model.md §9, the opening book)."""
        book = cls.empty(n_paths, len(fca))
        book.fca_bn += fca
        book.qta_bn += qta
        book.pya_bn += pya
        return book

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

    def accrue_residual(self, residual_bn: np.ndarray) -> None:
        """Add this month's unplanned under-recovery at the determined tariff. [Rs bn]"""
        self.pya_residual_bn = self.pya_residual_bn + residual_bn

    def book_pya(self, t: int, weights: np.ndarray, pass_through: PerPath) -> np.ndarray:
        """Recognise the residual as a prior-year adjustment, recovered from month t over
        the months of ``weights`` (paths, months; each row sums to 1: the new year's
        projected sales shares). Only ``pass_through`` of it is notified; parts past the
        horizon are dropped. Returns the PYA determined (before pass-through). [Rs bn]"""
        pya = self.pya_residual_bn
        end = min(t + weights.shape[1], self.pya_bn.shape[1])
        self.pya_bn[:, t:end] += (pass_through * pya)[:, None] * weights[:, :end - t]
        self.pya_residual_bn = np.zeros_like(pya)
        return pya

    def charged_bn(self, t: int, sales_gwh: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                    np.ndarray]:
        """FCA, QTA and PYA amounts charged in month t: the booked amounts, none in a
        month without sales. [Rs bn], each (paths,)."""
        some = sales_gwh > 0
        return (np.where(some, self.fca_bn[:, t], 0.0), np.where(some, self.qta_bn[:, t], 0.0),
                np.where(some, self.pya_bn[:, t], 0.0))

    def rates_pkr_per_kwh(self, t: int, sales_gwh: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """FCA, QTA and PYA charged in month t per kWh sold. [Rs/kWh], each (paths,)."""
        return (ratio(self.fca_bn[:, t], sales_gwh) * BN_PER_GWH_TO_PKR_PER_KWH,
                ratio(self.qta_bn[:, t], sales_gwh) * BN_PER_GWH_TO_PKR_PER_KWH,
                ratio(self.pya_bn[:, t], sales_gwh) * BN_PER_GWH_TO_PKR_PER_KWH)


# --------------------------------------------------------------------------- month steps


class Determination(NamedTuple):
    """The tariff in force: notified and determined base, monthly references, multipliers."""

    notified_pkr_per_kwh: np.ndarray  # (paths,)
    determined_pkr_per_kwh: np.ndarray  # (paths,)
    references: References  # the twelve monthly references of the tariff year
    multipliers: np.ndarray  # (paths, classes) or (classes,), revenue neutral


def initial_references(projected: References, given_fuel_pkr_per_kwh: np.ndarray,
                       average_fuel_pkr_per_kwh_sold: np.ndarray | None) -> References:
    """The references of the determination in force on the start date: the regulator's
    projection at the start, its fuel references scaled to a given yearly average (per
    kWh sold at the allowed loss) if the scenario gives one, and published monthly fuel
    references where the scenario gives them (``given_fuel_pkr_per_kwh`` (12,), NaN
    where none)."""
    refs = projected if average_fuel_pkr_per_kwh_sold is None \
        else scaled_to_average_fuel(projected, average_fuel_pkr_per_kwh_sold)
    return with_fuel_references(refs, given_fuel_pkr_per_kwh)


def initial_determination(
    determined_pkr_per_kwh: np.ndarray, references: References, multiplier: np.ndarray,
    base_mix_gwh: np.ndarray, n_paths: int,
) -> Determination:
    """The determination in force in the first month: the notified base is the determined
    one given by the scenario, with the references of :func:`initial_references`;
    multipliers are normalised on the base sales mix."""
    mix = np.broadcast_to(base_mix_gwh, (n_paths, np.shape(base_mix_gwh)[-1]))
    return Determination(determined_pkr_per_kwh, determined_pkr_per_kwh, references,
                         normalised_multipliers(multiplier, mix))


def projected_sales_from_window(window: Sequence[MonthRecord], seasonal_by_month: np.ndarray,
                                sales_growth: PerPath) -> np.ndarray:
    """The sales a rebasing projects, by calendar month and class: a year of the window's
    sales (seasonally unbiased, §4) x (1 + growth), spread by the seasonal profiles.
    [GWh], (paths, 12, classes). ``window`` is the last months, oldest first; only the
    last :data:`REBASING_WINDOW_MONTHS` are read."""
    window = list(window)[-REBASING_WINDOW_MONTHS:]
    months = np.array([r.calendar_month for r in window])
    annual = annualised_sales_gwh(np.stack([r.sales_by_class_gwh for r in window]),
                                  seasonal_by_month[months - 1])
    return projected_sales_by_class_gwh(annual, sales_growth, seasonal_by_month)


def determine(
    current: Determination, t: int, multiplier: np.ndarray, multiplier_changed: bool,
    window: Sequence[MonthRecord], references: References | None,
    projected_mix_gwh: np.ndarray | None, pass_through: PerPath,
) -> Determination:
    """The determination after this month's regulatory decisions (docs/model.md §9).

    In a rebasing month (``references`` given: the regulator's projection of the year
    ahead, :mod:`circdebt.engine.projection`) the determined base becomes the uniform
    tariff that recovers the year's references on its projected sales, the government
    notifies ``pass_through`` of the move, and class multipliers are renormalised on the
    projected sales mix ``projected_mix_gwh`` (paths, classes). A change of multipliers
    between rebasings (a tariff rebalancing) is renormalised on the window's sales mix.
    Otherwise the determination stays as it is. ``multiplier`` is this month's (class
    multipliers x any rebalancing scale).
    """
    if references is not None and projected_mix_gwh is not None:
        determined = references.uniform_pkr_per_kwh
        return Determination(notify(current.notified_pkr_per_kwh, determined, pass_through),
                             determined, references,
                             normalised_multipliers(multiplier, projected_mix_gwh))
    window = list(window)[-REBASING_WINDOW_MONTHS:]
    if t > 0 and multiplier_changed and window:
        mix = np.stack([r.sales_by_class_gwh for r in window]).sum(axis=0)
        return current._replace(multipliers=normalised_multipliers(multiplier, mix))
    return current


class Adjustments(NamedTuple):
    """This month's adjustments and the tariff's lines of the flow (docs/model.md §9, §16).

    Rates charged are Rs/kWh sold; the determined FCA and the fuel reference are
    Rs/kWh purchased, as NEPRA notifies them; amounts are Rs bn. (paths,) each.
    """

    fca_pkr_per_kwh: np.ndarray  # FCA charged this month
    qta_pkr_per_kwh: np.ndarray  # QTA charged this month
    pya_pkr_per_kwh: np.ndarray  # PYA charged this month
    fca_determined_pkr_per_kwh: np.ndarray  # this month's fuel cost minus its reference
    fuel_reference_pkr_per_kwh: np.ndarray  # this month's reference fuel cost
    fuel_deviation_bn: np.ndarray  # (fuel cost - reference) x allowed units
    nonfuel_deviation_bn: np.ndarray  # this month's quarterly-adjustment deviation
    seasonal_timing_bn: np.ndarray  # what the uniform tariff under-recovers by design
    pending_adjustments_bn: np.ndarray  # FCA and QTA determined minus charged
    prior_year_adjustment_bn: np.ndarray  # minus the PYA charged


def fuel_deviation(fuel_bn: np.ndarray, delivered_gwh: np.ndarray, units_gwh: np.ndarray,
                   units_allowed_gwh: np.ndarray, fuel_reference_pkr_per_kwh: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The month's determined FCA and its amount (NEPRA's monthly fuel charge adjustment).

    FCA = F / D - f_ref,m: the fuel cost per kWh the plants delivered to the distribution
    companies (D, after transmission losses) against the month's reference fuel cost
    component [Rs/kWh], as NEPRA's FCA decisions compare them (e.g. July 2025: actual
    8.0899 against the reference 9.8758, FCA -1.7859; Dawn, 10 September 2025);
    amount = FCA x D x U*/U: the plants' units in the share of units allowed for the sales
    (U purchased includes rooftop exports, which burn no fuel), so
    fuel spent on losses above the allowance is not passed on (NEPRA charges the rate on
    units sold and recovers the allowed losses' part in the quarterly adjustment, "T&D
    losses on FCA"; the model books both as the FCA) [Rs bn]. (paths,) each.
    """
    rate = ratio(fuel_bn, delivered_gwh) * BN_PER_GWH_TO_PKR_PER_KWH - fuel_reference_pkr_per_kwh
    allowed_generation = delivered_gwh * ratio(units_allowed_gwh, units_gwh)
    return rate, rate * allowed_generation * GWH_TIMES_PKR_PER_KWH_TO_BN


def nonfuel_deviation(nonfuel_bn: np.ndarray, units_gwh: np.ndarray,
                      units_allowed_gwh: np.ndarray,
                      reference_nonfuel_allowed_bn: np.ndarray) -> np.ndarray:
    """The month's quarterly-adjustment deviation: capacity, transmission and net-metering
    costs in the share of units allowed, (CP + TX + NM) x U*/U, minus the month's reference
    (in the same share). A month that costs what its reference said leaves none, however
    many units it sells. [Rs bn], (paths,)."""
    return nonfuel_bn * ratio(units_allowed_gwh, units_gwh) - reference_nonfuel_allowed_bn


def adjust(
    book: AdjustmentBook, t: int, calendar_month: int, determination: Determination,
    fuel_bn: np.ndarray, nonfuel_bn: np.ndarray, delivered_gwh: np.ndarray,
    units_gwh: np.ndarray, units_allowed_gwh: np.ndarray, sales_gwh: np.ndarray,
    revenue_requirement_allowed_bn: np.ndarray, pass_through: PerPath, fca_lag: int,
    qta_period: int, qta_lag: int,
) -> Adjustments:
    """Book this month's deviations and return the adjustments charged in it.

    The fuel cost per kWh the plants delivered is compared with the month's reference
    (:func:`fuel_deviation`) and charged as an FCA ``fca_lag`` months later; capacity,
    variable O&M and other costs (``nonfuel_bn``) are compared with the month's reference
    (:func:`nonfuel_deviation`) and
    accrue to the open QTA period, which closes in calendar months divisible by
    ``qta_period`` and is charged over the next period from ``qta_lag`` months later. Only
    ``pass_through`` of each is notified. What the determined base recovers against the
    month's reference requirement beyond the timing the references plan
    (:meth:`References.timing_bn`) accrues to the residual the next rebasing recovers as
    a prior-year adjustment. ``sales_gwh`` is (paths, classes). Writes into ``book``.
    """
    refs = determination.references
    m = calendar_month - 1
    total_sales = sales_gwh.sum(axis=1)
    fuel_ref = refs.fuel_pkr_per_kwh[:, m]
    fca_rate, fuel_dev = fuel_deviation(fuel_bn, delivered_gwh, units_gwh, units_allowed_gwh,
                                        fuel_ref)
    book.schedule_fca(t, fca_lag, pass_through * fuel_dev)
    nonfuel_dev = nonfuel_deviation(nonfuel_bn, units_gwh, units_allowed_gwh,
                                    refs.nonfuel_allowed_bn[:, m])
    book.accrue_qta(nonfuel_dev)
    if calendar_month % qta_period == 0:
        book.close_period(t, qta_period, qta_lag, pass_through)
    timing = refs.timing_bn(calendar_month)
    base_recovers = determination.determined_pkr_per_kwh * (
        determination.multipliers * sales_gwh).sum(axis=1) * GWH_TIMES_PKR_PER_KWH_TO_BN
    book.accrue_residual(revenue_requirement_allowed_bn - fuel_dev - nonfuel_dev
                         - base_recovers - timing)
    fca, qta, pya = book.rates_pkr_per_kwh(t, total_sales)
    fca_bn, qta_bn, pya_bn = book.charged_bn(t, total_sales)
    return Adjustments(fca, qta, pya, fca_rate, fuel_ref, fuel_dev, nonfuel_dev, timing,
                       fuel_dev + nonfuel_dev - fca_bn - qta_bn, -pya_bn)


def fca_by_class_pkr_per_kwh(fca_pkr_per_kwh: np.ndarray, exempt_negative: np.ndarray,
                             exempt_all: np.ndarray) -> np.ndarray:
    """The FCA each class is charged: the month's rate, except for classes exempt from
    it (``exempt_all``) or, when the rate is negative, from negative FCAs
    (``exempt_negative``; NEPRA's FCA decisions since 2010/2015, see ConsumerClass).
    [Rs/kWh], (paths, classes); the exemption arrays are (classes,) of 0/1."""
    fca = np.asarray(fca_pkr_per_kwh)[:, None]
    exempt = np.maximum(exempt_all, exempt_negative * (fca < 0))
    return fca * (1.0 - exempt)


def class_tariffs_pkr_per_kwh(
    notified_pkr_per_kwh: np.ndarray, multipliers: np.ndarray, fca_by_class: np.ndarray,
    qta_pkr_per_kwh: np.ndarray, pya_pkr_per_kwh: np.ndarray,
) -> np.ndarray:
    """Class tariffs: notified base x class multiplier + the class's FCA + QTA + PYA (the
    QTA and PYA are uniform per kWh across classes). [Rs/kWh], (paths, classes);
    ``fca_by_class`` is :func:`fca_by_class_pkr_per_kwh`."""
    return notified_pkr_per_kwh[:, None] * multipliers + fca_by_class \
        + (qta_pkr_per_kwh + pya_pkr_per_kwh)[:, None]
