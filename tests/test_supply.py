from dataclasses import replace

import numpy as np
import pytest
from factories import small, small_data

from circdebt.engine.compile import compile_inputs, plant_arrays
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


def _prices(arr, rs_usd_cpi=300.0, rs_usd_fx=300.0, pk_cpi=1.0, kibor_factor=1.0,
            sofr_factor=1.0, **levers):
    """The parts of the first group's price, by name. [Rs/kW/month]"""
    one = np.ones((1, 1))
    parts = supply.component_prices_pkr_per_kw_month(
        arr, rs_usd_cpi * one, rs_usd_fx * one, pk_cpi * one, kibor_factor * one,
        sofr_factor * one, **levers)
    return dict(zip(supply.PARTS, parts[0, 0], strict=True))


def _cp(arr, prices, gen=1.0, avail=1.0, **kw):
    one = np.ones((1, 1))
    return supply.capacity_payments_bn(arr, prices, gen * one, avail * one, **kw)[0, 0]


def _as_array(parts):
    return np.array([[list(parts.values())]])


def test_capacity_payment_formula_legacy_keys():
    arr = _plants(capacity_mw=1000.0, cpp_usd_per_kw_month=10.0, cpp_pkr_per_kw_month=950.0)
    # 1,000,000 kW x (10 x 280 + 950) Rs = Rs 3.75 bn
    assert _cp(arr, _as_array(_prices(arr, rs_usd_cpi=280.0))) == pytest.approx(3.75)
    # legacy indexation: US CPI on the whole dollar part, PK CPI on the rupee part
    one = np.ones((1, 1))
    rs_per_usd = supply.usd_part_in_pkr(280.0 * one, 1.1 * one, 1.2 * one, np.zeros(1), one)
    parts = _prices(arr, rs_usd_cpi=rs_per_usd[0, 0], rs_usd_fx=999.0, pk_cpi=1.2)
    assert _cp(arr, _as_array(parts)) == pytest.approx(1e6 * (10 * 280 * 1.1 + 950 * 1.2) / 1e9)


COMPONENT_KEYS = dict(
    cpp_pkr_per_kw_month=0.0, capacity_mw=1000.0, roe_usd_per_kw_month=1.0,
    local_roe_pkr_per_kw_month=50.0,
    foreign_debt_principal_usd_per_kw_month=2.0, foreign_debt_interest_usd_per_kw_month=3.0,
    local_debt_principal_pkr_per_kw_month=100.0, local_debt_interest_pkr_per_kw_month=200.0,
    foreign_om_usd_per_kw_month=4.0, local_om_pkr_per_kw_month=300.0,
    insurance_usd_per_kw_month=5.0)


def test_each_component_follows_its_own_index():
    arr = _plants(**COMPONENT_KEYS)
    parts = _prices(arr, rs_usd_cpi=330.0, rs_usd_fx=300.0, pk_cpi=1.2, kibor_factor=1.5,
                    sofr_factor=2.0, debt_outstanding=np.array([0.5]))
    assert parts == pytest.approx({
        "legacy_usd": 0.0, "legacy_pkr": 0.0,
        "roe": 1.0 * 300,  # fx only
        "local_roe": 50.0,  # fixed in rupees
        "foreign_debt_principal": 2.0 * 300,  # fx, the instalment is fixed in dollars
        "foreign_debt_interest": 3.0 * 0.5 * 2.0 * 300,  # outstanding x SOFR factor x fx
        "local_debt_principal": 100.0,  # fixed in rupees
        "local_debt_interest": 200.0 * 0.5 * 1.5,  # outstanding x KIBOR factor
        "foreign_om": 4.0 * 330,  # fx x US CPI
        "local_om": 300.0 * 1.2,  # PK CPI
        "insurance": 5.0 * 300,  # fx
    })
    # principal instalments end with the debt factor (maturity), interest with the share
    matured = _prices(arr, debt_factor=np.array([0.0]), debt_outstanding=np.array([0.0]))
    assert matured["foreign_debt_principal"] == matured["foreign_debt_interest"] == 0.0
    assert matured["local_debt_principal"] == matured["local_debt_interest"] == 0.0
    assert matured["roe"] == 300.0
    # renegotiation scales: dollar components by the usd scale, rupee ones by the pkr scale
    scaled = _prices(arr, usd_scale=np.array([0.5]), pkr_scale=np.array([0.0]))
    assert scaled["roe"] == 150.0 and scaled["insurance"] == 750.0
    assert scaled["local_om"] == scaled["local_debt_principal"] == scaled["local_roe"] == 0.0


def _rates(**changes):
    one = np.ones(1)
    values = dict(fx_pkr_per_usd=300.0 * one, us_cpi_index=1.1 * one, pk_cpi_index=1.2 * one,
                  kibor=0.11 * one, kibor_at_start=0.11 * one, sofr=0.043 * one,
                  sofr_at_start=0.043 * one)
    values.update({k: v * one for k, v in changes.items()})
    return supply.MonthRates(**values)


def _with_group(group, **changes):
    """The small scenario with ``group`` added as its last plant group."""
    plants = [*small_data()["supply"]["plants"], group]
    return small(supply={"plants": plants}, **changes)


def _last(arr, rates, terms):
    parts = supply.month_prices_pkr_per_kw_month(arr, rates, terms)[0, -1]
    return dict(zip(supply.PARTS, parts, strict=True))


def _terms(**changes):
    one = np.ones(1)
    values = dict(usd_converted=np.zeros(1), frozen_pkr_per_usd_us_cpi=one,
                  frozen_pkr_per_usd_fx=one, usd_scale=one, pkr_scale=one,
                  active=np.ones(1, bool), take_and_pay=np.zeros(1, bool), debt_factor=one,
                  debt_outstanding=0.6 * one)
    values.update(changes)
    return supply.ContractTerms(**values)


def _month(arr, rates, terms):
    parts = supply.month_prices_pkr_per_kw_month(arr, rates, terms)[0, 0]
    return dict(zip(supply.PARTS, parts, strict=True))


def _changed(before, after):
    return {k for k in before if not np.isclose(before[k], after[k], rtol=1e-12)}


def test_zero_us_inflation_moves_only_foreign_om():
    arr = _plants(**COMPONENT_KEYS)
    base = _month(arr, _rates(), _terms())
    assert _changed(base, _month(arr, _rates(us_cpi_index=1.0), _terms())) == {"foreign_om"}
    # whereas the legacy dollar part moves with US CPI as a whole
    legacy = _plants(capacity_mw=1000.0, cpp_usd_per_kw_month=10.0, cpp_pkr_per_kw_month=0.0)
    assert _changed(_month(legacy, _rates(), _terms()),
                    _month(legacy, _rates(us_cpi_index=1.0), _terms())) == {"legacy_usd"}


def test_sofr_moves_only_foreign_interest_and_kibor_only_local_interest():
    arr = _plants(**COMPONENT_KEYS)
    base = _month(arr, _rates(), _terms())
    sofr_up = _month(arr, _rates(sofr=0.053), _terms())
    assert _changed(base, sofr_up) == {"foreign_debt_interest"}
    # (SOFR_t + s) / (SOFR_0 + s) with the default 4.5% spread
    assert sofr_up["foreign_debt_interest"] / base["foreign_debt_interest"] == \
        pytest.approx((0.053 + 0.045) / (0.043 + 0.045))
    kibor_up = _month(arr, _rates(kibor=0.12), _terms())
    assert _changed(base, kibor_up) == {"local_debt_interest"}
    assert kibor_up["local_debt_interest"] / base["local_debt_interest"] == \
        pytest.approx((0.12 + 0.03) / (0.11 + 0.03))
    # a ten per cent fall of the rupee moves every dollar component, no rupee one
    fx_up = _month(arr, _rates(fx_pkr_per_usd=330.0), _terms())
    assert _changed(base, fx_up) == {"roe", "foreign_debt_principal", "foreign_debt_interest",
                                     "foreign_om", "insurance"}


def test_outstanding_principal_is_repaid_in_equal_instalments_to_maturity():
    share = supply.outstanding_principal_share(np.arange(6), 4)
    np.testing.assert_allclose(share, [1.0, 0.75, 0.5, 0.25, 0.0, 0.0])
    np.testing.assert_allclose(supply.outstanding_principal_share(np.arange(3), 0), 0.0)
    np.testing.assert_allclose(supply.outstanding_principal_share(np.arange(3), -5), 0.0)


def test_outstanding_share_lever_by_maturity():
    from circdebt.engine.levers import debt_outstanding
    tl = Timeline("2025-07", "2026-06")
    share = debt_outstanding(tl, [None, "2025-11", "2025-01"])
    np.testing.assert_array_equal(share[:, 0], 1.0)  # no maturity (legacy prices only)
    np.testing.assert_allclose(share[:6, 1], [1.0, 0.75, 0.5, 0.25, 0.0, 0.0])
    np.testing.assert_array_equal(share[:, 2], 0.0)  # matured before the start


def test_sofr_rise_moves_capacity_payments_only_until_maturity():
    group = {**COMPONENT_KEYS, "name": "cpec", "creditor": "cpec_ipp",
             "debt_maturity": "2026-07"}
    del group["cpp_pkr_per_kw_month"]
    low = compile_inputs(_with_group(group, exogenous={"sofr_pct": 4.3}))
    high = compile_inputs(_with_group(group, exogenous={"sofr_pct": {
        "initial": 4.3, "schedule": {"2025-08": 5.3}}}))
    # outstanding principal share: 12 months from 2025-07 to 2026-07
    np.testing.assert_allclose(low.levers.debt_outstanding[:14, -1],
                               np.clip((12 - np.arange(14)) / 12, 0, 1))
    assert high.exo.sofr[0, 3] == pytest.approx(0.053)
    for t, moved in ((3, {"foreign_debt_interest"}), (12, set()), (20, set())):
        a = _last(low.plants, low.month_rates(t), low.contract_terms(t))
        b = _last(high.plants, high.month_rates(t), high.contract_terms(t))
        assert _changed(a, b) == moved, t
    # interest falls with the outstanding principal: half of it is left after 6 months
    # (RoE, on the same exchange rate, is the yardstick: 3 x 0.5 / 1)
    mid = _last(low.plants, low.month_rates(6), low.contract_terms(6))
    assert mid["foreign_debt_interest"] / mid["roe"] == pytest.approx(1.5)
    after = _last(low.plants, low.month_rates(12), low.contract_terms(12))
    assert after["foreign_debt_principal"] == after["local_debt_interest"] == 0.0


def test_hybrid_pays_the_named_components_on_availability():
    group = {**COMPONENT_KEYS, "name": "gpp", "creditor": "public", "contract": "hybrid",
             "paid_on_availability_pct": {"local_om": 100.0, "roe": 35.0},
             "debt_maturity": "2030-06"}
    del group["cpp_pkr_per_kw_month"]
    full = plant_arrays(_with_group(group, exogenous={"sofr_pct": 4.3}).supply)
    arr = replace(full, capacity_mw=full.capacity_mw[-1:],
                  paid_on_availability=full.paid_on_availability[-1:])
    parts = np.zeros((1, 1, len(supply.PARTS)))
    parts[0, 0, supply.PARTS.index("roe")] = 1000.0
    parts[0, 0, supply.PARTS.index("local_om")] = 500.0
    parts[0, 0, supply.PARTS.index("insurance")] = 200.0
    # dispatched a quarter of its available energy: RoE 35% + 65% x 1/4, O&M whole,
    # insurance a quarter (1,000 MW = 1e6 kW; Rs bn)
    expected = 1e6 * (1000 * (0.35 + 0.65 * 0.25) + 500 + 200 * 0.25) / 1e9
    assert _cp(arr, parts, gen=25.0, avail=100.0) == pytest.approx(expected)
    # a take_and_pay policy pays every part on the dispatched share
    assert _cp(arr, parts, gen=25.0, avail=100.0, take_and_pay=np.array([True])) == \
        pytest.approx(1e6 * 1700 * 0.25 / 1e9)
    # take-or-pay pays all on availability
    top = plant_arrays(small().supply)
    assert top.paid_on_availability[1].tolist() == [1.0] * len(supply.PARTS)


def test_converted_dollar_part_follows_pk_cpi_from_the_conversion_date():
    one = np.ones((1, 1))
    frozen = 280.0 * 1.05 / 1.10  # fx x US CPI / PK CPI on the conversion date
    rate = supply.usd_part_in_pkr(400.0 * one, 1.2 * one, 1.32 * one, np.array([0.5]),
                                  frozen * one)
    assert rate[0, 0] == pytest.approx(0.5 * 400 * 1.2 + 0.5 * 280 * 1.05 * 1.2)


def test_converted_components_keep_their_own_index_until_conversion():
    arr = _plants(**COMPONENT_KEYS)
    terms = _terms(usd_converted=np.array([1.0]), frozen_pkr_per_usd_us_cpi=np.array([250.0]),
                   frozen_pkr_per_usd_fx=np.array([240.0]))
    parts = _month(arr, _rates(), terms)
    # all converted: RoE at fx / PK CPI frozen, x PK CPI now; foreign O&M at its own
    assert parts["roe"] == pytest.approx(1.0 * 240.0 * 1.2)
    assert parts["foreign_om"] == pytest.approx(4.0 * 250.0 * 1.2)
    assert parts["insurance"] == pytest.approx(5.0 * 240.0 * 1.2)


def test_debt_parts_end_at_maturity_legacy_keys():
    arr = _plants(capacity_mw=1000.0, cpp_usd_per_kw_month=10.0, cpp_usd_debt_share_pct=60.0,
                  cpp_pkr_per_kw_month=1000.0, cpp_pkr_debt_share_pct=50.0,
                  debt_maturity="2026-01")

    def cp(kibor_factor=1.0, active=True, **kw):
        return _cp(arr, _as_array(_prices(arr, kibor_factor=kibor_factor, **kw)),
                   active=active)

    assert cp() == pytest.approx(1e6 * (3000 + 1000) / 1e9)
    assert cp(kibor_factor=2.0) == pytest.approx(1e6 * (3000 + 500 + 1000) / 1e9)
    # the month of debt maturity on: the levers' debt factor is 0
    matured = np.array([0.0])
    assert cp(debt_factor=matured) == pytest.approx(1e6 * (3000 * 0.4 + 500) / 1e9)
    assert cp(debt_factor=matured, active=np.array([False])) == 0.0
    assert cp(usd_scale=np.array([0.5]), pkr_scale=np.array([0.0])) == pytest.approx(1.5)


def test_take_and_pay_is_paid_only_on_dispatched_share():
    arr = plant_arrays(small().supply)  # the peakers are take-and-pay
    arr = replace(arr, capacity_mw=np.array([1000.0]), cpp_pkr=np.array([1000.0]),
                  paid_on_availability=arr.paid_on_availability[-1:])
    assert _cp(arr, _as_array(_prices(arr)), gen=25.0, avail=100.0) == pytest.approx(0.25)
    # and nothing when nothing could be dispatched
    assert _cp(arr, _as_array(_prices(arr)), gen=0.0, avail=0.0) == 0.0


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
    due = supply.payments_due(arr, dispatch, _rates(fx_pkr_per_usd=280.0),
                              _terms(debt_outstanding=np.ones(1)))
    assert due.capacity_bn[0, 0] == pytest.approx(1e6 * (10 * 280 * 1.1 + 950 * 1.2) / 1e9)
    assert due.energy_bn[0, 0] == pytest.approx(250 * 12 / 1000)
