"""Billing and collection: what tariffs recover, what consumers are billed and pay
(docs/model.md §10).

Amounts are Rs bn; arrays are (paths,) or (paths, classes).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from circdebt.model.vectors import PerPath
from circdebt.units import GWH_TIMES_PKR_PER_KWH_TO_BN


class Bills(NamedTuple):
    """A month's bills by class. [Rs bn], (paths, classes) each."""

    recovered_by_tariff_bn: np.ndarray  # RR_passed: class tariff x sales
    billed_bn: np.ndarray  # billed share x RR_passed
    subsidy_due_bn: np.ndarray  # the rest: tariff differential subsidy due


def bill(
    class_tariff_pkr_per_kwh: np.ndarray, billed_share: np.ndarray, sales_gwh: np.ndarray,
) -> Bills:
    """What notified tariffs recover, what consumers are billed, and the subsidy due.

    RR_passed = tariff x sales; billed = billed share x RR_passed; TDS due = the rest
    (a protected class pays less than its notified tariff; the budget owes the rest).
    """
    passed = class_tariff_pkr_per_kwh * sales_gwh * GWH_TIMES_PKR_PER_KWH_TO_BN
    billed = passed * billed_share
    return Bills(passed, billed, passed - billed)


def monthly_rate(annual_share: PerPath) -> PerPath:
    """Monthly rate equivalent to recovering ``annual_share`` of a stock over a year:
    1 - (1 - share) ** (1/12). [fraction per month]"""
    return 1.0 - (1.0 - annual_share) ** (1.0 / 12.0)


def recovery_rates(
    recovery: np.ndarray, tariff_ratio: np.ndarray, recovery_elasticity: np.ndarray,
) -> np.ndarray:
    """Share of each class's bills collected this month. [1], (paths, classes).

    recovery_c x (P̄_c / P_c,0) ** -e_c, at most 1: a class with recovery elasticity e
    pays less as its real tariff (smoothed as for the price response) rises above the
    first month's (docs/model.md §10).
    """
    return np.minimum(recovery * np.maximum(tariff_ratio, 1e-9) ** -recovery_elasticity, 1.0)


class Collected(NamedTuple):
    """A month's collections. [Rs bn], (paths,) each."""

    collected_bn: np.ndarray  # current bills at the recovery rates + arrears recovered
    arrears_recovered_bn: np.ndarray
    receivables_bn: np.ndarray  # unpaid bills after the month


def collect(
    billed_bn: np.ndarray, recovery: np.ndarray, receivables_bn: np.ndarray,
    arrears_monthly_rate: PerPath,
) -> Collected:
    """Collections this month: current bills at the class recovery rates plus arrears.

    Unpaid bills join the receivables stock, of which ``arrears_monthly_rate`` is
    recovered each month (from the stock at the start of the month).
    """
    current = (billed_bn * recovery).sum(axis=-1)
    arrears = receivables_bn * arrears_monthly_rate
    unpaid = billed_bn.sum(axis=-1) - current
    return Collected(current + arrears, arrears, receivables_bn - arrears + unpaid)


def collection_ratio(collected_bn: np.ndarray, billed_bn: np.ndarray) -> np.ndarray:
    """Collected over billed this month (1 where nothing is billed). [1], (paths,)."""
    return np.divide(collected_bn, billed_bn, out=np.ones(billed_bn.shape), where=billed_bn > 0)
