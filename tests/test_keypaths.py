"""Key paths: one grammar for --set, distributions, sweeps, calibration and diff."""

import pytest
from factories import small

from circdebt import keypaths


def test_split_and_join_round_trip():
    assert keypaths.split("supply.plants[3].capacity_mw") == ["supply", "plants", 3,
                                                              "capacity_mw"]
    assert keypaths.join(["a", "b", 2, 0, "c"]) == "a.b[2][0].c"
    for bad in ("", "a..b", "a[x]", "a b", "a.[1]", "a]"):
        with pytest.raises(ValueError):
            keypaths.split(bad)


def test_get_set_and_replace_in_scenarios_and_data():
    s = small()
    assert keypaths.get(s, "supply.plants[1].capacity_mw") == 6000.0
    assert keypaths.get(s, "debt.lps.ipp.spread_pct") == 2.0  # dicts of tables too
    assert keypaths.decimal_at(s, "losses.actual_pct") == 17.5
    with pytest.raises(ValueError, match="not a decimal number"):
        keypaths.decimal_at(s, "time.start")
    with pytest.raises(ValueError, match="not a key path"):
        keypaths.decimal_at(s, "supply.plants[99].capacity_mw")
    changed = keypaths.with_values(s, {"supply.plants[1].capacity_mw": 1.0})
    assert changed.supply.plants[1].capacity_mw == 1.0 and s.supply.plants[1].capacity_mw == 6000
    assert type(changed) is type(s)
    data = {"a": [{"b": 1}]}
    keypaths.set_in_data(data, "a[0].b", 2)
    assert data == {"a": [{"b": 2}]}


def test_flatten_indexes_arrays_of_tables_and_keeps_other_arrays_whole():
    flat = keypaths.flatten({"x": {"y": 1}, "p": [{"q": 2}], "v": [1, 2], "e": []})
    assert flat == {"x.y": 1, "p[0].q": 2, "v": [1, 2], "e": []}
