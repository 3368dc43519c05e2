"""Billing, collection, subsidy payment and the sharing of cash among creditors (MODEL.md §7).

Amounts are Rs bn; arrays are (paths,), (paths, classes) or (paths, creditors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

GWH_TIMES_PKR_PER_KWH_TO_BN = 1e-3


def bill(
    class_tariff_pkr_per_kwh: np.ndarray, billed_share: np.ndarray, sales_gwh: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What notified tariffs recover, what consumers are billed, and the subsidy due.

    Returns (RR_passed, billed, TDS due), each (paths, classes) [Rs bn]:
    RR_passed = tariff x sales; billed = share x RR_passed; TDS due = the rest.
    """
    passed = class_tariff_pkr_per_kwh * sales_gwh * GWH_TIMES_PKR_PER_KWH_TO_BN
    billed = passed * billed_share
    return passed, billed, passed - billed


def monthly_rate(annual_share: float) -> float:
    """Monthly rate equivalent to recovering ``annual_share`` of a stock over a year."""
    return 1.0 - (1.0 - annual_share) ** (1.0 / 12.0)


def collect(
    billed_bn: np.ndarray, recovery: np.ndarray, receivables_bn: np.ndarray,
    arrears_monthly_rate: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Collections this month: current bills at the class recovery ratio plus arrears.

    Returns (collected (paths,), arrears recovered (paths,), receivables after (paths,)),
    [Rs bn]. Unpaid bills join the receivables stock, of which ``arrears_monthly_rate``
    is recovered each month (from the stock at the start of the month).
    """
    current = (billed_bn * recovery).sum(axis=-1)
    arrears = receivables_bn * arrears_monthly_rate
    unpaid = billed_bn.sum(axis=-1) - current
    return current + arrears, arrears, receivables_bn - arrears + unpaid


def subsidy_payment(
    due_lagged_bn: np.ndarray, payment_share: float, paid_so_far_in_fy_bn: np.ndarray,
    fy_cap_bn: float | None,
) -> np.ndarray:
    """TDS paid this month: the payment share of the due ``lag`` months ago, within the
    fiscal year's budget cap. [Rs bn], (paths,)."""
    paid = payment_share * due_lagged_bn
    if fy_cap_bn is not None:
        paid = np.clip(fy_cap_bn - paid_so_far_in_fy_bn, 0.0, paid)
    return paid


def allocate_cash(
    cash_bn: np.ndarray, dues_bn: np.ndarray, priority_order: list[int] | None = None,
) -> np.ndarray:
    """Share cash among creditors. [Rs bn], (paths, creditors).

    Pro-rata to dues by default; with ``priority_order`` (column indices), those
    creditors are paid in full in order first and any remainder is shared pro-rata
    among the rest. Nobody is paid more than they are owed.
    """
    dues_bn = np.asarray(dues_bn, dtype=float)
    cash = np.minimum(np.maximum(cash_bn, 0.0), dues_bn.sum(axis=-1))
    paid = np.zeros_like(dues_bn)
    remaining = cash.copy()
    rest = np.ones(dues_bn.shape[-1], dtype=bool)
    for k in priority_order or []:
        paid[:, k] = np.minimum(remaining, dues_bn[:, k])
        remaining = remaining - paid[:, k]
        rest[k] = False
    rest_dues = dues_bn[:, rest]
    total = rest_dues.sum(axis=-1, keepdims=True)
    share = np.divide(rest_dues, total, out=np.zeros_like(rest_dues), where=total > 0)
    paid[:, rest] = np.minimum(share * remaining[:, None], rest_dues)
    return paid


def allocate_by_rule(
    rule: str, cash_bn: np.ndarray, dues_bn: np.ndarray, priority_order: list[int],
    energy_invoices_bn: np.ndarray, invoices_bn: np.ndarray, account_bn: np.ndarray,
    revolving_creditor: int, revolving_share: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share a month's cash by an allocation rule (MODEL.md §7).

    Rules: ``pro_rata`` and ``priority`` (see :func:`allocate_cash`; ``priority_order``
    lists the creditors paid first, net metering always among them); ``fuel_first``:
    the month's energy invoices first (pro-rata among them), then the rest pro-rata;
    ``cpec_revolving``: the ring-fenced account pays ``revolving_share`` of the month's
    invoice of ``revolving_creditor`` first, then the general cash is shared pro-rata.

    Returns (paid (paths, creditors), paid from the general cash (paths,), account
    left (paths,)), [Rs bn].
    """
    first = np.zeros_like(dues_bn)
    if rule == "cpec_revolving" and revolving_creditor >= 0:
        want = np.minimum(revolving_share * invoices_bn[:, revolving_creditor],
                          dues_bn[:, revolving_creditor])
        first[:, revolving_creditor] = np.minimum(np.maximum(account_bn, 0.0), want)
        account_bn = account_bn - first[:, revolving_creditor]
    remaining = dues_bn - first
    if rule == "fuel_first":
        energy = np.minimum(energy_invoices_bn, remaining)
        from_cash = allocate_cash(cash_bn, energy, priority_order[:1])
        rest = allocate_cash(cash_bn - from_cash.sum(axis=1), remaining - from_cash,
                             priority_order)
        from_cash = from_cash + rest
    else:
        order = priority_order if rule == "priority" else priority_order[:1]
        from_cash = allocate_cash(cash_bn, remaining, order)
    return first + from_cash, from_cash.sum(axis=1), account_bn


@dataclass(frozen=True)
class AllocationPlan:
    """A scenario's allocation rule resolved to creditor indices (both engines use it)."""

    rule: str
    priority: list[int]  # creditors paid first, in order (the always-first one leading)
    revolving_in: float  # share of collections into the revolving account
    revolving_share: float  # share of each invoice of the revolving creditor it pays
    revolving_col: int  # index of the revolving creditor (-1: none)


def allocation_plan(spec: Any, creditors: Sequence[str], always_first: str) -> AllocationPlan:
    """Resolve ``[settlement]`` against the run's creditors; ``always_first`` (net-metering
    credits) leads every priority list."""
    creditors = list(creditors)
    priority = [creditors.index(always_first)]
    if spec.allocation == "priority":
        priority += [creditors.index(c) for c in spec.priority]
    revolving = spec.allocation == "cpec_revolving"
    return AllocationPlan(
        rule=spec.allocation, priority=priority,
        revolving_in=spec.revolving_collection_share_pct / 100 if revolving else 0.0,
        revolving_share=spec.revolving_invoice_share_pct / 100,
        revolving_col=(creditors.index(spec.revolving_creditor)
                       if spec.revolving_creditor in creditors else -1))
