"""The tariff differential subsidy: queue, payment share, fiscal-year cap (docs/model.md §11)."""

import numpy as np

from circdebt.model import subsidy


def test_subsidy_respects_fiscal_year_cap():
    paid = subsidy.subsidy_payment(np.array([50.0, 50.0]), 0.8, np.array([90.0, 0.0]), 100.0)
    np.testing.assert_allclose(paid, [10.0, 40.0])
