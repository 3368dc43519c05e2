import numpy as np
import pytest

from circdebt.timeline import (
    Timeline,
    anchor_month,
    fiscal_year_of,
    fy_first_month,
    fy_label,
    is_fy,
    is_month,
    month_label,
    month_number,
    parse_fy,
)


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


@pytest.mark.parametrize(("start_month", "first", "last"), [
    (7, "2025-07", "2026-06"), (1, "2026-01", "2026-12"), (4, "2025-04", "2026-03")])
def test_fiscal_years_follow_their_start_month(start_month, first, last):
    """FY2026 is the fiscal year ending in 2026, whatever month it starts in."""
    assert fiscal_year_of(month_number(first), start_month) == 2026
    assert fiscal_year_of(month_number(last), start_month) == 2026
    assert fiscal_year_of(month_number(last) + 1, start_month) == 2027
    assert fy_first_month(2026, start_month) == month_number(first)
    assert anchor_month("FY2026", start_month) == month_number(first) + 6


def test_a_timeline_knows_its_fiscal_years_and_where_each_starts():
    tl = Timeline("2025-10", "2027-08", fy_start_month=4)
    labels, starts, counts = tl.fiscal_years
    assert labels == ["FY2026", "FY2027", "FY2028"]
    assert list(starts) == [0, 6, 18] and list(counts) == [6, 12, 5]
    assert list(np.flatnonzero(tl.fy_starts)) == [0, 6, 18]
    assert tl.fy_labels[6] == "FY2027" and tl.fy_index("FY2028") == 2
    with pytest.raises(ValueError, match="outside the horizon"):
        tl.fy_index("FY2030")


def test_labels_are_parsed_exactly():
    assert parse_fy("FY2031") == 2031 and fy_label(2031) == "FY2031"
    for text in ("FY2031\n", " FY2031", "fy2031", "FY31", "2031"):
        assert not is_fy(text)
        with pytest.raises(ValueError):
            parse_fy(text)
    assert is_month("2025-07") and not is_month("2025-07\n") and not is_month("2025-13")
    with pytest.raises(ValueError):
        month_number("2025-7")
