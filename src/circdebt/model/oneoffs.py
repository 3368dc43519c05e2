"""One-off policy moves: settlements, waivers, refinancing, budget injections
(docs/model.md §12).

A policy that moves a stock once (rather than changing a rate) becomes a :class:`OneOff`
in the month it happens. Each is booked under its own cause (``policy_one_offs``) or
moves debt between parts of the stock, so the flow identity still closes. Amounts are
Rs bn; payables are (paths, creditors).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class OneOffKind(enum.StrEnum):
    """What a one-off move does."""

    SETTLEMENT = "settlement"  # owed to creditors: raises payables
    WAIVER = "waiver"  # accrued LPS forgiven: lowers payables
    REFINANCING = "refinancing"  # payables moved into PHL: no net change in the stock
    INJECTION_CPPA = "injection_cppa"  # budget money to CPPA-G
    INJECTION_PHL = "injection_phl"  # budget money to PHL


@dataclass(frozen=True)
class OneOff:
    """A one-off move of ``amount_bn_pkr`` (positive) in month ``t``; ``creditors`` is a
    (creditors,) bool mask of whose payables are moved (pro-rata to them; None: all)."""

    t: int
    kind: OneOffKind
    amount_bn_pkr: float
    creditors: np.ndarray | None = None


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


class OneOffMonth(NamedTuple):
    """What a month's one-off moves do. [Rs bn]"""

    payables_bn: np.ndarray  # (paths, creditors) after the moves
    moves_bn: np.ndarray  # (paths, creditors): change in payables by creditor
    phl_change_bn: np.ndarray  # (paths,): debt moved into PHL by refinancing
    flow_bn: np.ndarray  # (paths,): the ``policy_one_offs`` cause (injections negative)
    injection_cppa_bn: float  # budget money to CPPA-G
    injection_phl_bn: float  # budget money to PHL


def apply_one_offs(events: Iterable[OneOff], payables_bn: np.ndarray) -> OneOffMonth:
    """Apply a month's one-off moves in order to the payables.

    Settlements and waivers change payables and are the ``policy_one_offs`` cause; a
    refinancing moves payables into PHL (stock-neutral on the day); injections are
    budget money, counted against the debt (docs/model.md §12).
    """
    n_paths = payables_bn.shape[0]
    flow = np.zeros(n_paths)
    moves = np.zeros_like(payables_bn)
    phl_change = np.zeros(n_paths)
    injection_cppa = injection_phl = 0.0
    for event in events:
        if event.kind is OneOffKind.INJECTION_CPPA:
            injection_cppa = injection_cppa + event.amount_bn_pkr
            continue
        if event.kind is OneOffKind.INJECTION_PHL:
            injection_phl = injection_phl + event.amount_bn_pkr
            continue
        moved = move_payables(payables_bn, event.creditors, event.amount_bn_pkr,
                              raise_=event.kind is OneOffKind.SETTLEMENT)
        payables_bn = payables_bn + moved
        moves = moves + moved
        if event.kind is OneOffKind.REFINANCING:
            phl_change = phl_change - moved.sum(axis=1)  # moved is negative: into PHL
        else:
            flow = flow + moved.sum(axis=1)
    flow = flow - injection_cppa - injection_phl
    return OneOffMonth(payables_bn, moves, phl_change, flow, injection_cppa, injection_phl)
