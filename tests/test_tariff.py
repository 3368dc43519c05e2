import numpy as np
import pytest

from circdebt.model import tariff
from circdebt.model.references import References
from circdebt.model.state import MonthRecord


def test_multipliers_are_revenue_neutral_on_projected_mix():
    mix = np.array([[3000.0, 2000.0, 500.0]])
    m = tariff.normalised_multipliers(np.array([0.8, 1.3, 1.0]), mix)
    assert (m * mix).sum() == pytest.approx(mix.sum())
    assert m[0, 1] / m[0, 0] == pytest.approx(1.3 / 0.8)  # relative structure kept


def test_worked_example_multipliers_are_already_neutral():
    m = tariff.normalised_multipliers(np.array([0.90, 1.15]), np.array([[3000.0, 2000.0]]))
    np.testing.assert_allclose(m, [[0.90, 1.15]])


def test_notify_moves_pass_through_share_of_the_way():
    assert tariff.notify(np.array([30.0]), np.array([40.0]), 0.25)[0] == pytest.approx(32.5)


def test_fca_is_the_fuel_cost_per_unit_purchased_against_the_month_reference():
    # fuel 60 bn for 6,000 GWh generated (10 Rs/kWh); 6,000 purchased, 5,600 allowed;
    # reference 9.5
    rate, amount = tariff.fuel_deviation(np.array([60.0]), np.array([6000.0]),
                                         np.array([6000.0]), np.array([5600.0]),
                                         np.array([9.5]))
    assert rate[0] == pytest.approx(0.5)
    assert amount[0] == pytest.approx(0.5 * 5600 / 1e3)  # on allowed units only
    # 400 GWh of the units purchased are rooftop exports: the allowed generation is less
    _, with_exports = tariff.fuel_deviation(np.array([56.0]), np.array([5600.0]),
                                            np.array([6000.0]), np.array([5600.0]),
                                            np.array([9.5]))
    assert with_exports[0] == pytest.approx(0.5 * 5600 * 5600 / 6000 / 1e3)
    at_ref, none = tariff.fuel_deviation(np.array([60.0]), np.array([6000.0]),
                                         np.array([6000.0]), np.array([5600.0]),
                                         np.array([10.0]))
    assert at_ref[0] == pytest.approx(0.0) and none[0] == pytest.approx(0.0)


def test_quarterly_deviation_ignores_volume_and_counts_the_allowed_share():
    # a bill of 160 bn against a reference of 150 x (allowed share 0.9)
    dev = tariff.nonfuel_deviation(np.array([160.0]), np.array([1000.0]), np.array([900.0]),
                                   np.array([135.0]))
    assert dev[0] == pytest.approx(160 * 0.9 - 135.0)
    # the same bill in a month that sells twice as much: the same deviation
    same = tariff.nonfuel_deviation(np.array([160.0]), np.array([2000.0]), np.array([1800.0]),
                                    np.array([135.0]))
    assert same[0] == pytest.approx(dev[0])


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
    fca, qta, pya = book.rates_pkr_per_kwh(1, np.array([4000.0]))
    # 10 bn over 4,000 GWh = 2.5 Rs/kWh, so exactly 10 bn is recovered whatever the sales
    assert fca[0] == pytest.approx(2.5) and qta[0] == 0.0 and pya[0] == 0.0


def test_pya_is_booked_over_the_new_year_by_sales_share_and_pass_through():
    book = tariff.AdjustmentBook.empty(1, 14)
    book.accrue_residual(np.array([40.0]))
    book.accrue_residual(np.array([-10.0]))
    weights = np.full((1, 12), 1 / 12)
    pya = book.book_pya(4, weights, pass_through=0.5)
    assert pya[0] == pytest.approx(30.0) and book.pya_residual_bn[0] == 0.0
    # 15 bn notified, 1.25 bn a month from month 4; the two months past the horizon dropped
    np.testing.assert_allclose(book.pya_bn[0], [0] * 4 + [1.25] * 10)


def test_opening_book_holds_amounts_charged_from_the_start():
    fca, qta, pya = np.array([1.0, 2.0, 0.0]), np.array([0.0, 0.0, 3.0]), np.zeros(3)
    book = tariff.AdjustmentBook.opening(2, fca, qta, pya)
    assert book.fca_bn.shape == (2, 3)
    np.testing.assert_allclose(book.charged_bn(1, np.array([100.0, 0.0]))[0], [2.0, 0.0])
    rates = book.rates_pkr_per_kwh(2, np.array([1000.0, 1000.0]))
    np.testing.assert_allclose(rates[1], [3.0, 3.0])  # 3 bn over 1,000 GWh


# --------------------------------------------------------------------------- month steps


def _record(month, sales=(100.0, 50.0)):
    return MonthRecord(month, np.array([sales]), np.array([sales]) * 30.0)


def _references(fuel=10.0, nonfuel=20.0, sales=1000.0, units=1100.0, dm=3.0):
    full = np.ones((1, 12))
    return References(sales * full, units * full, fuel * full, nonfuel * full, dm * full)


def _determination(notified=30.0, determined=32.0, refs=None):
    return tariff.Determination(np.array([notified]), np.array([determined]),
                                refs if refs is not None else _references(),
                                np.array([[0.9, 1.2]]))


def test_determine_rebases_on_the_projected_references():
    refs = _references()
    mix = np.array([[800.0, 400.0]])
    d = tariff.determine(_determination(), 13, np.array([0.9, 1.2]), False, [], refs, mix, 1.0)
    # (10 x 1,100 GWh + 20 bn + 3 bn) a month over 1,000 GWh sold = 34 Rs/kWh
    assert d.determined_pkr_per_kwh[0] == pytest.approx(34.0)
    assert d.notified_pkr_per_kwh[0] == pytest.approx(34.0)  # full pass-through
    assert d.references is refs
    assert (d.multipliers * mix).sum() == pytest.approx(mix.sum())
    half = tariff.determine(_determination(), 13, np.array([0.9, 1.2]), False, [], refs, mix,
                            0.5)
    assert half.notified_pkr_per_kwh[0] == pytest.approx(30.0 + 0.5 * (34.0 - 30.0))


def test_projected_sales_from_a_short_window_are_seasonally_unbiased():
    seasonal = np.ones((12, 2))
    seasonal[6] = [2.0, 1.0]  # July sells twice as much for class 0
    window = [_record(7, sales=(200.0, 50.0)), _record(8), _record(9)]
    sales = tariff.projected_sales_from_window(window, seasonal, 0.1)
    # class 0: 400 GWh over season factors 2 + 1 + 1 = 4 -> 100 a month at factor 1
    assert sales.shape == (1, 12, 2)
    assert sales[0, 0, 0] == pytest.approx(100 * 1.1)
    assert sales[0, 6, 0] == pytest.approx(200 * 1.1)
    assert sales[0, :, 1].sum() == pytest.approx(50 * 12 * 1.1)


def test_a_rebasing_projects_from_the_last_twelve_months_only():
    seasonal = np.ones((12, 2))
    # 13 months given: an outlier 13 months back (out), 220 GWh 12 months back (in)
    window = [_record(6, sales=(1e6, 1e6)), _record(7, sales=(220.0, 50.0))] + \
        [_record((7 + k) % 12 + 1) for k in range(11)]
    sales = tariff.projected_sales_from_window(window, seasonal, 0.0)
    np.testing.assert_allclose(sales[0, :, 0], (220 + 11 * 100) / 12)


def test_determine_renormalises_a_rebalancing_between_rebasings():
    window = [_record(m) for m in range(1, 13)]
    current = _determination()
    unchanged = tariff.determine(current, 5, np.array([0.9, 1.5]), False, window, None, None,
                                 1.0)
    assert unchanged is current
    rebalanced = tariff.determine(current, 5, np.array([0.9, 1.5]), True, window, None, None,
                                  1.0)
    m = rebalanced.multipliers
    assert (m * np.array([1200.0, 600.0])).sum() == pytest.approx(1800.0)  # revenue neutral
    assert m[0, 1] / m[0, 0] == pytest.approx(1.5 / 0.9)
    assert rebalanced.notified_pkr_per_kwh is current.notified_pkr_per_kwh


def test_adjust_charges_the_fca_after_its_lag_and_closes_quarters_in_their_last_month():
    book = tariff.AdjustmentBook.empty(1, 12)
    refs = _references(fuel=10.0, nonfuel=20.0, sales=1000.0, units=1000.0, dm=0.0)
    d = tariff.Determination(np.array([30.0]), np.array([30.0]), refs, np.array([[1.0]]))
    sales = np.array([[1000.0]])
    # fuel 12 Rs/kWh against 10; a bill of 21 bn against 20; cost 12 + 21 = 33 bn
    for t, month in enumerate([7, 8, 9]):
        adj = tariff.adjust(book, t, month, d, np.array([12.0]), np.array([21.0]),
                            np.array([1000.0]), np.array([1000.0]), np.array([1000.0]), sales,
                            np.array([33.0]),
                            1.0, fca_lag=2, qta_period=3, qta_lag=1)
        assert adj.fca_determined_pkr_per_kwh[0] == pytest.approx(2.0)
        assert adj.fuel_deviation_bn[0] == pytest.approx(2.0)
        assert adj.seasonal_timing_bn[0] == pytest.approx(0.0)  # a flat year plans none
    assert book.fca_bn[0, 2] == pytest.approx(2.0) and book.fca_bn[0, :2].sum() == 0.0
    # the quarter's 3 x 1 bn closes in September (t = 2), charged October-December
    np.testing.assert_allclose(book.qta_bn[0, 3:6], [1.0, 1.0, 1.0])
    assert book.qta_bn[0, :3].sum() == 0.0
    assert adj.fca_pkr_per_kwh[0] == pytest.approx(2.0)  # the July FCA, charged in September
    # determined 2 + 1 bn, the July FCA charged: 3 - 2 = 1 bn still pending
    assert adj.pending_adjustments_bn[0] == pytest.approx(1.0)
    # the base recovers 30 bn = the references: nothing left for a prior-year adjustment
    assert book.pya_residual_bn[0] == pytest.approx(0.0)


def test_seasonal_recovery_is_planned_timing_not_a_deviation():
    # the references: a summer month sells 2,000 GWh, the others 1,000; the bill is fixed
    sales = np.full((1, 12), 1000.0)
    sales[0, 6] = 2000.0
    refs = References(sales, sales, np.full((1, 12), 10.0), np.full((1, 12), 20.0),
                      np.zeros((1, 12)))
    uniform = refs.uniform_pkr_per_kwh[0]
    # (10 Rs/kWh x 13,000 GWh + 12 x 20 bn) over 13,000 GWh
    assert uniform == pytest.approx((10 * 13_000 + 240_000) / 13_000)
    assert refs.timing_bn(1)[0] > 0 > refs.timing_bn(7)[0]  # winter under, summer over
    assert sum(refs.timing_bn(m)[0] for m in range(1, 13)) == pytest.approx(0.0, abs=1e-9)
    book = tariff.AdjustmentBook.empty(1, 12)
    d = tariff.Determination(np.array([uniform]), np.array([uniform]), refs, np.array([[1.0]]))
    for t in range(12):
        month = (6 + t) % 12 + 1  # July first
        s = sales[0, month - 1]
        adj = tariff.adjust(book, t, month, d, np.array([10 * s / 1e3]), np.array([20.0]),
                            np.array([s]), np.array([s]), np.array([s]), np.array([[s]]),
                            np.array([10 * s / 1e3 + 20.0]), 1.0, 2, 3, 1)
        assert adj.pending_adjustments_bn[0] == pytest.approx(0.0, abs=1e-12)
    # a year as projected: no FCA, no QTA, no PYA however uneven the months
    assert np.abs(book.fca_bn).max() == pytest.approx(0.0, abs=1e-12)
    assert np.abs(book.qta_bn).max() == pytest.approx(0.0, abs=1e-12)
    assert book.pya_residual_bn[0] == pytest.approx(0.0, abs=1e-9)


def test_a_year_that_sells_less_than_projected_leaves_a_prior_year_adjustment():
    refs = _references(fuel=10.0, nonfuel=20.0, sales=1000.0, units=1000.0, dm=0.0)
    d = tariff.Determination(np.array([30.0]), np.array([30.0]), refs, np.array([[1.0]]))
    book = tariff.AdjustmentBook.empty(1, 12)
    for t in range(12):
        # 900 GWh sold instead of 1,000: the fixed 20 bn is under-recovered by 2 bn a month
        tariff.adjust(book, t, (6 + t) % 12 + 1, d, np.array([9.0]), np.array([20.0]),
                      np.array([900.0]), np.array([900.0]), np.array([900.0]),
                      np.array([[900.0]]),
                      np.array([29.0]), 1.0, 2, 3, 1)
    assert book.pya_residual_bn[0] == pytest.approx(24.0)
    assert np.abs(book.qta_bn).max() == pytest.approx(0.0, abs=1e-12)


def test_class_tariffs_add_uniform_adjustments_to_the_multiplied_base():
    tariffs = tariff.class_tariffs_pkr_per_kwh(np.array([30.0]), np.array([[0.8, 1.2]]),
                                               np.array([[1.0, 1.0]]), np.array([-0.5]),
                                               np.array([0.25]))
    np.testing.assert_allclose(tariffs, [[24.75, 36.75]])


def test_fca_exemptions_by_class_and_sign():
    # classes: none, exempt from negative FCAs, exempt from all
    negative, everything = np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])
    fca = tariff.fca_by_class_pkr_per_kwh(np.array([-1.5, 2.0]), negative, everything)
    np.testing.assert_allclose(fca, [[-1.5, 0.0, 0.0], [2.0, 2.0, 0.0]])
