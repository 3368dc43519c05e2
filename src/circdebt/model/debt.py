"""Late-payment surcharge, the debt parked in Power Holding Ltd (PHL), the debt servicing
surcharge, and the circular-debt stock (docs/model.md §13, §16).

Amounts are Rs bn; rates are fractions per year; arrays are (paths,) or
(paths, creditors).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from circdebt.model.vectors import PerPath
from circdebt.units import GWH_TIMES_PKR_PER_KWH_TO_BN


def late_payment_surcharge(
    overdue_bn: np.ndarray, kibor: np.ndarray, spread: np.ndarray, waiver: np.ndarray,
    accrues: np.ndarray,
) -> np.ndarray:
    """LPS accrued this month on overdue payables. [Rs bn], (paths, creditors).

    overdue x max(KIBOR + spread, 0) / 12 x (1 - waiver), for creditors whose contracts
    carry LPS (``accrues``). Payables at the start of a month are at least a month old
    and count as overdue (docs/model.md §13).
    """
    rate = np.maximum(kibor[:, None] + spread, 0.0)
    return overdue_bn * rate / 12.0 * (1.0 - waiver) * accrues


class PhlMonth(NamedTuple):
    """A month of PHL's debt. [Rs bn], (paths,) each."""

    interest_bn: np.ndarray
    debt_bn: np.ndarray  # after interest and repayment
    budget_used_bn: np.ndarray
    dss_used_bn: np.ndarray  # DSS money that repaid PHL's debt this month
    budget_left_bn: np.ndarray  # budget money PHL could not use: it flows on to CPPA-G
    dss_left_bn: np.ndarray  # DSS money PHL did not need: it flows on to CPPA-G
    # on an instalment schedule (as they were otherwise):
    account_bn: np.ndarray  # DSS collected and held for the next instalment
    accrued_interest_bn: np.ndarray  # interest accrued and not yet paid
    repaid_in_fy_bn: np.ndarray  # paid to the lenders so far in the FY
    # serviced for interest only: the interest the DSS did not cover, paid out of
    # CPPA-G's cash (0 otherwise)
    interest_from_cppa_bn: np.ndarray | float = 0.0

    @property
    def dss_applied_bn(self) -> np.ndarray:
        """DSS money that left PHL's hands this month (repaid debt or flowed on): the
        ``dss`` cause (docs/model.md §16). [Rs bn], (paths,)."""
        return self.dss_used_bn + self.dss_left_bn


def phl_service(
    debt_bn: np.ndarray, kibor: np.ndarray, spread: PerPath,
    budget_bn: PerPath, dss_bn: np.ndarray,
) -> PhlMonth:
    """One month of PHL debt: interest accrues, budget then DSS collections service it.

    Interest = H x max(KIBOR + spread, 0) / 12. Debt never goes below zero; budget money
    and DSS collections PHL cannot use are returned as left over (they flow on to CPPA-G,
    docs/model.md §13).
    """
    interest = debt_bn * np.maximum(kibor + spread, 0.0) / 12.0
    owed = debt_bn + interest
    budget_used = np.minimum(budget_bn, owed)
    dss_used = np.minimum(dss_bn, owed - budget_used)
    none = np.zeros_like(interest)
    return PhlMonth(interest, owed - budget_used - dss_used, budget_used, dss_used,
                    budget_bn - budget_used, dss_bn - dss_used, none, none, none)


def phl_interest_only_service(
    debt_bn: np.ndarray, kibor: np.ndarray, spread: PerPath,
    budget_bn: PerPath, dss_bn: np.ndarray,
) -> PhlMonth:
    """One month of PHL debt serviced for its interest only (docs/model.md §13).

    Interest = H x max(KIBOR + spread, 0) / 12. The DSS collected pays it; what the DSS
    does not cover CPPA-G pays out of its cash (``interest_from_cppa_bn``), and DSS money
    beyond the interest flows on to CPPA-G. The principal moves only with budget money,
    which repays it at once (what it cannot use flows on), and with refinancing.
    Source: before the September 2025 facility the DSS "was only being used to cover
    interest payments while the principal amount remained outstanding" (the power
    minister, Business Recorder 26 Sep 2025); the CD report's interest line counts the
    rest as "PHL mark-up paid out of IPP claims".
    """
    interest = debt_bn * np.maximum(kibor + spread, 0.0) / 12.0
    budget_used = np.minimum(budget_bn, debt_bn)
    dss_used = np.minimum(dss_bn, interest)
    none = np.zeros_like(interest)
    return PhlMonth(interest, debt_bn - budget_used, budget_used, dss_used,
                    budget_bn - budget_used, dss_bn - dss_used, none, none, none,
                    interest - dss_used)


def phl_instalment_service(
    debt_bn: np.ndarray, accrued_interest_bn: np.ndarray, account_bn: np.ndarray,
    repaid_in_fy_bn: np.ndarray, kibor: np.ndarray, spread: PerPath, budget_bn: PerPath,
    dss_bn: np.ndarray, instalments_left: int, fy_cap_bn: float, fy_starts: bool,
) -> PhlMonth:
    """One month of PHL debt repaid on a loan's instalment schedule (docs/model.md §13).

    Interest accrues monthly at max(KIBOR + spread, 0) / 12 on the debt; budget money
    repays at once (interest first). The DSS collected is held in PHL's account; in an
    instalment month (``instalments_left`` > 0) PHL pays the lenders the interest accrued
    and the principal left over the instalments left, within what the fiscal year's cap
    leaves (``fy_cap_bn``, nan: none) and what the account holds, and whatever the account
    holds beyond that flows on to CPPA-G. Once the debt is repaid, all DSS money flows on.
    Source: the September 2025 facility's 24 quarterly instalments and Rs323bn annual cap
    (scenarios/baseline.toml, bank_refinancing_2025).
    """
    interest = debt_bn * np.maximum(kibor + spread, 0.0) / 12.0
    owed = debt_bn + interest
    accrued = accrued_interest_bn + interest
    budget_used = np.minimum(budget_bn, owed)
    owed = owed - budget_used
    accrued = np.maximum(accrued - budget_used, 0.0)
    account = account_bn + dss_bn
    so_far = np.zeros_like(repaid_in_fy_bn) if fy_starts else repaid_in_fy_bn
    paid = np.zeros_like(owed)
    left = np.zeros_like(owed)
    if instalments_left > 0:
        due = accrued + (owed - accrued) / instalments_left
        room = np.inf if np.isnan(fy_cap_bn) else np.maximum(fy_cap_bn - so_far, 0.0)
        paid = np.clip(np.minimum(np.minimum(due, room), account), 0.0, None)
        owed, accrued, account = owed - paid, np.maximum(accrued - paid, 0.0), account - paid
        left, account = account, np.zeros_like(account)
    repaid = owed <= 1e-9
    left = left + np.where(repaid, account, 0.0)
    account = np.where(repaid, 0.0, account)
    return PhlMonth(interest, owed, budget_used, paid, budget_bn - budget_used, left,
                    account, accrued, so_far + paid)


def dss_rate_pkr_per_kwh(
    rate: PerPath, phl_debt_bn: np.ndarray, ends_when_repaid: bool,
) -> PerPath:
    """The debt servicing surcharge charged this month: the lever's rate, ended once
    PHL's debt is repaid if the scenario says so. [Rs/kWh], (paths,) or a number."""
    return rate * np.where(phl_debt_bn > 0, 1.0, 0.0) if ends_when_repaid else rate


def dss_collected_bn(
    rate_pkr_per_kwh: PerPath, sales_gwh: np.ndarray, collection_ratio: np.ndarray,
) -> np.ndarray:
    """DSS collected: billed on every kWh sold, collected at the month's overall
    collection ratio. [Rs bn], (paths,)."""
    return rate_pkr_per_kwh * sales_gwh * GWH_TIMES_PKR_PER_KWH_TO_BN * collection_ratio


def cd_stock_bn(
    payables_bn: np.ndarray, genco_fuel_payables_bn: np.ndarray, phl_debt_bn: np.ndarray,
    cash_bn: np.ndarray, account_bn: np.ndarray,
) -> np.ndarray:
    """The circular-debt stock: CD = sum_k P_k + G + H - C (docs/model.md §16), where C is
    CPPA-G's cash (general and ring-fenced) counted against the debt. [Rs bn], (paths,)."""
    return payables_bn.sum(axis=1) + genco_fuel_payables_bn + phl_debt_bn - cash_bn - account_bn


def anchored_payables_bn(payables_bn: np.ndarray, total_bn: float) -> np.ndarray:
    """Payables set to a published total, spread over creditor classes in the run's own
    proportions (equal shares where nothing is owed). [Rs bn], (paths, creditors)."""
    owed = payables_bn.sum(axis=-1, keepdims=True)
    equal = np.full_like(payables_bn, 1.0 / payables_bn.shape[-1])
    share = np.divide(payables_bn, owed, out=equal, where=owed > 0)
    return total_bn * share
