import numpy as np
import pytest

from circdebt.model import debt


def test_lps_formula_with_waiver_and_no_lps_creditors():
    lps = debt.late_payment_surcharge(np.array([[900.0, 100.0, 50.0]]), np.array([0.11]),
                                      np.array([0.02, 0.045, 0.0]), np.array([0.0, 0.5, 0.0]),
                                      np.array([1.0, 1.0, 0.0]))
    np.testing.assert_allclose(lps, [[900 * 0.13 / 12, 100 * 0.155 / 12 * 0.5, 0.0]])


def test_phl_interest_and_service():
    interest, after, budget_used, dss_used, budget_left, dss_left, *_ = debt.phl_service(
        np.array([660.0]), np.array([0.11]), -0.009, 0.0, np.array([15.196]))
    assert interest[0] == pytest.approx(5.555, abs=1e-3)
    assert after[0] == pytest.approx(660 + 5.555 - 15.196, abs=1e-3)
    assert dss_used[0] == pytest.approx(15.196)
    assert budget_left[0] == 0.0 and dss_left[0] == 0.0


def test_phl_never_goes_negative_and_leaves_surplus_unused():
    interest, after, budget_used, dss_used, budget_left, dss_left, *_ = debt.phl_service(
        np.array([10.0]), np.array([0.12]), 0.0, 8.0, np.array([5.0]))
    assert after[0] == 0.0
    assert budget_used[0] == 8.0
    assert dss_used[0] == pytest.approx(10.1 - 8.0)
    assert budget_left[0] == 0.0
    assert dss_left[0] == pytest.approx(5.0 - (10.1 - 8.0))  # the surplus goes on to CPPA-G


def test_the_dss_ends_with_phl_debt_only_if_the_scenario_says_so():
    rate = debt.dss_rate_pkr_per_kwh(3.23, np.array([100.0, 0.0]), ends_when_repaid=True)
    np.testing.assert_allclose(rate, [3.23, 0.0])
    assert debt.dss_rate_pkr_per_kwh(3.23, np.array([0.0]), ends_when_repaid=False) == 3.23


def test_dss_collected_at_the_collection_ratio():
    collected = debt.dss_collected_bn(np.array([3.0]), np.array([10_000.0]), np.array([0.9]))
    assert collected[0] == pytest.approx(27.0)


def test_the_stock_counts_cpp_a_cash_against_the_debt():
    stock = debt.cd_stock_bn(np.array([[500.0, 300.0]]), np.array([93.0]), np.array([660.0]),
                             np.array([10.0]), np.array([5.0]))
    assert stock[0] == pytest.approx(500 + 300 + 93 + 660 - 10 - 5)
