"""How CPPA-G's cash reaches its creditors (docs/model.md §14).

Invoices by creditor class, the cash that reaches CPPA-G, and the allocation rules that
share it: pro-rata to dues, priority, fuel first, or a ring-fenced CPEC revolving
account. Amounts are Rs bn; arrays are (paths,) or (paths, creditors).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class AllocationRule(enum.StrEnum):
    """How cash is shared among creditors (``[settlement] allocation``)."""

    PRO_RATA = "pro_rata"
    PRIORITY = "priority"
    FUEL_FIRST = "fuel_first"
    CPEC_REVOLVING = "cpec_revolving"


@dataclass(frozen=True)
class AllocationPlan:
    """A scenario's allocation rule resolved to creditor indices (both engines use it)."""

    rule: AllocationRule
    priority: list[int]  # creditors paid first, in order (the always-first one leading)
    revolving_in: float  # share of collections into the revolving account [1]
    revolving_share: float  # share of each invoice of the revolving creditor it pays [1]
    revolving_col: int  # index of the revolving creditor (-1: none)


class Invoices(NamedTuple):
    """A month's invoices by creditor. [Rs bn], (paths, creditors) each."""

    energy_bn: np.ndarray  # energy payments (and net-metering credits)
    other_bn: np.ndarray  # capacity payments (and transmission charges)

    @property
    def total_bn(self) -> np.ndarray:
        return self.energy_bn + self.other_bn


def invoices(
    capacity_by_group_bn: np.ndarray, energy_by_group_bn: np.ndarray,
    transmission_bn: np.ndarray, net_metering_bn: np.ndarray, group_to_creditor: np.ndarray,
    transmission_col: int, net_metering_col: int,
) -> Invoices:
    """Invoices by creditor class: each group's energy and capacity payments to its
    creditor (``group_to_creditor`` is (groups, creditors) of 0/1), transmission charges
    to the transmission creditor and net-metering purchases to the net-metering one."""
    energy = energy_by_group_bn @ group_to_creditor
    energy[:, net_metering_col] += net_metering_bn
    other = capacity_by_group_bn @ group_to_creditor
    other[:, transmission_col] += transmission_bn
    return Invoices(energy, other)


def cash_in_bn(
    collected_bn: np.ndarray, distribution_margin_bn: np.ndarray, subsidy_paid_bn: np.ndarray,
    budget_cppa_bn: float | np.ndarray, injection_cppa_bn: float,
    budget_phl_unused_bn: np.ndarray, dss_unused_bn: np.ndarray,
    phl_interest_bn: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Cash reaching CPPA-G this month: collections less the DISCOs' distribution margin,
    the subsidy paid, budget payments and one-off injections to CPPA-G, and the budget
    money and DSS collections PHL could not use, less PHL interest CPPA-G pays out of
    its cash (PHL serviced for interest only, docs/model.md §13). [Rs bn], (paths,)."""
    return (collected_bn - distribution_margin_bn + subsidy_paid_bn + budget_cppa_bn
            + injection_cppa_bn + budget_phl_unused_bn + dss_unused_bn - phl_interest_bn)


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
    rule: AllocationRule, cash_bn: np.ndarray, dues_bn: np.ndarray, priority_order: list[int],
    energy_invoices_bn: np.ndarray, invoices_bn: np.ndarray, account_bn: np.ndarray,
    revolving_creditor: int, revolving_share: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share a month's cash by an allocation rule (docs/model.md §14).

    Rules: ``pro_rata`` and ``priority`` (see :func:`allocate_cash`; ``priority_order``
    lists the creditors paid first, net metering always among them); ``fuel_first``:
    the month's energy invoices first (pro-rata among them), then the rest pro-rata;
    ``cpec_revolving``: the ring-fenced account pays ``revolving_share`` of the month's
    invoice of ``revolving_creditor`` first, then the general cash is shared pro-rata.

    Returns (paid (paths, creditors), paid from the general cash (paths,), account
    left (paths,)), [Rs bn].
    """
    first = np.zeros_like(dues_bn)
    if rule is AllocationRule.CPEC_REVOLVING and revolving_creditor >= 0:
        want = np.minimum(revolving_share * invoices_bn[:, revolving_creditor],
                          dues_bn[:, revolving_creditor])
        first[:, revolving_creditor] = np.minimum(np.maximum(account_bn, 0.0), want)
        account_bn = account_bn - first[:, revolving_creditor]
    remaining = dues_bn - first
    if rule is AllocationRule.FUEL_FIRST:
        energy = np.minimum(energy_invoices_bn, remaining)
        from_cash = allocate_cash(cash_bn, energy, priority_order[:1])
        rest = allocate_cash(cash_bn - from_cash.sum(axis=1), remaining - from_cash,
                             priority_order)
        from_cash = from_cash + rest
    else:
        order = priority_order if rule is AllocationRule.PRIORITY else priority_order[:1]
        from_cash = allocate_cash(cash_bn, remaining, order)
    return first + from_cash, from_cash.sum(axis=1), account_bn


class Allocation(NamedTuple):
    """A month's payments. [Rs bn]"""

    paid_bn: np.ndarray  # (paths, creditors)
    payables_bn: np.ndarray  # (paths, creditors) left owing
    cash_bn: np.ndarray  # (paths,) CPPA-G's cash left
    account_bn: np.ndarray  # (paths,) the revolving account left


def pay_creditors(
    plan: AllocationPlan, payables_bn: np.ndarray, lps_bn: np.ndarray, bills: Invoices,
    cash_in: np.ndarray, cash_bn: np.ndarray, account_bn: np.ndarray, collected_bn: np.ndarray,
) -> Allocation:
    """Pay this month's dues (payables + LPS + invoices) from CPPA-G's cash by the plan.

    A share ``plan.revolving_in`` of collections goes into the revolving account first;
    the rest, with the cash left from last month, is shared by the rule. What is not
    paid stays payable; cash beyond all dues stays with CPPA-G.
    """
    dues = payables_bn + lps_bn + bills.total_bn
    to_account = plan.revolving_in * collected_bn
    cash = cash_in - to_account + cash_bn
    paid, paid_from_cash, account = allocate_by_rule(
        plan.rule, cash, dues, plan.priority, bills.energy_bn, bills.total_bn,
        account_bn + to_account, plan.revolving_col, plan.revolving_share)
    return Allocation(paid, dues - paid, cash - paid_from_cash, account)
