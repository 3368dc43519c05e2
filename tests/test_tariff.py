import numpy as np
import pytest

from circdebt.model import tariff


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
