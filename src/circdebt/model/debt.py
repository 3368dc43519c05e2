"""Payables, late-payment surcharge and the debt parked in Power Holding Ltd (MODEL.md §7).

Amounts are Rs bn; rates are fractions per year; arrays are (paths,) or
(paths, creditors).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from circdebt.model.vectors import stack_last


def late_payment_surcharge(
    overdue_bn: np.ndarray, kibor: np.ndarray, spread: np.ndarray, waiver: np.ndarray,
    accrues: np.ndarray,
) -> np.ndarray:
    """LPS accrued this month on overdue payables. [Rs bn], (paths, creditors).

    overdue x (KIBOR + spread) / 12 x (1 - waiver), for creditors whose contracts carry
    LPS (``accrues``). Payables at the start of a month are at least a month old and
    count as overdue (WORKED_EXAMPLE.md: "all overdue").
    """
    rate = np.maximum(kibor[:, None] + spread, 0.0)
    return overdue_bn * rate / 12.0 * (1.0 - waiver) * accrues


def phl_service(
    debt_bn: np.ndarray, kibor: np.ndarray, spread: float, budget_bn: float | np.ndarray,
    dss_bn: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One month of PHL debt: interest accrues, budget then DSS collections service it.

    Returns (interest, debt after, budget used, DSS used), each (paths,) [Rs bn]. Debt
    never goes below zero; budget money and DSS collections PHL cannot use are left to
    the caller (they flow on to CPPA-G).
    """
    interest = debt_bn * np.maximum(kibor + spread, 0.0) / 12.0
    owed = debt_bn + interest
    budget_used = np.minimum(budget_bn, owed)
    dss_used = np.minimum(dss_bn, owed - budget_used)
    return interest, owed - budget_used - dss_used, budget_used, dss_used


def move_payables(
    payables_bn: np.ndarray, creditors: np.ndarray | None, amount_bn: float, raise_: bool,
) -> np.ndarray:
    """Change in payables from a one-off move of ``amount`` among ``creditors``.

    A settlement (``raise_``) adds the amount pro-rata to the creditors' payables (equal
    shares if they owe nothing yet); a waiver or refinancing removes it pro-rata, never
    more than is owed. [Rs bn], (paths, creditors).
    """
    mask = np.ones(payables_bn.shape[-1], bool) if creditors is None else creditors
    owed = payables_bn * mask
    total = owed.sum(axis=-1, keepdims=True)
    if raise_:
        equal = np.broadcast_to(mask / max(mask.sum(), 1), owed.shape)
        share = np.divide(owed, total, out=equal.copy(), where=total > 0)
        return amount_bn * share
    share = np.divide(owed, total, out=np.zeros_like(owed), where=total > 0)
    return -np.minimum(amount_bn, total) * share


def lps_terms(lps: Mapping[str, Any], creditors: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """LPS spread over KIBOR [fraction/yr] and whether LPS accrues (1/0), by creditor.

    Creditors without terms in ``[debt.lps]`` accrue none. (K,) or (paths, K).
    """
    spread = stack_last([lps[c].spread_pct / 100 if c in lps else 0.0 for c in creditors])
    accrues = np.array([c in lps for c in creditors], dtype=float)
    return spread, accrues
