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
    dss_used_bn: np.ndarray
    budget_left_bn: np.ndarray  # budget money PHL could not use: it flows on to CPPA-G
    dss_left_bn: np.ndarray  # DSS collections PHL could not use: they flow on to CPPA-G


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
    return PhlMonth(interest, owed - budget_used - dss_used, budget_used, dss_used,
                    budget_bn - budget_used, dss_bn - dss_used)


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
