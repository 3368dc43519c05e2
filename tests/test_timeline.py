import numpy as np

from circdebt.timeline import Timeline, anchor_month, fiscal_year_of, month_label, month_number


def test_fiscal_year_runs_july_to_june():
    assert fiscal_year_of(month_number("2025-07")) == 2026
    assert fiscal_year_of(month_number("2026-06")) == 2026
    assert fiscal_year_of(month_number("2026-07")) == 2027


def test_labels_round_trip_and_hours():
    tl = Timeline("2025-11", "2026-03")
    assert tl.labels == ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    np.testing.assert_array_equal(tl.hours, [720, 744, 744, 672, 744])
    assert month_label(month_number("2031-09")) == "2031-09"
    assert tl.index_of("2026-01") == 2


def test_fy_anchor_is_its_january():
    assert anchor_month("FY2027") == month_number("2027-01")
