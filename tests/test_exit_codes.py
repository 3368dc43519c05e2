"""Exit codes and messages (issue 13): the user's input is refused with exit 2.

Exit 1 is only for failures that are not the user's input. Each case here used to exit 1
("please report it") or 0: paths no file can have (a NUL byte, too long, a symlink
loop), fiscal years outside the horizon, a nonsense Dask scheduler, a Monte Carlo run
too big for memory, damaged result folders given to ``chart``, years outside 1900-2200,
and ``--set`` values whose real problem was hidden behind "carry a distribution".
Each gives one message naming the option or file, no traceback, and writes nothing.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
import typer
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import circdebt
import circdebt.analysis.sweep
import circdebt.api
import circdebt.io
import circdebt.results.result
from circdebt.analysis.sweep import check_scheduler
from circdebt.cli.app import app
from circdebt.cli.common import handle_errors
from circdebt.errors import ScenarioError
from circdebt.timeline import MAX_YEAR, MIN_YEAR, is_fy, is_month

pytestmark = pytest.mark.reliability

TWO_YEARS = DATA / "worked_example_24m.toml"
HISTORY = DATA / "history_small.toml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _refused(result, *names: str) -> None:
    """Exit 2, one error message naming each of ``names``, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and 'File "' not in result.output
    assert "please report" not in result.stderr
    assert [x for x in result.stderr.splitlines() if x.startswith("error:")], result.stderr
    for name in names:
        assert name in result.stderr, result.stderr


# ----------------------------------------------------------------- paths no file can have


def _usage_refused(result, *names: str) -> None:
    """Exit 2 as a usage error (Click's own check of a path argument), naming each of
    ``names``, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and 'File "' not in result.output
    assert "please report" not in result.stderr
    for name in names:
        assert name in result.stderr, result.stderr


@pytest.mark.parametrize("verb", ["validate", "run", "show"])
def test_a_nul_byte_in_a_scenario_path_is_refused(runner, tmp_path, monkeypatch, verb):
    """A shell cannot pass a NUL byte in an argument; a program calling circdebt can.
    Click's path check refuses it (exit 2), and so does the API (below)."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [verb, "a\x00b.toml"])
    _usage_refused(result, "SCENARIO", "null byte")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", [pytest.param("a" * 300 + ".toml", id="name-over-NAME_MAX"),
                                  pytest.param("/".join(["d" * 200] * 25) + ".toml",
                                               id="path-over-PATH_MAX")])
def test_an_over_long_scenario_path_is_refused(runner, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", name])
    _refused(result, "at most 4096 bytes")
    assert list(tmp_path.iterdir()) == []


def test_a_symlink_loop_as_a_scenario_or_in_extends_is_refused(runner, tmp_path,
                                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.toml").symlink_to("b.toml")
    (tmp_path / "b.toml").symlink_to("a.toml")
    _refused(runner.invoke(app, ["validate", "a.toml"]), "a.toml", "loop of symbolic links")
    (tmp_path / "child.toml").write_text('extends = "a.toml"\n')
    _refused(runner.invoke(app, ["run", "child.toml"]), "child.toml", "extends",
             "loop of symbolic links")
    assert {p.name for p in tmp_path.iterdir()} == {"a.toml", "b.toml", "child.toml"}


@pytest.mark.parametrize("out", [pytest.param("o" * 300, id="name-over-NAME_MAX"),
                                 pytest.param("o\x00ut", id="nul-byte")])
def test_an_unusable_output_path_is_refused(runner, tmp_path, monkeypatch, out):
    """``--out`` is opened by the outputs layer: its OSError/ValueError maps to exit 2."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", str(TWO_YEARS), "--out", out, "-q"])
    if "\x00" in out:  # Click's path check
        _usage_refused(result, "--out", "null byte")
    else:
        _refused(result, "at most 4096 bytes")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("exc", "code"), [
    (OSError(errno.ENAMETOOLONG, "File name too long", "x" * 300), 2),
    (OSError(errno.ELOOP, "Too many levels of symbolic links", "loop.toml"), 2),
    (ValueError("embedded null byte"), 2),
    (RuntimeError("Symlink loop from '/tmp/a.toml'"), 2),
    (OSError(errno.ENOSPC, "No space left on device"), 1),  # not the user's input
    (ValueError("something else"), 1),
    (RuntimeError("something else"), 1),
])
def test_path_errors_are_bad_input_and_other_errors_are_not(exc, code, capsys):
    with pytest.raises(typer.Exit) as caught, handle_errors(debug=False):
        raise exc
    assert caught.value.exit_code == code
    assert ("please report" in capsys.readouterr().err) == (code == 1 and
                                                           not isinstance(exc, OSError))


def test_extends_from_the_root_folder_stays_inside_the_project(runner, tmp_path,
                                                               monkeypatch):
    """Run from ``/``, the working folder is no boundary: a parent outside the
    scenario's project is refused before it is read, and none of its values is shown."""
    secret = tmp_path / "secret.toml"
    secret.write_text('name = "SECRET-VALUE-42"\n[tool]\npassword = "SECRET-VALUE-43"\n')
    project = tmp_path / "project" / "scenarios"
    project.mkdir(parents=True)
    child = project / "child.toml"
    child.write_text('extends = "../../secret.toml"\n')
    (project / "link.toml").symlink_to(secret)  # inside by name, outside in reality
    linked = project / "linked.toml"
    linked.write_text('extends = "link.toml"\n')
    monkeypatch.chdir("/")
    for path in (child, linked):
        result = runner.invoke(app, ["validate", str(path)])
        _refused(result, "extends", "inside the scenario's project")
        assert "SECRET" not in result.output
    monkeypatch.chdir(tmp_path)  # the working folder is a boundary when it is not '/'
    assert "SECRET-VALUE-43" not in runner.invoke(app, ["validate", str(child)]).output


# ----------------------------------------------------------------- options


FY_OPTIONS = {
    "compare": ["compare", str(TWO_YEARS), str(TWO_YEARS), "--fy", "FY2099"],
    "sez": ["sez", str(TWO_YEARS), "--fy", "FY2099"],
    "report": ["report", str(TWO_YEARS), "--fy", "FY2099"],
    "backtest": ["backtest", str(HISTORY), "--from", "FY2099"],
    "calibrate": ["calibrate", str(HISTORY), "--params", "losses.actual_pct", "--to",
                  "FY2099"],
    "year-0": ["compare", str(TWO_YEARS), "--fy", "FY0001"],
}


@pytest.mark.parametrize("verb", sorted(FY_OPTIONS))
def test_a_fiscal_year_outside_the_horizon_is_refused_by_every_verb(runner, tmp_path,
                                                                    monkeypatch, verb):
    monkeypatch.chdir(tmp_path)
    args = FY_OPTIONS[verb]
    option = next(a for a in args if a.startswith("--") and a != "--params")
    result = runner.invoke(app, args)
    _refused(result, option, args[-1])
    assert ("horizon" in result.stderr) != (verb == "year-0")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("address", ["nonsense", "", "host:", "host:99999", "http://x:1",
                                     "tcp://", "a b:1"])
def test_a_nonsense_scheduler_is_refused_before_any_work(runner, tmp_path, monkeypatch,
                                                         address):
    def no_work(*args, **kwargs):
        raise AssertionError("the sweep started")

    monkeypatch.setattr(circdebt.analysis.sweep, "evaluate_rows", no_work)
    monkeypatch.setattr(circdebt, "load_scenario", no_work)
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(TWO_YEARS), "--grid", "losses.actual_pct=10,12",
                                 "--scheduler", address, "--out", str(out), "-q"])
    _refused(result, "--scheduler")
    assert not out.exists()


@pytest.mark.parametrize("address", ["local", "tcp://127.0.0.1:8786", "tcp://scheduler",
                                     "scheduler.example.org:8786", "10.0.0.1:8786",
                                     "[::1]:8786", "tls://a.b:1", "inproc://10.0.0.1/1/1"])
def test_plausible_scheduler_addresses_are_accepted(address):
    check_scheduler(address)


def test_a_monte_carlo_run_too_big_for_memory_is_refused_before_any_run(runner, tmp_path,
                                                                        monkeypatch):
    def no_run(*args, **kwargs):
        raise AssertionError("the engine ran")

    monkeypatch.setattr(circdebt.results.result, "simulate", no_run)
    monkeypatch.setenv("CIRCDEBT_MAX_MEMORY_GB", "0.001")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(TWO_YEARS), "--paths", "100000", "--out",
                                 str(out)])
    _refused(result, "--paths", "GB", "invalid input")
    assert not out.exists()


# ----------------------------------------------------------------- damaged result folders


@pytest.fixture(scope="module")
def result_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("result") / "run"
    assert CliRunner().invoke(app, ["run", str(TWO_YEARS), "--out", str(out),
                                    "-q"]).exit_code == 0
    return out


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])


DAMAGE = {
    "annual-empty": ("annual.csv", lambda p: p.write_bytes(b"")),
    "annual-truncated-header": ("annual.csv", lambda p: _truncate(p, 0.05)),
    "annual-truncated-row": ("annual.csv", lambda p: _truncate(p, 0.7)),
    "annual-binary": ("annual.csv", lambda p: p.write_bytes(b"\xff\xfe\x00\x01garbage")),
    "annual-text-for-numbers": ("annual.csv", lambda p: p.write_text(
        p.read_text().replace("\nFY2026,12,", "\nFY2026,twelve,"))),
    "annual-bad-fy": ("annual.csv", lambda p: p.write_text(
        p.read_text().replace("\nFY2026,", "\nFYxx,"))),
    "monthly-truncated-row": ("monthly.csv", lambda p: _truncate(p, 0.5)),
    "monthly-lines-missing": ("monthly.csv", lambda p: p.write_text(
        "\n".join(p.read_text().splitlines()[:5]) + "\n")),
    "run-json-truncated": ("run.json", lambda p: _truncate(p, 0.5)),
    "run-json-a-list": ("run.json", lambda p: p.write_text("[1, 2]")),
    "run-json-scenario-text": ("run.json", lambda p: p.write_text('{"scenario": "x"}')),
    "run-json-bad-benchmark": ("run.json", lambda p: p.write_text(json.dumps(
        {"scenario": {"sez": {"benchmarks": [{"country": 1}]}}}))),
    "run-json-name-number": ("run.json", lambda p: p.write_text('{"scenario_name": 5}')),
    "run-json-name-escape": ("run.json", lambda p: p.write_text(json.dumps(
        {"scenario_name": "x\u001b[2J[bold"}))),
    "annual-huge-number": ("annual.csv", lambda p: p.write_text(
        p.read_text().replace("\nFY2026,12,", "\nFY2026,1e308,"))),
    "annual-infinite-number": ("annual.csv", lambda p: p.write_text(
        p.read_text().replace("\nFY2026,12,", "\nFY2026,inf,"))),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_chart_refuses_a_damaged_result_folder_naming_the_file(runner, tmp_path,
                                                               result_folder, damage):
    folder = tmp_path / "run"
    shutil.copytree(result_folder, folder)
    name, spoil = DAMAGE[damage]
    spoil(folder / name)
    before = sorted(p.name for p in folder.iterdir())
    result = runner.invoke(app, ["chart", str(folder), "--format", "png"])
    _refused(result, name, "invalid input")  # a results folder, not a scenario
    assert sorted(p.name for p in folder.iterdir()) == before  # no chart written


# ----------------------------------------------------------------- years


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 9999), st.integers(1, 12))
def test_months_and_fiscal_years_lie_between_1900_and_2200(year, month):
    assert is_month(f"{year:04d}-{month:02d}") == (MIN_YEAR <= year <= MAX_YEAR)
    assert is_fy(f"FY{year:04d}") == (MIN_YEAR <= year <= MAX_YEAR + 1)
    assert (MIN_YEAR, MAX_YEAR) == (1900, 2200)


def test_a_horizon_ending_in_2200_labels_its_last_fiscal_year(tmp_path):
    path = tmp_path / "late.toml"
    path.write_text(f'extends = "{TWO_YEARS.resolve()}"\n[time]\nstart = "2199-07"\n'
                    'end = "2200-12"\n', "utf-8")
    os.environ["CIRCDEBT_EXTENDS_ANYWHERE"] = "1"
    try:
        fys = circdebt.run(circdebt.load_scenario(path)).annual["fy"].tolist()
    finally:
        del os.environ["CIRCDEBT_EXTENDS_ANYWHERE"]
    assert fys == ["FY2200", "FY2201"]


# ----------------------------------------------------------------- --set and union-typed keys


@pytest.fixture(scope="module")
def with_uncertainty(tmp_path_factory) -> Path:
    """The two-year example with distributions on every number-or-table (Series) key."""
    folder = tmp_path_factory.mktemp("uncertain")
    for name in ("worked_example.toml", "worked_example_24m.toml"):
        (folder / name).write_text((DATA / name).read_text("utf-8"), "utf-8")
    lines = ['extends = "worked_example_24m.toml"', "[uncertainty]"]
    lines += [f'"{key}" = {{ dist = "normal", mean = 1.0, sd = 0.1 }}' for key in SERIES_KEYS]
    path = folder / "uncertain.toml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


#: The keys that take a number or a table (``schema.Series``) in the worked example.
SERIES_KEYS = ["exogenous.fx_pkr_per_usd", "exogenous.kibor_pct",
               "exogenous.pk_cpi_inflation_pct_per_year",
               "exogenous.us_cpi_inflation_pct_per_year", "exogenous.gdp_bn_pkr_per_year",
               "losses.actual_pct", "losses.allowed_pct"]


@pytest.mark.parametrize(("value", "says"), [
    ("inf", "finite number"), ("-inf", "finite number"), ("nan", "finite number"),
    ("1e308", "less than or equal to 1000000000000"), ("[1,2", "valid TOML"),
    ('"x', "valid TOML"), ("{a = 1", "valid TOML"), ('"text"', "valid number")])
@pytest.mark.parametrize("key", SERIES_KEYS)
def test_set_on_a_key_with_a_distribution_says_what_is_wrong_with_the_value(
        runner, with_uncertainty, key, value, says):
    result = runner.invoke(app, ["show", str(with_uncertainty), "--set", f"{key}={value}"])
    _refused(result, key, says)
    assert "carry a distribution" not in result.stderr
    assert "central value" not in result.stderr  # the value given, not a distribution's


def test_a_distribution_on_a_whole_number_key_still_says_so():
    data = {"extends": str(TWO_YEARS.resolve()),
            "tariff": {"fca_lag_months": {"dist": "normal", "mean": 2.0, "sd": 1.0}}}
    with pytest.raises(ScenarioError, match="a decimal number to carry a distribution"):
        circdebt.io.validate_scenario_data(
            circdebt.io.merge_tables(circdebt.io.resolve_extends(TWO_YEARS),
                                     {k: v for k, v in data.items() if k != "extends"}))


# ----------------------------------------------------------------- the Python API


@pytest.mark.parametrize("data", [None, [1, 2], "name = 'x'", 42],
                         ids=["None", "list", "str", "int"])
def test_validate_scenario_data_refuses_what_is_not_a_table(data):
    with pytest.raises(ScenarioError, match="a table of the scenario's keys and values"):
        circdebt.io.validate_scenario_data(data)


@pytest.mark.parametrize("call", [circdebt.load_scenario, circdebt.run],
                         ids=["load_scenario", "run"])
@pytest.mark.parametrize("path", ["a\x00b.toml", Path("a\x00b.toml"), "a" * 300 + ".toml"],
                         ids=["str-nul", "path-nul", "name-over-NAME_MAX"])
def test_an_unusable_path_given_to_the_api_is_a_scenario_error(call, path):
    with pytest.raises(ScenarioError, match="NUL byte|at most 4096 bytes") as caught:
        call(path)
    assert "\x00" not in caught.value.message()


@pytest.mark.parametrize("scenario", [None, 42, b"x.toml"], ids=["None", "int", "bytes"])
def test_run_refuses_what_is_neither_a_scenario_nor_a_path(scenario):
    with pytest.raises(ScenarioError, match="a Scenario or the path of a scenario file"):
        circdebt.run(scenario)


@pytest.mark.parametrize("overrides", ["a=1", b"a=1", {"a": 1}, 5],
                         ids=["str", "bytes", "dict", "int"])
def test_overrides_must_be_a_list_of_texts(overrides):
    """A single text used to be read character by character ('a', '=', '1')."""
    with pytest.raises(ScenarioError, match="a list of 'KEY=VALUE' texts"):
        circdebt.load_scenario(TWO_YEARS, overrides=overrides)


def test_each_override_must_be_a_text():
    with pytest.raises(ScenarioError, match="a 'KEY=VALUE' text"):
        circdebt.load_scenario(TWO_YEARS, overrides=["tariff.pass_through_pct=80", 80])


def test_overrides_as_a_list_or_a_tuple_or_a_generator_still_work():
    for overrides in (["tariff.pass_through_pct=80"], ("tariff.pass_through_pct=80",),
                      (t for t in ["tariff.pass_through_pct=80"])):
        assert circdebt.load_scenario(TWO_YEARS, overrides).tariff.pass_through_pct == 80


@pytest.mark.parametrize("seed", ["abc", "7", -1, 1.5, 2.0, True, [1]],
                         ids=["text", "digits", "negative", "fraction", "float", "flag",
                              "list"])
def test_run_refuses_a_seed_that_is_not_a_whole_number_of_zero_or_more(seed):
    def no_run(*args, **kwargs):
        raise AssertionError("the scenario was run")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(circdebt.api, "run_scenario", no_run)
        with pytest.raises(ScenarioError, match=r"invalid input .*\n.*seed: a whole "
                           r"number >= 0"):
            circdebt.run(TWO_YEARS, seed=seed)


def test_run_accepts_none_zero_and_numpy_whole_numbers_as_seeds():
    import numpy as np

    for seed in (None, 0, 7, np.int64(7), 2**63):
        assert circdebt.run(TWO_YEARS, seed=seed).metadata["seed"] == seed
    assert type(circdebt.run(TWO_YEARS, seed=np.int64(7)).metadata["seed"]) is int


def test_run_checks_again_a_scenario_changed_in_code_after_loading():
    """``model_copy(update=...)`` skips pydantic's checks: run() must not."""
    loaded = circdebt.load_scenario(TWO_YEARS)
    cases = {
        "losses.actual_pct": loaded.model_copy(update={"losses": loaded.losses.model_copy(
            update={"actual_pct": 150.0})}),
        "description": loaded.model_copy(update={"description": "x\x1b[2J"}),
        "name": loaded.model_copy(update={"name": "../escape"}),
    }
    for key, changed in cases.items():
        with pytest.raises(ScenarioError, match="as changed in code") as caught:
            circdebt.run(changed)
        assert any(p.key_path == key for p in caught.value.problems), caught.value.message()
        with pytest.raises(ScenarioError):
            circdebt.api.run_events(changed)


def test_checking_a_scenario_again_changes_nothing_in_its_run():
    """The check of run() rebuilds the scenario from its data: the same inputs, hash and
    results as the scenario loaded."""
    import pandas as pd

    loaded = circdebt.load_scenario(TWO_YEARS)
    again = circdebt.api.checked_scenario(loaded)
    assert again == loaded
    direct = circdebt.results.result.run_scenario(loaded, circdebt.api.run_metadata(
        loaded, None, 1))
    checked = circdebt.run(loaded)
    pd.testing.assert_frame_equal(checked.annual, direct.annual)
    assert checked.metadata["scenario_hash"] == direct.metadata["scenario_hash"]
