import numpy as np
import pytest

from circdebt.model import tariff
from circdebt.model.state import MonthRecord


def test_multipliers_are_revenue_neutral_on_projected_mix():
    mix = np.array([[3000.0, 2000.0, 500.0]])
    m = tariff.normalised_multipliers(np.array([0.8, 1.3, 1.0]), mix)
    assert (m * mix).sum() == pytest.approx(mix.sum())
    assert m[0, 1] / m[0, 0] == pytest.approx(1.3 / 0.8)  # relative structure kept


def test_worked_example_multipliers_are_already_neutral():
    m = tariff.normalised_multipliers(np.array([0.90, 1.15]), np.array([[3000.0, 2000.0]]))
    np.testing.assert_allclose(m, [[0.90, 1.15]])


def test_rebase_on_hand_numbers():
    # 12-month sales 100,000 GWh, no growth; allowed loss 10% -> U* = 111,111 GWh.
    # Trailing energy 9 Rs/kWh of units, other 1 Rs/kWh; capacity 150 bn a month; DM 3.
    total, fuel = tariff.rebase(
        np.array([[100_000.0]]), np.array([120_000.0]), np.array([9 * 120.0]),
        np.array([1 * 120.0]), np.array([150.0]), np.array([[0.10]]), np.array([3.0]),
        np.array([1.0]), 0.0)
    units = 100_000 / 0.9
    assert fuel[0] == pytest.approx(9 * units / 100_000)
    expected = (9 * units + 1 * units) / 100_000 + 12 * 150 * 1e3 / 100_000 + 3.0
    assert total[0] == pytest.approx(expected)


def test_rebase_uses_each_class_loss_and_margin_share():
    # a bulk class with 10% of the loss rate and no distribution margin
    sales = np.array([[60_000.0, 40_000.0]])
    total, fuel = tariff.rebase(
        sales, np.array([100_000.0]), np.array([900.0]), np.array([0.0]), np.array([0.0]),
        np.array([[0.20, 0.02]]), np.array([3.0]), np.array([1.0, 0.0]), 0.0)
    units = 60_000 / 0.8 + 40_000 / 0.98
    assert fuel[0] == pytest.approx(9 * units / 100_000)
    assert total[0] == pytest.approx(fuel[0] + 3.0 * 0.6)


def test_notify_moves_pass_through_share_of_the_way():
    assert tariff.notify(np.array([30.0]), np.array([40.0]), 0.25)[0] == pytest.approx(32.5)


def test_fca_is_zero_at_reference_and_counts_only_allowed_units():
    # energy 60 bn for 6,000 GWh purchased, 5,600 allowed, 5,000 sold
    ref = 60 * (5600 / 6000) / 5000 * 1e3
    rate = tariff.fuel_adjustment_pkr_per_kwh(np.array([60.0]), np.array([6000.0]),
                                              np.array([5600.0]), np.array([5000.0]), ref)
    assert rate[0] == pytest.approx(0.0)


def test_adjustment_book_lags_and_spreads_amounts():
    book = tariff.AdjustmentBook.empty(1, 12)
    book.schedule_fca(2, 2, np.array([1.5]))
    book.schedule_fca(11, 2, np.array([9.0]))  # beyond the horizon: dropped
    assert book.fca_bn[0, 4] == 1.5 and book.fca_bn.sum() == 1.5
    book.accrue_qta(np.array([30.0]))
    book.accrue_qta(np.array([0.0]))
    book.close_period(5, 3, 1, pass_through=0.5)
    # 30 bn, half notified, recovered in equal parts in months 6..8
    np.testing.assert_allclose(book.qta_bn[0], [0] * 6 + [5.0] * 3 + [0] * 3)
    assert book.qta_deviation_bn[0] == 0.0


def test_adjustment_rates_use_the_sales_of_the_month_charged():
    book = tariff.AdjustmentBook.empty(1, 3)
    book.schedule_fca(0, 1, np.array([10.0]))
    fca, qta = book.rates_pkr_per_kwh(1, np.array([4000.0]))
    # 10 bn over 4,000 GWh = 2.5 Rs/kWh, so exactly 10 bn is recovered whatever the sales
    assert fca[0] == pytest.approx(2.5) and qta[0] == 0.0


# --------------------------------------------------------------------------- month steps


def _record(month, sales=(100.0, 50.0), units=170.0, energy=1.7, other=0.17, capacity=2.0):
    return MonthRecord(month, np.array([sales]), np.array([sales]) * 30.0, np.array([units]),
                       np.array([energy]), np.array([other]), np.array([capacity]))


def _determination():
    return tariff.Determination(np.array([30.0]), np.array([32.0]), np.array([10.0]),
                                np.array([[0.9, 1.2]]))


def test_initial_determination_takes_the_fuel_reference_from_the_first_month():
    sales = np.array([[3000.0, 2000.0]])
    d = tariff.initial_determination(np.array([24.0]), None, np.array([60.0]),
                                     np.array([6000.0]), np.array([5600.0]), sales,
                                     np.array([1.0, 1.0]), np.array([250.0, 250.0]))
    assert d.notified_pkr_per_kwh[0] == d.determined_pkr_per_kwh[0] == 24.0
    assert d.fuel_reference_pkr_per_kwh[0] == pytest.approx(60 * 5600 / 6000 / 5000 * 1e3)
    given = tariff.initial_determination(np.array([24.0]), np.array([8.0]), np.array([60.0]),
                                         np.array([6000.0]), np.array([5600.0]), sales,
                                         np.array([1.0, 1.0]), np.array([250.0, 250.0]))
    assert given.fuel_reference_pkr_per_kwh[0] == 8.0


def test_determine_rebases_on_the_last_twelve_months_only():
    window = [_record(7, sales=(1e6, 1e6))] + [_record(m) for m in range(8, 13)] + \
        [_record(m) for m in range(1, 8)]  # 13 months, the oldest an outlier
    seasonal = np.ones((12, 2))
    args = (np.array([[0.1, 0.1]]), np.array([3.0]), np.array([1.0, 1.0]), 0.0)
    d = tariff.determine(_determination(), 13, True, np.array([0.9, 1.2]), False, window,
                         1.0, seasonal, *args)
    expected, fuel = tariff.rebase_on_window(window[-12:], seasonal, *args)
    assert d.determined_pkr_per_kwh[0] == pytest.approx(expected[0])
    assert d.fuel_reference_pkr_per_kwh[0] == pytest.approx(fuel[0])
    assert d.notified_pkr_per_kwh[0] == pytest.approx(expected[0])  # full pass-through
    half = tariff.determine(_determination(), 13, True, np.array([0.9, 1.2]), False, window,
                            0.5, seasonal, *args)
    assert half.notified_pkr_per_kwh[0] == pytest.approx(30.0 + 0.5 * (expected[0] - 30.0))


def test_determine_renormalises_a_rebalancing_between_rebasings():
    window = [_record(m) for m in range(1, 13)]
    seasonal = np.ones((12, 2))
    args = (np.array([[0.1, 0.1]]), np.array([3.0]), np.array([1.0, 1.0]), 0.0)
    current = _determination()
    unchanged = tariff.determine(current, 5, False, np.array([0.9, 1.5]), False, window, 1.0,
                                 seasonal, *args)
    assert unchanged is current
    rebalanced = tariff.determine(current, 5, False, np.array([0.9, 1.5]), True, window, 1.0,
                                  seasonal, *args)
    m = rebalanced.multipliers
    assert (m * np.array([1200.0, 600.0])).sum() == pytest.approx(1800.0)  # revenue neutral
    assert m[0, 1] / m[0, 0] == pytest.approx(1.5 / 0.9)
    assert rebalanced.notified_pkr_per_kwh is current.notified_pkr_per_kwh


def test_adjust_charges_the_fca_after_its_lag_and_closes_quarters_in_their_last_month():
    book = tariff.AdjustmentBook.empty(1, 12)
    d = tariff.Determination(np.array([20.0]), np.array([20.0]), np.array([10.0]),
                             np.array([[1.0]]))
    sales = np.array([[1000.0]])
    # fuel cost at the allowed loss: 12 Rs/kWh sold against a reference of 10
    energy = np.array([12.0])
    for t, month in enumerate([7, 8, 9]):
        adj = tariff.adjust(book, t, month, d, energy, np.array([1000.0]), np.array([1000.0]),
                            sales, np.array([25.0]), 1.0, fca_lag=2, qta_period=3, qta_lag=1)
        assert adj.fuel_deviation_bn[0] == pytest.approx(2.0)
    assert book.fca_bn[0, 2] == pytest.approx(2.0) and book.fca_bn[0, :2].sum() == 0.0
    # each month: cost 25 bn - base 20 bn - fuel 2 bn = 3 bn; the quarter closes in
    # September (t = 2) and is charged over October-December from t = 3
    np.testing.assert_allclose(book.qta_bn[0, 3:6], [3.0, 3.0, 3.0])
    assert book.qta_bn[0, :3].sum() == 0.0
    assert adj.fca_pkr_per_kwh[0] == pytest.approx(2.0)  # the July FCA, charged in September


def test_class_tariffs_add_uniform_adjustments_to_the_multiplied_base():
    tariffs = tariff.class_tariffs_pkr_per_kwh(np.array([30.0]), np.array([[0.8, 1.2]]),
                                               np.array([1.0]), np.array([-0.5]))
    np.testing.assert_allclose(tariffs, [[24.5, 36.5]])
