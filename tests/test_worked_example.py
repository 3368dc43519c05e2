"""docs/worked-example.md, one month worked by hand, reproduced by the engine.

The example works one month by hand (Rs bn, rounded to 3 decimals in the text); a
scenario with exactly its inputs must give exactly its numbers.
"""

import pytest
from conftest import DATA

import circdebt
from circdebt.results.tables import FLOW_COLUMNS

EXPECTED = {
    "units_purchased_gwh": 6060.6,
    "units_allowed_gwh": 5649.7,
    "capacity_payments_bn_pkr": 150.000,
    "energy_payments_bn_pkr": 57.576,
    "transmission_bn_pkr": 9.091,
    "ppp_bn_pkr": 216.667,
    "sector_cost_bn_pkr": 231.667,
    "revenue_requirement_allowed_bn_pkr": 216.977,
    "tariff_recovered_bn_pkr": 205.000,
    "billed_bn_pkr": 184.300,
    "tds_due_bn_pkr": 20.700,
    "collected_bn_pkr": 173.414,
    "tds_paid_bn_pkr": 16.000,
    "flow_excess_losses_bn_pkr": 14.689,
    "flow_tariff_gap_bn_pkr": 11.977,
    "flow_under_recovery_bn_pkr": 10.886,
    "flow_subsidy_shortfall_bn_pkr": 4.700,
    "flow_lps_bn_pkr": 9.750,
    "flow_phl_interest_bn_pkr": 5.555,
    "flow_dss_bn_pkr": -15.196,
    "flow_budget_payments_bn_pkr": 0.0,
    "flow_policy_one_offs_bn_pkr": 0.0,
    "cd_flow_bn_pkr": 42.362,
    "payables_bn_pkr": 900 + 52.003,
    "phl_debt_bn_pkr": 660 - 9.641,
}


@pytest.fixture(scope="module")
def month():
    return circdebt.run(DATA / "worked_example.toml").monthly.iloc[0]


@pytest.mark.parametrize("column", sorted(EXPECTED))
def test_matches_hand_calculation(month, column):
    # the text rounds to 3 decimals (GWh to 1 decimal)
    tolerance = 0.05 if column.endswith("_gwh") else 0.0015
    assert month[column] == pytest.approx(EXPECTED[column], abs=tolerance)


def test_operating_gap_and_identity(month):
    gap = month["sector_cost_bn_pkr"] - month["collected_bn_pkr"] - month["tds_paid_bn_pkr"]
    causes = month[["flow_excess_losses_bn_pkr", "flow_tariff_gap_bn_pkr",
                    "flow_under_recovery_bn_pkr", "flow_subsidy_shortfall_bn_pkr"]].sum()
    assert gap == pytest.approx(42.253, abs=0.0015)
    assert causes == pytest.approx(gap, abs=1e-9)
    assert month[list(FLOW_COLUMNS)].sum() == pytest.approx(month["cd_flow_bn_pkr"], abs=1e-9)


def test_billed_plus_subsidy_is_what_tariffs_recover(month):
    assert month["billed_bn_pkr"] + month["tds_due_bn_pkr"] == pytest.approx(
        month["tariff_recovered_bn_pkr"], abs=1e-9)
