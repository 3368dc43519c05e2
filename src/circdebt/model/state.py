"""The state the monthly loop carries from one month to the next (docs/model.md §2).

Every array is over paths: (paths,), or (paths, creditors | classes). The loop owns one
:class:`State`; step functions read from it and return new values, which the loop
writes back. The ledgers of amounts falling due later (tariff adjustments, the tariff
subsidy queue) are arrays over future months that steps book into.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from circdebt.model.tariff import AdjustmentBook, Determination


@dataclass(frozen=True)
class MonthRecord:
    """What later months read back of a month: the price window and the sales a rebasing
    projects from."""

    calendar_month: int  # 1..12
    sales_by_class_gwh: np.ndarray  # (paths, classes) [GWh]
    paid_x_sales: np.ndarray  # (paths, classes): real tariff paid x sales [Rs/kWh x GWh]


@dataclass
class State:
    """Stocks and memories of the sector at the end of a month. [Rs bn unless noted]"""

    payables_bn: np.ndarray  # (paths, creditors): owed to each creditor class
    genco_fuel_payables_bn: np.ndarray  # (paths,) GENCOs' payables to fuel suppliers
    phl_debt_bn: np.ndarray  # (paths,) debt parked in Power Holding Ltd
    cash_bn: np.ndarray  # (paths,) CPPA-G's cash beyond all dues (negative: overdraft)
    account_bn: np.ndarray  # (paths,) the ring-fenced revolving account
    receivables_bn: np.ndarray  # (paths,) consumers' unpaid bills (not circular debt)
    solar_mw: np.ndarray  # (paths,) installed rooftop solar [MW]
    captive_share: np.ndarray  # (paths,) share of SEZ load on captive supply [1]
    cd_stock_bn: np.ndarray  # (paths,) circular-debt stock
    adjustments: AdjustmentBook  # FCA and QTA amounts booked for later months
    determination: Determination | None  # the tariff in force (None before the first month)
    subsidy_queue_bn: np.ndarray  # (months, paths): TDS falling due for payment each month
    subsidy_paid_in_fy_bn: np.ndarray  # (paths,) TDS paid so far in the fiscal year
    price_sums: tuple[np.ndarray, np.ndarray]  # window sums of (real tariff x sales, sales)
    reference_real_tariff: np.ndarray  # (paths, classes) the first month's [Rs/kWh]
    subsidy_owed_bn: np.ndarray  # (paths,) TDS fallen due and not released (on a calendar)
    phl_account_bn: np.ndarray  # (paths,) DSS held for PHL's next instalment
    phl_accrued_interest_bn: np.ndarray  # (paths,) PHL interest accrued, not yet paid
    phl_repaid_in_fy_bn: np.ndarray  # (paths,) PHL repaid to its lenders so far in the FY
    disputed_bn: np.ndarray  # (paths,) dues withheld in payment disputes, not yet settled
    solar_reference_ratio: np.ndarray | None = None  # first month's tariff / solar cost
    billed_by_class_bn: np.ndarray | None = None  # (paths, classes) last month's bills
    recent: deque[MonthRecord] = field(default_factory=deque)  # last months, oldest first

    def month_ago(self, months: int) -> MonthRecord | None:
        """The record of the month ``months`` before the current one (None if it is
        before the start or no longer kept)."""
        return self.recent[-months] if 0 < months <= len(self.recent) else None

    def window(self, months: int) -> list[MonthRecord]:
        """The last ``months`` months (fewer at the start), oldest first."""
        return list(self.recent)[-months:] if months > 0 else []
