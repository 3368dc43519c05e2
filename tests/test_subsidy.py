"""The tariff differential subsidy: queue, payment share, fiscal-year cap (docs/model.md §11)."""

import numpy as np
import pytest

from circdebt.model import subsidy


def test_subsidy_respects_fiscal_year_cap():
    paid = subsidy.subsidy_payment(np.array([50.0, 50.0]), 0.8, np.array([90.0, 0.0]), 100.0)
    np.testing.assert_allclose(paid, [10.0, 40.0])


def test_dues_are_queued_for_their_lag_and_the_months_before_the_start_fill_it():
    queue = np.zeros((6, 1))
    subsidy.queue_due(queue, 0, 2, np.array([10.0]), pre_start_due_bn=np.array([9.0]))
    np.testing.assert_allclose(queue[:, 0], [9.0, 9.0, 10.0, 0.0, 0.0, 0.0])
    subsidy.queue_due(queue, 5, 2, np.array([10.0]))  # past the horizon: dropped
    assert queue.sum() == 28.0


def test_the_fiscal_year_budget_resets_in_its_first_month():
    np.testing.assert_allclose(subsidy.paid_so_far_in_fy(np.array([80.0]), fy_starts=True), [0])
    np.testing.assert_allclose(subsidy.paid_so_far_in_fy(np.array([80.0]), fy_starts=False),
                               [80.0])
    assert (subsidy.subsidy_payment(np.array([50.0]), 1.0, np.array([0.0]), np.nan)
            == 50.0).all()


def test_a_month_of_subsidy_pays_what_falls_due_within_the_cap_and_a_budget_package():
    queue = np.zeros((3, 1))
    month = subsidy.pay_subsidy(queue, 1, 1, np.array([40.0]), None, 0.5, np.array([95.0]),
                                False, 100.0, budget_package_bn=np.array([2.0]))
    np.testing.assert_allclose(queue[:, 0], [0.0, 0.0, 40.0])  # due next month
    assert month.paid_bn[0] == pytest.approx(2.0)  # nothing queued for now: the package only
    assert month.due_bn[0] == pytest.approx(42.0)
    queue[1] = 20.0
    month = subsidy.pay_subsidy(queue, 1, 1, np.array([40.0]), None, 0.5, np.array([95.0]),
                                False, 100.0)
    assert month.paid_bn[0] == pytest.approx(5.0)  # half of 20, capped at 100 - 95
    assert month.paid_in_fy_bn[0] == pytest.approx(100.0)


def test_in_the_first_month_the_months_before_the_start_fall_due_at_the_first_month_s_rate():
    queue = np.zeros((4, 1))
    subsidy.pay_subsidy(queue, 0, 2, np.array([10.0]), None, 1.0, np.zeros(1), True, np.nan)
    np.testing.assert_allclose(queue[:, 0], [10.0, 10.0, 10.0, 0.0])
    given = np.zeros((4, 1))
    subsidy.pay_subsidy(given, 0, 2, np.array([10.0]), np.array([7.0]), 1.0, np.zeros(1), True,
                        np.nan)
    np.testing.assert_allclose(given[:, 0], [7.0, 7.0, 10.0, 0.0])
