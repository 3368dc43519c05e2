"""The flow by cause (docs/model.md §16)."""

import numpy as np

from circdebt.model.causes import CAUSES, flow_causes


def test_flow_causes_on_hand_numbers():
    one = np.ones(1)
    flows = flow_causes(
        sector_cost_bn=231.667 * one, revenue_requirement_allowed_bn=216.977 * one,
        recovered_by_tariff_bn=205.0 * one, seasonal_timing_bn=4.0 * one,
        pending_adjustments_bn=-1.5 * one, prior_year_adjustment_bn=-2.0 * one,
        billed_bn=184.3 * one, collected_bn=173.414 * one,
        subsidy_due_bn=20.7 * one, subsidy_paid_bn=16.0 * one, unfunded_package_bn=0.5 * one,
        lps_bn=9.75 * one, phl_interest_bn=5.555 * one, dss_collected_bn=15.196 * one,
        budget_cppa_bn=3.0, budget_phl_bn=2.0, one_offs_bn=-1.0 * one)
    assert tuple(flows) == CAUSES
    # the four tariff lines share RR* - RR_passed = 11.977; the tariff gap is the rest
    expected = {"excess_losses": 14.69, "tariff_gap": 11.977 - 4.0 + 1.5 + 2.0,
                "seasonal_timing": 4.0, "pending_adjustments": -1.5,
                "prior_year_adjustment": -2.0, "under_recovery": 10.886,
                "subsidy_shortfall": 4.7, "sez_package": 0.5, "lps": 9.75,
                "phl_interest": 5.555, "dss": -15.196, "budget_payments": -5.0,
                "policy_one_offs": -1.0}
    for cause, value in expected.items():
        np.testing.assert_allclose(flows[cause], [value], rtol=1e-12)
