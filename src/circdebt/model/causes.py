"""The flow identity: the month's change in the circular debt, by cause (docs/model.md §16).

Each month, on every path, ΔCD is the sum of the causes below, exactly: every rupee of
cost is either recovered, left unpaid by consumers or the budget, or paid by the DSS
or the budget, and every rupee of cash is routed to a creditor, PHL or CPPA-G's
balance. Amounts are Rs bn, arrays (paths,).
"""

from __future__ import annotations

import numpy as np

#: Causes of the monthly change in circular debt, in reporting order.
CAUSES = (
    "excess_losses",
    "tariff_gap",
    "seasonal_timing",
    "pending_adjustments",
    "prior_year_adjustment",
    "under_recovery",
    "subsidy_shortfall",
    "sez_package",
    "lps",
    "phl_interest",
    "dss",
    "budget_payments",
    "policy_one_offs",
)


def flow_causes(
    *, sector_cost_bn: np.ndarray, revenue_requirement_allowed_bn: np.ndarray,
    recovered_by_tariff_bn: np.ndarray, seasonal_timing_bn: np.ndarray,
    pending_adjustments_bn: np.ndarray, prior_year_adjustment_bn: np.ndarray,
    billed_bn: np.ndarray, collected_bn: np.ndarray,
    subsidy_due_bn: np.ndarray, subsidy_paid_bn: np.ndarray, unfunded_package_bn: np.ndarray,
    lps_bn: np.ndarray, phl_interest_bn: np.ndarray, dss_collected_bn: np.ndarray,
    budget_cppa_bn: np.ndarray | float, budget_phl_bn: np.ndarray | float,
    one_offs_bn: np.ndarray, excess_losses_bn: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The month's flow decomposed by cause. [Rs bn], (paths,) each, keyed by :data:`CAUSES`.

    excess losses = K - RR* (the cost of units lost above the allowed loss); what
    tariffs leave of RR* - RR_passed, in four lines (§9): the seasonal timing the
    monthly references plan, FCA and QTA determined but not yet charged, minus the
    prior-year adjustment charged, and the tariff gap, the rest (the determined base
    against the year's costs and sales, notification shortfalls); under-recovery =
    billed - collected; subsidy shortfall = TDS due - TDS paid; the unfunded gap of an SEZ
    package; LPS; PHL interest; minus the DSS collected; minus budget payments; and
    one-off policy moves.

    ``excess_losses_bn`` values the excess losses another way (at the tariff,
    :func:`circdebt.model.losses.excess_losses_at_tariff_bn`); the tariff gap then
    carries the difference, so the sum is unchanged.
    """
    n_paths = np.shape(collected_bn)[0]
    at_cost = sector_cost_bn - revenue_requirement_allowed_bn
    excess = at_cost if excess_losses_bn is None else excess_losses_bn
    return {
        "excess_losses": excess,
        "tariff_gap": revenue_requirement_allowed_bn - recovered_by_tariff_bn
        - seasonal_timing_bn - pending_adjustments_bn - prior_year_adjustment_bn
        - (excess - at_cost),
        "seasonal_timing": seasonal_timing_bn,
        "pending_adjustments": pending_adjustments_bn,
        "prior_year_adjustment": prior_year_adjustment_bn,
        "under_recovery": billed_bn - collected_bn,
        "subsidy_shortfall": subsidy_due_bn - subsidy_paid_bn,
        "sez_package": np.broadcast_to(unfunded_package_bn, (n_paths,)),
        "lps": lps_bn,
        "phl_interest": phl_interest_bn,
        "dss": -dss_collected_bn,
        "budget_payments": np.broadcast_to(0.0 - budget_cppa_bn - budget_phl_bn, (n_paths,)),
        "policy_one_offs": one_offs_bn,
    }
