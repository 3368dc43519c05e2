import numpy as np
import pytest
from factories import small

from circdebt.engine.compile import plant_arrays
from circdebt.engine.series import build_exogenous
from circdebt.model import supply
from circdebt.timeline import Timeline


def test_merit_order_fills_must_run_first_then_cheapest():
    available = np.array([[100.0, 50.0, 80.0, 60.0]])
    price = np.array([[30.0, 5.0, 10.0, 1.0]])
    must_run = np.array([True, False, False, False])
    gen, unserved = supply.merit_order_dispatch(np.array([200.0]), available, price, must_run)
    # must-run 100, then cheapest: group 3 (60), then group 1 (40 of 50); group 2 idle
    np.testing.assert_allclose(gen, [[100.0, 40.0, 0.0, 60.0]])
    assert unserved[0] == 0.0


def test_dispatch_reports_unserved_energy_rather_than_dropping_it():
    gen, unserved = supply.merit_order_dispatch(
        np.array([500.0, 10.0]), np.array([[100.0, 200.0], [100.0, 200.0]]),
        np.array([[1.0, 2.0], [2.0, 1.0]]), np.array([False, False]))
    np.testing.assert_allclose(unserved, [200.0, 0.0])
    np.testing.assert_allclose(gen, [[100.0, 200.0], [0.0, 10.0]])  # order differs by path


def test_must_run_is_curtailed_when_it_exceeds_need():
    gen, _ = supply.merit_order_dispatch(np.array([50.0]), np.array([[80.0, 10.0]]),
                                         np.array([[9.0, 1.0]]), np.array([True, False]))
    np.testing.assert_allclose(gen, [[50.0, 0.0]])


def _plants(**plant_changes):
    s = small()
    plants = [p.model_copy(update=plant_changes) for p in s.supply.plants[:1]]
    return plant_arrays(s.supply.model_copy(update={"plants": plants}))


def test_capacity_payment_formula():
    arr = _plants(capacity_mw=1000.0, cpp_usd_per_kw_month=10.0, cpp_pkr_per_kw_month=950.0)
    one = np.ones((1, 1))
    cp = supply.capacity_payments_bn(arr, 280.0 * one, one, one, one, one)
    # 1,000,000 kW x (10 x 280 + 950) Rs = Rs 3.75 bn
    assert cp[0, 0] == pytest.approx(3.75)
    # indexation: US CPI on the dollar part, PK CPI on the rupee part
    rs_per_usd = supply.usd_part_in_pkr(280.0 * one, 1.1 * one, 1.2 * one, np.zeros(1), one)
    cp = supply.capacity_payments_bn(arr, rs_per_usd, 1.2 * one, one, one, one)
    assert cp[0, 0] == pytest.approx(1e6 * (10 * 280 * 1.1 + 950 * 1.2) / 1e9)


def test_converted_dollar_part_follows_pk_cpi_from_the_conversion_date():
    one = np.ones((1, 1))
    frozen = 280.0 * 1.05 / 1.10  # fx x US CPI / PK CPI on the conversion date
    rate = supply.usd_part_in_pkr(400.0 * one, 1.2 * one, 1.32 * one, np.array([0.5]),
                                  frozen * one)
    assert rate[0, 0] == pytest.approx(0.5 * 400 * 1.2 + 0.5 * 280 * 1.05 * 1.2)


def test_debt_parts_end_at_maturity():
    arr = _plants(capacity_mw=1000.0, cpp_usd_per_kw_month=10.0, cpp_usd_debt_share_pct=60.0,
                  cpp_pkr_per_kw_month=1000.0, cpp_pkr_debt_share_pct=50.0,
                  debt_maturity="2026-01")
    one = np.ones((1, 1))

    def cp(kibor_factor=1.0, **kw):
        return supply.capacity_payments_bn(arr, 300.0 * one, one, kibor_factor * one,
                                           one, one, **kw)[0, 0]

    assert cp() == pytest.approx(1e6 * (3000 + 1000) / 1e9)
    assert cp(kibor_factor=2.0) == pytest.approx(1e6 * (3000 + 500 + 1000) / 1e9)
    # the month of debt maturity on: the levers' debt factor is 0
    matured = np.array([0.0])
    assert cp(debt_factor=matured) == pytest.approx(1e6 * (3000 * 0.4 + 500) / 1e9)
    assert cp(debt_factor=matured, active=np.array([False])) == 0.0
    assert cp(usd_scale=np.array([0.5]), pkr_scale=np.array([0.0])) == pytest.approx(1.5)


def test_take_and_pay_is_paid_only_on_dispatched_share():
    arr = _plants(capacity_mw=1000.0, cpp_pkr_per_kw_month=1000.0)
    one = np.ones((1, 1))
    cp = supply.capacity_payments_bn(arr, one, one, one, 25.0 * one, 100.0 * one,
                                     take_and_pay=np.array([True]))
    assert cp[0, 0] == pytest.approx(0.25)


def test_available_energy_uses_hours_and_profile():
    energy = supply.available_energy_gwh(np.array([1000.0]), np.array([0.9]), np.array([0.5]),
                                         np.array([True]), 744.0)
    assert energy[0] == pytest.approx(1000 * 0.9 * 0.5 * 744 / 1000)


def test_usd_fuel_moves_with_exchange_rate():
    s = small()
    exo = build_exogenous(s.exogenous, Timeline(s.time.start, s.time.end))
    rlng = exo.fuel_index["rlng"][0]
    coal = exo.fuel_index["local_coal"][0]
    fx = exo.fx_index[0]
    assert rlng[12] == pytest.approx(1.02 * fx[12])
    assert coal[12] == pytest.approx(1.0)


def test_payments_due_combine_the_capacity_formula_and_energy_at_the_month_s_indices():
    arr = _plants(capacity_mw=1000.0, cpp_usd_per_kw_month=10.0, cpp_pkr_per_kw_month=950.0)
    dispatch = supply.Dispatch(np.array([[500.0]]), np.array([[12.0]]), np.array([[250.0]]),
                               np.zeros(1))
    one = np.ones(1)
    due = supply.payments_due(arr, dispatch, 280.0 * one, 1.1 * one, 1.2 * one, 0.11 * one,
                              0.11 * one, np.zeros(1), one[:, None], np.ones(1), np.ones(1),
                              np.ones(1, bool), np.zeros(1, bool), np.ones(1))
    assert due.capacity_bn[0, 0] == pytest.approx(1e6 * (10 * 280 * 1.1 + 950 * 1.2) / 1e9)
    assert due.energy_bn[0, 0] == pytest.approx(250 * 12 / 1000)
