"""Billing and collection (docs/model.md §10)."""

import numpy as np
import pytest

from circdebt.model import billing


def test_bill_splits_what_tariffs_recover_into_billed_and_subsidy():
    passed, billed, tds = billing.bill(np.array([[36.9, 47.15]]), np.array([30 / 36.9, 1.0]),
                                          np.array([[3000.0, 2000.0]]))
    assert passed.sum() == pytest.approx(205.0)
    assert billed.sum() == pytest.approx(184.3)
    assert tds.sum() == pytest.approx(20.7)


def test_collect_with_arrears():
    collected, arrears, receivables = billing.collect(
        np.array([[100.0, 50.0]]), np.array([0.9, 1.0]), np.array([200.0]), 0.01)
    assert arrears[0] == pytest.approx(2.0)
    assert collected[0] == pytest.approx(90 + 50 + 2)
    assert receivables[0] == pytest.approx(200 - 2 + 10)


def test_monthly_rate_compounds_to_annual_share():
    r = billing.monthly_rate(0.3)
    assert 1 - (1 - r) ** 12 == pytest.approx(0.3)


def test_recovery_falls_as_the_real_tariff_rises_for_an_elastic_class_and_never_passes_one():
    rates = billing.recovery_rates(np.array([0.9, 0.95, 0.99]), np.array([[1.21, 1.21, 0.5]]),
                                   np.array([0.5, 0.0, 1.0]))
    np.testing.assert_allclose(rates, [[0.9 / 1.1, 0.95, 1.0]])


def test_the_collection_ratio_is_one_when_nothing_is_billed():
    np.testing.assert_allclose(billing.collection_ratio(np.array([90.0, 0.0]),
                                                        np.array([100.0, 0.0])), [0.9, 1.0])
