"""The tariff differential subsidy: dues queued with a lag, paid within a budget cap or
on the budget's release calendar (docs/model.md §11).

Each month's TDS due is queued for payment ``lag`` months later (the lag in force when
it falls due), so a change of lag neither drops nor repeats a month's due. Without a
release calendar, what is paid is the payment share of what is queued for the month,
within what is left of the fiscal year's budget. On a calendar, the budget releases a
set share of its fiscal year's amount each month, and a release pays whatever has fallen
due and is still owed, so it can exceed the month's due when it clears arrears (the
negative subsidy lines of the Power Division's FY2022 and FY2023 cause tables). Amounts
are Rs bn; the queue is (months, paths).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from circdebt.model.vectors import PerPath


def queue_due(
    queue: np.ndarray, t: int, lag: int, due_bn: np.ndarray,
    pre_start_due_bn: np.ndarray | None = None,
) -> None:
    """Queue this month's due for month t + lag (dropped past the horizon). In the first
    month, the months before the start are due too: ``pre_start_due_bn`` (a month's due)
    fills the first ``lag`` months of the queue. Writes into ``queue`` (months, paths)."""
    n_months = queue.shape[0]
    if pre_start_due_bn is not None:
        queue[:min(lag, n_months)] += pre_start_due_bn
    if t + lag < n_months:
        queue[t + lag] += due_bn


def paid_so_far_in_fy(paid_in_fy_bn: np.ndarray, fy_starts: bool) -> np.ndarray:
    """TDS paid earlier in the fiscal year: zero in the first month of a fiscal year.
    [Rs bn], (paths,)."""
    return np.zeros_like(paid_in_fy_bn) if fy_starts else paid_in_fy_bn


def subsidy_payment(
    due_now_bn: np.ndarray, payment_share: PerPath, paid_so_far_in_fy_bn: np.ndarray,
    fy_cap_bn: PerPath,
) -> np.ndarray:
    """TDS paid this month: the payment share of what is queued for it, within what the
    fiscal year's budget cap leaves (``nan``: no cap). [Rs bn], (paths,)."""
    paid = payment_share * due_now_bn
    if np.isnan(fy_cap_bn).all():
        return paid
    return np.clip(fy_cap_bn - paid_so_far_in_fy_bn, 0.0, paid)


def released_payment(owed_bn: np.ndarray, release_bn: PerPath) -> np.ndarray:
    """TDS paid from the month's release: the release, at most what is owed (what has
    fallen due, this month's and earlier months' unpaid). [Rs bn], (paths,)."""
    return np.clip(release_bn, 0.0, np.maximum(owed_bn, 0.0))


class Subsidy(NamedTuple):
    """A month's subsidy. [Rs bn], (paths,) each."""

    due_bn: np.ndarray  # TDS due this month (and a budget-funded SEZ package)
    paid_bn: np.ndarray  # TDS paid this month (and a budget-funded SEZ package)
    paid_in_fy_bn: np.ndarray  # TDS paid so far in the fiscal year, after this month
    owed_bn: np.ndarray  # fallen due and not released, after this month (on a calendar)


def pay_subsidy(
    queue: np.ndarray, t: int, lag: int, due_bn: np.ndarray, pre_start_due_bn: np.ndarray | None,
    payment_share: PerPath, paid_in_fy_bn: np.ndarray, fy_starts: bool,
    fy_cap_bn: PerPath, budget_package_bn: PerPath = 0.0, *,
    owed_bn: np.ndarray | None = None, release_bn: PerPath | None = None,
) -> Subsidy:
    """Queue this month's TDS due and pay what falls due now: within the cap, or, given
    the month's ``release_bn`` from the budget's calendar, from the release.

    In the first month (t = 0) the months before the start are due too: a month's
    ``pre_start_due_bn`` each, or the first month's own due if none is given (a steady
    state). ``owed_bn`` is what had fallen due and was not yet released (on a calendar;
    what the payment share leaves unpaid is never owed). ``budget_package_bn`` is an SEZ
    tariff package the budget pays in full and on time (docs/model.md §15): due and paid
    at once, outside the queue and the cap.
    """
    pre_start = (due_bn if pre_start_due_bn is None else pre_start_due_bn) if t == 0 else None
    queue_due(queue, t, lag, due_bn, pre_start)
    so_far = paid_so_far_in_fy(paid_in_fy_bn, fy_starts)
    owed = (np.zeros_like(due_bn) if owed_bn is None else owed_bn) + queue[t]
    if release_bn is None:
        paid = subsidy_payment(queue[t], payment_share, so_far, fy_cap_bn)
        owed = owed - queue[t]  # off the calendar, nothing unpaid stays owed
    else:
        paid = released_payment(owed, release_bn)
        owed = owed - paid
    return Subsidy(due_bn + budget_package_bn, paid + budget_package_bn, so_far + paid, owed)
