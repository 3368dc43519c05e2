"""Cash to creditors: allocation rules, invoices, what reaches CPPA-G (docs/model.md §14)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from circdebt.model import cash as cash_mod
from circdebt.model.cash import AllocationRule

dues_strategy = arrays(float, (3, 4), elements=st.floats(0.0, 1e4))


@given(dues=dues_strategy, cash=arrays(float, 3, elements=st.floats(-100.0, 5e4)),
       priority=st.sampled_from([[], [2], [3, 0]]))
def test_allocation_conserves_cash_and_never_overpays(dues, cash, priority):
    paid = cash_mod.allocate_cash(cash, dues, priority)
    assert (paid >= 0).all()
    assert (paid <= dues + 1e-9).all()
    expected_total = np.clip(cash, 0, dues.sum(axis=1))
    np.testing.assert_allclose(paid.sum(axis=1), expected_total, rtol=1e-12, atol=1e-6)


def test_priority_creditors_are_paid_first_in_order():
    dues = np.array([[100.0, 100.0, 100.0]])
    paid = cash_mod.allocate_cash(np.array([150.0]), dues, [2, 0])
    np.testing.assert_allclose(paid, [[50.0, 0.0, 100.0]])


def test_pro_rata_is_proportional_to_dues():
    paid = cash_mod.allocate_cash(np.array([60.0]), np.array([[100.0, 200.0]]))
    np.testing.assert_allclose(paid, [[20.0, 40.0]])


def test_fuel_first_pays_energy_invoices_before_anything_else():
    dues = np.array([[300.0, 300.0, 0.0]])
    energy = np.array([[100.0, 20.0, 0.0]])
    paid, from_cash, _ = cash_mod.allocate_by_rule(
        AllocationRule.FUEL_FIRST, np.array([150.0]), dues, [2], energy, energy, np.zeros(1),
        -1, 0.0)
    # 120 of energy first, then 30 pro-rata to the remaining 200 and 280
    np.testing.assert_allclose(paid, [[100 + 30 * 200 / 480, 20 + 30 * 280 / 480, 0.0]])
    assert from_cash[0] == pytest.approx(150.0)


def test_revolving_account_pays_its_share_of_cpec_invoices_first():
    dues = np.array([[500.0, 500.0, 0.0]])
    invoices = np.array([[100.0, 100.0, 0.0]])
    paid, from_cash, account = cash_mod.allocate_by_rule(
        AllocationRule.CPEC_REVOLVING, np.array([100.0]), dues, [2], invoices, invoices,
        np.array([30.0]), 0, 0.5)
    # the account pays min(30, 50% of 100) = 30 to creditor 0, then 100 pro-rata to 470 / 500
    assert account[0] == 0.0 and from_cash[0] == pytest.approx(100.0)
    np.testing.assert_allclose(paid, [[30 + 100 * 470 / 970, 100 * 500 / 970, 0.0]])


def test_invoices_go_to_each_group_s_creditor_and_charges_to_their_own():
    bills = cash_mod.invoices(np.array([[10.0, 20.0]]), np.array([[1.0, 2.0]]),
                              np.array([3.0]), np.array([0.5]),
                              np.array([[1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]]), 2, 3)
    np.testing.assert_allclose(bills.energy_bn, [[3.0, 0.0, 0.0, 0.5]])
    np.testing.assert_allclose(bills.other_bn, [[30.0, 0.0, 3.0, 0.0]])
    np.testing.assert_allclose(bills.total_bn, [[33.0, 0.0, 3.0, 0.5]])


def test_cash_in_adds_what_reaches_cppa_g():
    cash = cash_mod.cash_in_bn(np.array([170.0]), np.array([15.0]), np.array([16.0]), 5.0, 2.0,
                               np.array([1.0]), np.array([0.5]))
    assert cash[0] == pytest.approx(170 - 15 + 16 + 5 + 2 + 1 + 0.5)


def test_paying_creditors_leaves_what_is_not_paid_owing_and_keeps_a_surplus():
    plan = cash_mod.AllocationPlan(AllocationRule.PRO_RATA, [1], 0.0, 0.0, -1)
    bills = cash_mod.Invoices(np.array([[10.0, 0.0]]), np.array([[30.0, 0.0]]))
    paid = cash_mod.pay_creditors(plan, np.array([[60.0, 0.0]]), np.array([[2.0, 0.0]]),
                                  bills, np.array([50.0]), np.array([1.0]), np.zeros(1),
                                  np.array([45.0]))
    np.testing.assert_allclose(paid.paid_bn, [[51.0, 0.0]])
    np.testing.assert_allclose(paid.payables_bn, [[51.0, 0.0]])  # 102 due, 51 paid
    assert paid.cash_bn[0] == 0.0
    rich = cash_mod.pay_creditors(plan, np.array([[60.0, 0.0]]), np.array([[2.0, 0.0]]),
                                  bills, np.array([200.0]), np.zeros(1), np.zeros(1),
                                  np.array([180.0]))
    assert rich.payables_bn.sum() == 0.0 and rich.cash_bn[0] == pytest.approx(98.0)
    revolving = cash_mod.AllocationPlan(AllocationRule.CPEC_REVOLVING, [1], 0.1, 0.5, 0)
    ring = cash_mod.pay_creditors(revolving, np.array([[60.0, 0.0]]), np.zeros((1, 2)),
                                  bills, np.array([0.0]), np.zeros(1), np.zeros(1),
                                  np.array([100.0]))
    # 10% of collections (10) into the account, which pays half of the 40 invoice (capped 10)
    assert ring.paid_bn[0, 0] == pytest.approx(10.0) and ring.account_bn[0] == 0.0
