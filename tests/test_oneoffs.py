"""One-off policy moves (docs/model.md §12)."""

import numpy as np
import pytest

from circdebt.model.oneoffs import OneOff, OneOffKind, apply_one_offs, move_payables


def test_a_settlement_adds_to_payables_pro_rata_and_a_waiver_removes_at_most_what_is_owed():
    payables = np.array([[300.0, 100.0, 0.0]])
    mask = np.array([True, True, False])
    np.testing.assert_allclose(move_payables(payables, mask, 40.0, raise_=True),
                               [[30.0, 10.0, 0.0]])
    np.testing.assert_allclose(move_payables(payables, mask, 1000.0, raise_=False),
                               [[-300.0, -100.0, 0.0]])
    nothing_owed = np.zeros((1, 3))
    np.testing.assert_allclose(move_payables(nothing_owed, mask, 40.0, raise_=True),
                               [[20.0, 20.0, 0.0]])


def test_a_month_of_one_offs_routes_each_kind_to_its_place():
    payables = np.array([[300.0, 100.0]])
    events = [OneOff(0, OneOffKind.REFINANCING, 200.0, np.array([True, True])),
              OneOff(0, OneOffKind.SETTLEMENT, 50.0, np.array([False, True])),
              OneOff(0, OneOffKind.INJECTION_CPPA, 30.0),
              OneOff(0, OneOffKind.INJECTION_PHL, 20.0)]
    month = apply_one_offs(events, payables)
    # refinancing moves 200 pro-rata (150, 50) into PHL; the settlement adds 50 to creditor 1
    np.testing.assert_allclose(month.payables_bn, [[150.0, 100.0]])
    np.testing.assert_allclose(month.moves_bn, [[-150.0, 0.0]])
    assert month.phl_change_bn[0] == pytest.approx(200.0)
    assert month.flow_bn[0] == pytest.approx(50.0 - 30.0 - 20.0)
    assert (month.injection_cppa_bn, month.injection_phl_bn) == (30.0, 20.0)
    quiet = apply_one_offs([], payables)
    np.testing.assert_allclose(quiet.payables_bn, payables)
    assert quiet.flow_bn[0] == 0.0 and quiet.phl_change_bn[0] == 0.0
