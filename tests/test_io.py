"""Reading scenario files (extends, --set) and writing outputs atomically."""

from __future__ import annotations

import json
import math
import os
import stat
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

import circdebt
from circdebt import io
from circdebt.errors import ScenarioError

DATA = Path(__file__).parent / "data"
ONE_MONTH = DATA / "worked_example.toml"


# --------------------------------------------------------------------------- atomic writes


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "file.txt"
    io.atomic_write_text(target, "first\n")
    io.atomic_write_text(target, "second ü\n")
    assert target.read_text("utf-8") == "second ü\n"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_atomic_write_gives_ordinary_permissions(tmp_path):
    target = tmp_path / "file.txt"
    io.atomic_write_bytes(target, b"x")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_atomic_write_keeps_the_old_file_whole(tmp_path, monkeypatch, failure):
    target = tmp_path / "file.txt"
    io.atomic_write_text(target, "old\n")

    def fail(fd):
        raise failure

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(type(failure)):
        io.atomic_write_text(target, "new, but never finished\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


# --------------------------------------------------------------------------- --set


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("a.b[1].c=2", "a.b[1].c", 2),
        ("tariff.pass_through_pct=80.5", "tariff.pass_through_pct", 80.5),
        ('time.end="2030-06"', "time.end", "2030-06"),
        ("time.end=2030-06", "time.end", "2030-06"),  # not TOML: taken as a bare string
        ("name=high_growth", "name", "high_growth"),
        ("x=true", "x", True),
        ("x=[1, 2, 3]", "x", [1, 2, 3]),
        ("x={FY2026 = 120.0, FY2027 = 0.0}", "x", {"FY2026": 120.0, "FY2027": 0.0}),
        (" spaced.key = 'literal' ", "spaced.key", "literal"),
        ("formula=a=b", "formula", "a=b"),
    ],
)
def test_parse_override(text, key, value):
    assert io.parse_override(text) == (key, value)


def test_parse_override_needs_an_equals_sign():
    with pytest.raises(ScenarioError, match="KEY=VALUE"):
        io.parse_override("tariff.pass_through_pct")


def test_apply_overrides_into_arrays_and_new_tables():
    data = {"a": {"b": [{"c": 1}, {"c": 1}]}, "keep": 1}
    out = io.apply_overrides(data, ["a.b[1].c=2", "new.table.key='v'"])
    assert out == {"a": {"b": [{"c": 1}, {"c": 2}]}, "keep": 1,
                   "new": {"table": {"key": "v"}}}
    assert data["a"]["b"][1]["c"] == 1  # the input is not changed


def test_apply_overrides_reports_every_bad_path():
    data = {"a": {"b": [{"c": 1}]}}
    with pytest.raises(ScenarioError) as info:
        io.apply_overrides(data, ["a.b[5].c=2", "a..b=1", "a.b[0].c.d=3"])
    assert len(info.value.problems) == 3
    assert {p.file for p in info.value.problems} == {"--set"}


def test_override_of_an_array_element_in_a_scenario():
    scenario = circdebt.load_scenario(ONE_MONTH, ["demand.classes[1].recovery_pct=95.5"])
    assert scenario.demand.classes[1].recovery_pct == 95.5


# --------------------------------------------------------------------------- extends


def test_merge_tables_merges_tables_and_replaces_arrays():
    base = {"t": {"a": 1, "b": {"x": 1, "y": 2}}, "arr": [1, 2, 3], "s": "base"}
    child = {"t": {"b": {"y": 20}, "c": 3}, "arr": [9]}
    merged = io.merge_tables(base, child)
    assert merged == {"t": {"a": 1, "b": {"x": 1, "y": 20}, "c": 3}, "arr": [9], "s": "base"}
    assert base["t"]["b"]["y"] == 2  # inputs untouched


def test_extends_merges_key_by_key_and_replaces_arrays_whole(tmp_path):
    (tmp_path / "parent").mkdir()
    (tmp_path / "parent" / "base.toml").write_text(
        'name = "base"\n[time]\nstart = "2025-07"\nend = "2030-06"\n'
        '[[plants]]\nname = "a"\n[[plants]]\nname = "b"\n'
    )
    (tmp_path / "child.toml").write_text(
        'extends = "parent/base.toml"\n[time]\nend = "2027-06"\n[[plants]]\nname = "c"\n'
    )
    (tmp_path / "grandchild.toml").write_text('extends = "child.toml"\nname = "gc"\n')
    data = io.resolve_extends(tmp_path / "grandchild.toml")
    assert data == {"name": "gc", "time": {"start": "2025-07", "end": "2027-06"},
                    "plants": [{"name": "c"}]}


def test_extends_paths_are_relative_to_the_file(tmp_path, monkeypatch):
    (tmp_path / "project" / "scenarios").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "project" / "base.toml").write_text(ONE_MONTH.read_text())
    child = tmp_path / "project" / "scenarios" / "child.toml"
    child.write_text('extends = "../base.toml"\nname = "child"\n')
    monkeypatch.chdir(tmp_path / "elsewhere")  # not where the files are
    assert circdebt.load_scenario(child).name == "child"


def test_extends_cannot_escape_the_project_without_the_users_say(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    child = tmp_path / "child.toml"
    for target in (str(ONE_MONTH), os.path.relpath(ONE_MONTH, tmp_path)):
        child.write_text(f'extends = "{target}"\nname = "child"\n')
        with pytest.raises(ScenarioError, match="CIRCDEBT_EXTENDS_ANYWHERE"):
            circdebt.load_scenario(child)
    monkeypatch.setenv("CIRCDEBT_EXTENDS_ANYWHERE", "1")
    assert circdebt.load_scenario(child).name == "child"


def test_scenario_files_follows_extends():
    files = io.scenario_files(DATA / "worked_example_24m.toml")
    assert files == [(DATA / "worked_example_24m.toml").resolve(), ONE_MONTH.resolve()]


# --------------------------------------------------------------------------- run outputs


@pytest.fixture(scope="module")
def result():
    return circdebt.run(circdebt.load_scenario(ONE_MONTH), seed=1)


def test_write_run_outputs(tmp_path, result):
    out = tmp_path / "out"
    written = io.write_run_outputs(result, out)
    assert [p.name for p in written] == list(io.OUTPUT_FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted(io.OUTPUT_FILES)
    assert json.loads((out / "run.json").read_text())["seed"] == 1
    assert io.is_circdebt_output(out)
    assert io.check_output_folder(out) is True
    reloaded = circdebt.load_scenario(out / "scenario.resolved.toml")
    assert io.scenario_hash(reloaded) == result.metadata["scenario_hash"]


def test_csv_round_trips_floats_exactly(result):
    text = io.csv_text(result.monthly)
    assert text == io.csv_text(result.monthly)
    assert "\r" not in text
    back = pd.read_csv(StringIO(text))
    column = "cd_stock_bn_pkr"
    assert back[column].tolist() == result.monthly[column].tolist()


def test_check_output_folder(tmp_path):
    assert io.check_output_folder(tmp_path / "new") is False
    (tmp_path / "unrelated.txt").write_text("x")
    assert io.check_output_folder(tmp_path) is False  # other files are left alone
    (tmp_path / "monthly.csv").write_text("someone else's")
    with pytest.raises(io.OutputError, match="monthly.csv"):
        io.check_output_folder(tmp_path)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(io.OutputError, match="is a file"):
        io.check_output_folder(tmp_path / "afile")


def test_check_output_folder_protects_inputs(tmp_path):
    scenario = tmp_path / "scenario.resolved.toml"
    scenario.write_text("")
    with pytest.raises(io.OutputError, match="input"):
        io.check_output_folder(tmp_path, [scenario])


def test_table_records_are_json_ready():
    table = pd.DataFrame({"fy": ["FY2026"], "x": [float("nan")], "y": [1.5]})
    records = io.table_records(table)
    assert records == [{"fy": "FY2026", "x": None, "y": 1.5}]
    assert json.loads(json.dumps(records)) == records


def test_run_json_has_no_nan():
    text = io.run_json_text({"a": math.inf, "b": [1.0, math.nan]})
    assert json.loads(text) == {"a": None, "b": [1.0, None]}


def test_child_policies_append_to_parent_policies_unless_told_not_to():
    from circdebt.io import load_scenario

    reform = load_scenario(DATA / "extends" / "reform.toml")
    assert [p.type for p in reform.policies] == ["loss_reduction", "recovery_improvement"]
    fresh = load_scenario(DATA / "extends" / "fresh.toml")
    assert [p.type for p in fresh.policies] == ["recovery_improvement"]
    plain = load_scenario(DATA / "extends" / "base.toml")
    assert [p.type for p in plain.policies] == ["loss_reduction"]
