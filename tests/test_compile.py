"""Compiling a scenario into the inputs every month reads (docs/model.md §2)."""

import numpy as np
import pytest
from factories import small

from circdebt.engine.compile import compile_inputs, multiplier_changes
from circdebt.model.cash import AllocationRule


def test_fiscal_year_boundaries_and_caps_follow_the_timeline():
    x = compile_inputs(small(subsidy={"budget_cap_bn_pkr_per_fy": {"FY2027": 150.0}}))
    tl = x.timeline
    np.testing.assert_array_equal(x.subsidy.fy_start, tl.calendar_month == 7)
    caps = np.array(x.subsidy.fy_cap_bn, dtype=float)
    assert np.isnan(caps[tl.fiscal_year == 2026]).all()
    assert (caps[tl.fiscal_year == 2027] == 150.0).all()


def test_percentages_become_fractions_once():
    s = small(sez={"captive": {"switch_speed_pct_per_month": 3.0, "max_share_pct": 40.0,
                               "switching_margin_pct": 10.0}, "taxes_pct": 18.0},
              settlement={"arrears_recovery_pct_per_year": 10.0})
    x = compile_inputs(s)
    assert x.sez.captive_speed == pytest.approx(0.03)
    assert x.sez.captive_max_share == pytest.approx(0.4)
    assert x.sez.captive_margin == pytest.approx(0.1)
    assert x.sez.taxes_share == pytest.approx(0.18)
    assert 1 - (1 - x.arrears_monthly_rate) ** 12 == pytest.approx(0.1)
    assert x.solar.capacity_factor == pytest.approx(0.16)
    np.testing.assert_allclose(x.classes.recovery[:2], [0.92, 0.98])
    np.testing.assert_allclose(x.plants.availability, [1.0, 0.88, 0.9, 0.8])


def test_creditors_invoices_and_lps_terms():
    x = compile_inputs(small())
    c = x.creditors
    assert c.names == ["public", "cpec_ipp", "ipp", "genco", "transmission", "net_metering"]
    np.testing.assert_array_equal(c.group_to_creditor.argmax(axis=1), [0, 1, 2, 3])
    np.testing.assert_allclose(c.lps_spread, [0.0, 0.045, 0.02, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(c.lps_accrues, [0, 1, 1, 0, 0, 0])
    assert (c.transmission_col, c.net_metering_col) == (4, 5)
    assert x.allocation.rule is AllocationRule.PRO_RATA and x.allocation.priority == [5]
    np.testing.assert_allclose(x.initial.payables_bn, [[0.0, 450.0, 250.0, 150.0, 0.0, 0.0]])


def test_one_offs_are_filed_under_their_month():
    x = compile_inputs(small(policies=[{"type": "budget_injection", "start": "2026-01",
                                        "amount_bn_pkr": 90.0, "phase_in_months": 3}]))
    months = [t for t, events in enumerate(x.one_offs) for _ in events]
    assert months == [6, 7, 8]
    assert sum(e.amount_bn_pkr for events in x.one_offs for e in events) == pytest.approx(90.0)


def test_sez_load_is_weighted_by_each_path_s_zones():
    zones = [{"name": "a", "start": "2025-07", "ramp_months": 0, "peak_load_mw": 100.0,
              "load_factor_pct": 50.0}]
    x = compile_inputs(small(sez={"zones": zones}), n_paths=2,
                       sez_weights=np.array([[1.0], [0.0]]))
    assert x.sez.load_gwh[0, 0] == pytest.approx(100 * 0.5 * 744 / 1000)
    assert x.sez.load_gwh[1].sum() == 0.0
    assert x.fuel_by_month.shape == (x.n_months, 2, 3)


def test_months_of_a_rebalancing_are_flagged_for_renormalisation():
    scale = np.ones((6, 2))
    scale[2:, 0] = 1.1  # a step in month 2
    scale[4:, 0] = 1.2  # another in month 4
    np.testing.assert_array_equal(multiplier_changes(scale),
                                  [False, False, True, False, True, False])
    assert not multiplier_changes(np.ones((3, 2))).any()
