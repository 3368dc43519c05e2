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


def seasonal_recovery_rates(rates: np.ndarray, points: PerPath) -> np.ndarray:
    """The month's recovery rates with its seasonal points added. [1], (paths, classes).

    ``rates`` (at most 1) plus ``points`` (a fraction: the calendar month's percentage
    points over 100), between 0 and 1.5: in a month of collection drives a class may pay
    more than the bills it is collecting, which recovers arrears (docs/model.md §10).
    """
    return np.clip(rates + points, 0.0, 1.5)


def collectable_bn(billed_bn: np.ndarray, previous_billed_bn: np.ndarray,
                   next_month_share: PerPath) -> np.ndarray:
    """The bills falling due this month: (1 - s) of this month's and s of last month's,
    where s is the share of a month's bills collected the month after it is billed (the
    billing-to-collection lag). [Rs bn], (paths, classes)."""
    return (1.0 - next_month_share) * billed_bn + next_month_share * previous_billed_bn


class Dispute(NamedTuple):
    """A month of disputed dues. [Rs bn], (paths,) each."""

    recovery: np.ndarray  # (paths, classes): the recovery rates the classes now pay at
    withheld_bn: np.ndarray  # what the disputing classes withheld this month
    settled_bn: np.ndarray  # disputed dues paid this month in a settlement
    disputed_bn: np.ndarray  # disputed dues outstanding after the month


def dispute_month(
    due_bn: np.ndarray, recovery: np.ndarray, withheld: np.ndarray,
    disputed_bn: np.ndarray, settled_share: float,
) -> Dispute:
    """A class in a payment dispute pays ``withheld`` (a share, (classes,) or (paths,
    classes)) less of what falls due at its recovery rate; the withheld amounts add to
    the disputed dues, of which ``settled_share`` is paid in a settlement month
    (docs/model.md §10). The disputed dues are receivables, not cash."""
    withheld_bn = (due_bn * recovery * withheld).sum(axis=-1)
    settled = (disputed_bn + withheld_bn) * settled_share
    return Dispute(recovery * (1.0 - withheld), withheld_bn, settled,
                   disputed_bn + withheld_bn - settled)


class Collected(NamedTuple):
    """A month's collections. [Rs bn], (paths,) each."""

    collected_bn: np.ndarray  # current bills at the recovery rates + arrears recovered
    arrears_recovered_bn: np.ndarray
    receivables_bn: np.ndarray  # unpaid bills after the month (incl. bills not yet due)


def collect(
    billed_bn: np.ndarray, recovery: np.ndarray, receivables_bn: np.ndarray,
    arrears_monthly_rate: PerPath, collectable: np.ndarray | None = None,
    settled_bn: np.ndarray | float = 0.0,
) -> Collected:
    """Collections this month: the bills falling due at the class recovery rates plus
    arrears (docs/model.md §10).

    ``collectable`` (paths, classes) is what falls due this month (this month's bills by
    default; :func:`collectable_bn` with a collection lag). Unpaid bills, and bills not
    yet due, join the receivables stock, of which ``arrears_monthly_rate`` is recovered
    each month (from the stock at the start of the month). Nobody pays more than is
    owed: collections are at most this month's bills and the receivables. ``settled_bn``
    (disputed dues paid in a settlement, :func:`dispute_month`) is collected on top, out
    of the receivables.
    """
    due = billed_bn if collectable is None else collectable
    arrears = receivables_bn * arrears_monthly_rate
    owed = billed_bn.sum(axis=-1) + receivables_bn - arrears
    current = np.minimum((due * recovery).sum(axis=-1), np.maximum(owed, 0.0))
    unpaid = billed_bn.sum(axis=-1) - current
    return Collected(current + arrears + settled_bn, arrears,
                     receivables_bn - arrears + unpaid - settled_bn)


def collection_ratio(collected_bn: np.ndarray, billed_bn: np.ndarray) -> np.ndarray:
    """Collected over billed this month (1 where nothing is billed). [1], (paths,)."""
    return np.divide(collected_bn, billed_bn, out=np.ones(billed_bn.shape), where=billed_bn > 0)
