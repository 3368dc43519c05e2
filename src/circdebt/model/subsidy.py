"""The tariff differential subsidy: dues queued with a lag, paid within a budget cap
(docs/model.md §11).

Each month's TDS due is queued for payment ``lag`` months later (the lag in force when
it falls due), so a change of lag neither drops nor repeats a month's due; what is paid
is the payment share of what is queued for the month, within what is left of the fiscal
year's budget. Amounts are Rs bn; the queue is (months, paths).
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


class Subsidy(NamedTuple):
    """A month's subsidy. [Rs bn], (paths,) each."""

    due_bn: np.ndarray  # TDS due this month (and a budget-funded SEZ package)
    paid_bn: np.ndarray  # TDS paid this month (and a budget-funded SEZ package)
    paid_in_fy_bn: np.ndarray  # TDS paid so far in the fiscal year, after this month


def pay_subsidy(
    queue: np.ndarray, t: int, lag: int, due_bn: np.ndarray, pre_start_due_bn: np.ndarray | None,
    payment_share: PerPath, paid_in_fy_bn: np.ndarray, fy_starts: bool,
    fy_cap_bn: PerPath, budget_package_bn: PerPath = 0.0,
) -> Subsidy:
    """Queue this month's TDS due and pay what falls due now, within the cap.

    In the first month (t = 0) the months before the start are due too: a month's
    ``pre_start_due_bn`` each, or the first month's own due if none is given (a steady
    state). ``budget_package_bn`` is an SEZ tariff package the budget pays in full and on
    time (docs/model.md §15): due and paid at once, outside the queue and the cap.
    """
    pre_start = (due_bn if pre_start_due_bn is None else pre_start_due_bn) if t == 0 else None
    queue_due(queue, t, lag, due_bn, pre_start)
    so_far = paid_so_far_in_fy(paid_in_fy_bn, fy_starts)
    paid = subsidy_payment(queue[t], payment_share, so_far, fy_cap_bn)
    return Subsidy(due_bn + budget_package_bn, paid + budget_package_bn, so_far + paid)
