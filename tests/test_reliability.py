"""Reliability (issue 9): hostile input, interrupted runs, reproducibility, safe outputs.

What each test proves is listed in docs/reliability.md. Run these alone with
``pytest -m reliability``.

- The catalogue of bad scenario files in ``tests/data/bad/`` (``EXPECTED.toml`` says what
  each gets wrong) plus a few written here (too big, not UTF-8, extends too deep): every
  one gives exit code 2 from ``validate`` and ``run``, one message naming the file and
  the key path, no traceback, and nothing written.
- Outputs: a failure or Ctrl-C while writing leaves no temporary or half-written file.
- Reproducibility: same scenario, seed and version give byte-identical tables, in
  separate processes; ``run.json`` holds what a re-run needs.
- Numerics: extreme but valid inputs run to finite results; a non-finite state is
  named by month and quantity.
- Security: scenario files are data; no eval, exec, pickle or unsafe YAML in ``src/``.

Tests marked ``xfail(strict=True)`` document a defect of ``src/`` (the reason says
which); they start failing (XPASS) once it is fixed, and the mark should then go.
"""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DATA
from factories import small_data
from typer.testing import CliRunner

import circdebt
import circdebt.io.writing
import circdebt.results.result
from circdebt import io
from circdebt.cli.app import app
from circdebt.engine import simulate_scenario
from circdebt.engine.record import Recorder
from circdebt.errors import ScenarioError, SimulationError
from circdebt.timeline import Timeline

pytestmark = pytest.mark.reliability

BAD = DATA / "bad"
TWO_YEARS = DATA / "worked_example_24m.toml"
SRC = Path(circdebt.__file__).parent
EXE = Path(sys.executable).with_name("circdebt")
OUTPUT_FILES = {"monthly.csv", "annual.csv", "scenario.resolved.toml", "run.json"}

#: file -> {what, key, says, problems}: what is wrong, the key path the message must name
#: ("" for the file as a whole), a fragment of the message, how many problems.
EXPECTED: dict[str, dict] = tomllib.loads((BAD / "EXPECTED.toml").read_text("utf-8"))

#: Bad files written by the tests (too big or binary to commit); same fields, plus
#: ``names``: the file the message must name if not the scenario itself.
GENERATED: dict[str, dict] = {
    "huge_file.toml": {"what": "a scenario file over the size limit", "key": "",
                       "says": f"at most {io.MAX_FILE_BYTES} bytes", "problems": 1},
    "non_utf8.toml": {"what": "a Latin-1 byte in a comment", "key": "",
                      "says": "UTF-8", "problems": 1},
    "extends_too_deep.toml": {"what": f"a chain of {io.MAX_EXTENDS_DEPTH + 1} extends",
                              "key": "extends",
                              "says": f"at most {io.MAX_EXTENDS_DEPTH} levels",
                              "problems": 1,
                              "names": f"extends_too_deep_{io.MAX_EXTENDS_DEPTH}.toml"},
}
CATALOGUE = sorted(EXPECTED) + sorted(GENERATED)

# ----------------------------------------------------------------- defects found in src/
REFUSAL_DEFECTS: dict[str, str] = {}  # all fixed; add a file here with its defect
#: Files refused cleanly whose message is not yet what it should be.
MESSAGE_DEFECTS = REFUSAL_DEFECTS | {}


def _params(defects: dict[str, str]) -> list:
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=defects[name]))
            if name in defects else name for name in CATALOGUE]


def _spec(name: str) -> dict:
    return EXPECTED.get(name) or GENERATED[name]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A folder with the bad files of :data:`GENERATED`."""
    folder = tmp_path_factory.mktemp("bad-generated")
    header = b'# written by tests/test_reliability.py\nextends = "../worked_example_24m.toml"\n'
    with open(folder / "huge_file.toml", "wb") as fh:
        fh.write(header)
        line = b"# " + b"padding " * 12 + b"\n"
        for _ in range(io.MAX_FILE_BYTES // len(line) + 1):
            fh.write(line)
    (folder / "non_utf8.toml").write_bytes(b'# caf\xe9 (Latin-1)\nname = "cafe"\n')
    depth = io.MAX_EXTENDS_DEPTH
    (folder / "extends_too_deep.toml").write_text('extends = "extends_too_deep_1.toml"\n')
    for i in range(1, depth + 1):
        (folder / f"extends_too_deep_{i}.toml").write_text(
            f'extends = "extends_too_deep_{i + 1}.toml"\n')
    return folder


@pytest.fixture
def bad_file(request, generated) -> Path:
    name = request.param
    return BAD / name if name in EXPECTED else generated / name


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _named(name: str) -> str:
    return _spec(name).get("names", name)


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text, text


# ----------------------------------------------------------------- the catalogue


def test_catalogue_is_complete():
    """At least 40 bad files, each listed in EXPECTED.toml, each saying what it expects."""
    files = {p.name for p in BAD.glob("*.toml")} - {"EXPECTED.toml"}
    assert files == set(EXPECTED)
    assert len(CATALOGUE) >= 40
    for name, spec in EXPECTED.items():
        assert set(spec) >= {"what", "key", "says", "problems"}, name
        first = (BAD / name).read_text("utf-8").splitlines()[:2]
        assert first[0].startswith("# Bad:") and "key path" in first[1], name
        if spec["key"]:
            assert spec["key"] in first[1], name


@pytest.mark.parametrize("bad_file", _params(REFUSAL_DEFECTS), indirect=True)
def test_validate_refuses_a_bad_file(runner, bad_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", str(bad_file)])
    name = bad_file.name
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # no "ok: ..."
    _no_traceback(result.output)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr  # one message (listing every problem)
    assert _named(name) in result.stderr
    assert _spec(name)["key"] in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad_file", _params(REFUSAL_DEFECTS), indirect=True)
def test_run_refuses_a_bad_file_and_writes_nothing(runner, bad_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(bad_file), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    _no_traceback(result.output)
    assert len([x for x in result.stderr.splitlines() if x.startswith("error:")]) == 1
    assert _named(bad_file.name) in result.stderr
    assert _spec(bad_file.name)["key"] in result.stderr
    assert not out.exists() or not any(out.iterdir())
    assert list(tmp_path.iterdir()) == []  # nor in the default out/<name>/


@pytest.mark.parametrize("bad_file", _params(MESSAGE_DEFECTS), indirect=True)
def test_refusal_names_file_key_path_and_every_problem(bad_file):
    """Through the API: exactly the expected problems, each with file and key path."""
    spec = _spec(bad_file.name)
    with pytest.raises(ScenarioError) as caught:
        circdebt.load_scenario(bad_file)
    problems = caught.value.problems
    assert len(problems) == spec["problems"], caught.value.message()
    for problem in problems:
        assert Path(problem.file).name == _named(bad_file.name)
    assert any(p.key_path.startswith(spec["key"]) for p in problems), caught.value.message()
    assert spec["says"] in caught.value.message()


@pytest.mark.skipif(not EXE.exists(), reason="the circdebt console script is not installed")
def test_real_terminal_gets_no_traceback_for_any_bad_file(tmp_path):
    """``circdebt validate`` on the whole catalogue in a real process: one message each."""
    files = [BAD / n for n in sorted(EXPECTED) if n not in REFUSAL_DEFECTS]
    proc = subprocess.run([EXE, "validate", *files], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, "CI": "true"},
                          stdin=subprocess.DEVNULL, check=False, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    _no_traceback(proc.stderr)
    errors = [x for x in proc.stderr.splitlines() if x.startswith("error:")]
    assert len(errors) == len(files)
    for path in files:
        assert path.name in proc.stderr


@pytest.mark.skipif(not EXE.exists(), reason="the circdebt console script is not installed")
@pytest.mark.parametrize("name", ["malformed_toml.toml", "policy_targets_missing_group.toml"])
def test_real_terminal_run_of_a_bad_file(tmp_path, name):
    out = tmp_path / "out"
    proc = subprocess.run([EXE, "run", BAD / name, "--out", out], capture_output=True,
                          text=True, env={**os.environ, "CI": "true"},
                          stdin=subprocess.DEVNULL, check=False, timeout=60)
    assert proc.returncode == 2
    _no_traceback(proc.stderr)
    assert name in proc.stderr and EXPECTED[name]["key"] in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("verb", ["show", "diff", "compare", "sez", "report", "sweep",
                                  "sensitivity", "backtest", "calibrate"])
def test_every_verb_refuses_a_bad_file_with_exit_2(runner, tmp_path, monkeypatch, verb):
    monkeypatch.chdir(tmp_path)
    bad = str(BAD / "percent_over_100.toml")
    out = str(tmp_path / "out")
    args = {
        "show": [bad], "diff": [str(TWO_YEARS), bad],
        "compare": [str(TWO_YEARS), bad, "--out", out], "sez": [bad, "--out", out],
        "report": [bad, "-o", str(tmp_path / "out" / "r.html")],
        "sweep": [bad, "--grid", "losses.actual_pct=10,12", "--out", out, "-q"],
        "sensitivity": [bad, "--kpi", "cd_stock_bn_pkr@FY2027", "--out", out],
        "backtest": [bad, "--out", out],
        "calibrate": [bad, "--params", "losses.actual_pct", "--out", out],
    }[verb]
    result = runner.invoke(app, [verb, *args])
    assert result.exit_code == 2, result.output
    assert "percent_over_100.toml" in result.stderr
    assert "tariff.pass_through_pct" in result.stderr
    _no_traceback(result.output)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------- --set abuse

DEEP_VALUE = "[" * 3000 + "]" * 3000


@pytest.mark.parametrize("override", [
    "=1",
    "a..b=1",
    "supply.plants[99].capacity_mw=1.0",
    "name.first=1",
    "losses.actual_pct=nan",
    "exogenous.fx_pkr_per_usd=1e400",  # TOML float overflow: inf
    pytest.param(f"description={DEEP_VALUE}", id="deep-value"),
    pytest.param(".".join(["a"] * 3000) + "=1", id="deep-key-path"),
])
def test_hostile_set_overrides_exit_2(runner, tmp_path, override):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(TWO_YEARS), "--out", str(out), "--set", override])
    assert result.exit_code == 2, result.output
    assert "--set" in result.stderr or "invalid scenario" in result.stderr
    _no_traceback(result.output)
    assert not out.exists()


# ----------------------------------------------------------------- outputs: atomic, interrupted


def _temporary_files(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.startswith(".") or
            p.suffix == ".tmp"]


def test_failed_rename_mid_set_leaves_no_temporary_and_no_half_file(runner, tmp_path,
                                                                     monkeypatch):
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(TWO_YEARS), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_replace, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    result = runner.invoke(app, ["run", str(TWO_YEARS), "--out", str(out),
                                 "--set", "losses.actual_pct=15.0"])
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and "disk space" in result.stderr
    _no_traceback(result.output)
    assert _temporary_files(out) == []
    assert {p.name for p in out.iterdir()} == OUTPUT_FILES
    for path in out.iterdir():  # each file is a whole old or a whole new file
        if path.name.endswith(".csv"):
            assert path.read_bytes().endswith(b"\n") and len(pd.read_csv(path)) > 0
    # run.json no longer describes the old run: it says the folder is unfinished
    assert (out / "run.json").read_bytes() != before["run.json"]
    assert '"status": "writing"' in (out / "run.json").read_text()


def test_failure_while_preparing_outputs_writes_nothing(runner, tmp_path, monkeypatch):
    def broken(metadata):
        raise ValueError("Out of range float values are not JSON compliant")

    monkeypatch.setattr(circdebt.io.writing, "run_json_text", broken)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(TWO_YEARS), "--out", str(out)])
    assert result.exit_code == 1
    _no_traceback(result.output)
    assert not out.exists() or list(out.iterdir()) == []


def test_ctrl_c_in_the_engine_exits_130_and_writes_nothing(runner, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(circdebt.results.result, "simulate", interrupted)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(TWO_YEARS), "--out", str(out)])
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    _no_traceback(result.output)
    assert not out.exists()


def _run_with_a_signal(tmp_path: Path, signame: str, when: str, out: Path):
    """Run ``circdebt run`` in a real process that sends itself ``signame`` ``when`` the
    engine starts (``"engine"``) or while the second output file is being written."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        import circdebt.results.result
        # a process started in the background inherits SIGINT ignored: undo that here
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sig = signal.{signame}
        if {when!r} == "engine":
            real = circdebt.results.result.simulate
            def hook(*a, **k):
                os.kill(os.getpid(), sig)
                return real(*a, **k)
            circdebt.results.result.simulate = hook
        else:
            real_fsync, calls = os.fsync, []
            def fsync(fd):
                calls.append(fd)
                if len(calls) == 2:
                    os.kill(os.getpid(), sig)
                return real_fsync(fd)
            os.fsync = fsync
        from circdebt.cli.app import main
        sys.argv = ["circdebt", "run", {str(TWO_YEARS)!r}, "--out", {str(out)!r}, "-q"]
        main()
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, "CI": "true"},
                          stdin=subprocess.DEVNULL, check=False, timeout=60)


def test_real_sigint_in_the_engine_exits_130_writing_nothing(tmp_path):
    out = tmp_path / "out"
    proc = _run_with_a_signal(tmp_path, "SIGINT", "engine", out)
    assert proc.returncode == 130
    assert "interrupted" in proc.stderr
    _no_traceback(proc.stderr)
    assert not out.exists()


def test_real_sigint_while_writing_leaves_only_whole_files(tmp_path):
    out = tmp_path / "out"
    proc = _run_with_a_signal(tmp_path, "SIGINT", "write", out)
    assert proc.returncode == 130
    assert "interrupted" in proc.stderr
    _no_traceback(proc.stderr)
    assert _temporary_files(out) == []
    finished = {p.name: p for p in out.iterdir()}
    # the provisional run.json (written first) marks the folder unfinished; any table
    # already there is whole
    assert '"status": "writing"' in finished.pop("run.json").read_text()
    assert set(finished) <= OUTPUT_FILES - {"run.json"}
    for path in finished.values():
        if path.suffix == ".csv":
            assert len(pd.read_csv(path)) > 0


def test_sigterm_while_writing_leaves_no_temporary_file_and_says_so(tmp_path):
    out = tmp_path / "out"
    proc = _run_with_a_signal(tmp_path, "SIGTERM", "write", out)
    assert proc.returncode in (130, 128 + signal.SIGTERM)
    assert _temporary_files(out) == []
    assert "interrupted" in proc.stderr or "terminated" in proc.stderr


def test_rerun_after_an_interrupted_first_run_succeeds(runner, tmp_path):
    out = tmp_path / "out"
    proc = _run_with_a_signal(tmp_path, "SIGINT", "write", out)
    assert proc.returncode == 130 and (out / "run.json").exists()
    assert '"status": "writing"' in (out / "run.json").read_text()  # marked unfinished
    result = runner.invoke(app, ["run", str(TWO_YEARS), "--out", str(out)])
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("checkpoint", [
    pytest.param('{"config": {"scen', id="truncated"),  # e.g. copied while written
    pytest.param('[1, 2]', id="not-an-object"),
])
def test_sweep_resume_with_a_damaged_checkpoint(runner, tmp_path, checkpoint):
    out = tmp_path / "out"
    out.mkdir()
    (out / "sweep.checkpoint").write_text(checkpoint)
    result = runner.invoke(app, ["sweep", str(TWO_YEARS), "--grid", "losses.actual_pct=10,12",
                                 "--out", str(out), "-q", "--resume"])
    assert result.exit_code in (0, 2), result.output
    _no_traceback(result.output)


# ----------------------------------------------------------------- reproducibility


@pytest.mark.skipif(not EXE.exists(), reason="the circdebt console script is not installed")
def test_same_scenario_seed_and_version_give_byte_identical_outputs(tmp_path):
    """Two separate processes (different hash seeds): identical tables, bit for bit."""
    outs = []
    for hash_seed in ("0", "12345"):
        out = tmp_path / f"out-{hash_seed}"
        env = {**os.environ, "CI": "true", "PYTHONHASHSEED": hash_seed}
        proc = subprocess.run([EXE, "run", TWO_YEARS, "--out", out, "--seed", "42", "-q"],
                              capture_output=True, text=True, env=env,
                              stdin=subprocess.DEVNULL, check=False, timeout=60)
        assert proc.returncode == 0, proc.stderr
        outs.append(out)
    a, b = outs
    for name in ("monthly.csv", "annual.csv", "scenario.resolved.toml"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    meta_a, meta_b = (json.loads((o / "run.json").read_text("utf-8")) for o in outs)
    for meta in (meta_a, meta_b):
        del meta["time_of_run"]
    assert meta_a == meta_b


def test_run_json_records_everything_a_rerun_needs(runner, tmp_path):
    first, again = tmp_path / "first", tmp_path / "again"
    assert runner.invoke(app, ["run", str(TWO_YEARS), "--out", str(first), "--seed", "7",
                               "--set", "losses.actual_pct=16.0"]).exit_code == 0
    meta = json.loads((first / "run.json").read_text("utf-8"))
    assert meta["seed"] == 7
    assert meta["circdebt_version"] == circdebt.__version__
    assert {"python", "numpy", "pandas", "pydantic"} <= set(meta["dependencies"])
    assert all(v and v != "not installed" for k, v in meta["dependencies"].items()
               if k in ("python", "numpy", "pandas", "pydantic"))
    assert meta["scenario"]["losses"]["actual_pct"] == 16.0  # after --set
    assert "time_of_run" in meta
    # the recorded scenario alone reruns the case: same hash, same tables
    recorded = tmp_path / "recorded.toml"
    recorded.write_text(io.scenario_toml(circdebt.Scenario.model_validate(meta["scenario"])))
    assert io.scenario_hash(circdebt.load_scenario(recorded)) == meta["scenario_hash"]
    assert runner.invoke(app, ["run", str(recorded), "--out", str(again), "--seed",
                               str(meta["seed"])]).exit_code == 0
    for name in ("monthly.csv", "annual.csv"):
        assert (first / name).read_bytes() == (again / name).read_bytes()


# ----------------------------------------------------------------- numerics


def _fx_times_ten(data):
    data["exogenous"]["fx_pkr_per_usd"]["initial"] *= 10


def _zero_sales_class(data):
    data["demand"]["classes"][1]["base_sales_gwh_per_year"] = 0.0


def _all_plants_expired(data):
    for plant in data["supply"]["plants"]:
        plant["contract_expiry"] = "2025-06"  # the month before the start
        plant.pop("debt_maturity", None)


def _nothing_sold(data):
    for cls in data["demand"]["classes"]:
        cls["base_sales_gwh_per_year"] = 0.0
    data["demand"]["rooftop_solar"] = {}


#: Columns that are a ratio to units sold: undefined (empty, NaN) when nothing is sold.
PER_KWH = re.compile(r"_pkr_per_kwh$")


@pytest.mark.parametrize("change", [_fx_times_ten, _zero_sales_class, _all_plants_expired,
                                    _nothing_sold], ids=lambda f: f.__name__.strip("_"))
def test_extreme_but_valid_inputs_run_to_finite_results(change):
    data = small_data()
    change(data)
    result = circdebt.run(io.validate_scenario_data(data))
    for table in (result.monthly, result.annual):
        numbers = table.select_dtypes("number")
        assert not np.isinf(numbers.to_numpy()).any()
        undefined = [c for c in numbers if numbers[c].isna().any()]
        assert all(PER_KWH.search(c) for c in undefined), undefined
        assert np.isfinite(table["cd_stock_bn_pkr"]).all()


def test_fx_times_ten_from_the_command_line(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(TWO_YEARS), "--out", str(out), "--set",
                                 "exogenous.fx_pkr_per_usd=2800.0"])
    assert result.exit_code == 0, result.output
    text = (out / "monthly.csv").read_text("utf-8") + (out / "annual.csv").read_text("utf-8")
    assert not re.search(r"(^|,)-?(inf|nan)(,|$)", text, re.IGNORECASE | re.MULTILINE)


def test_check_finite_names_the_month_and_the_quantity():
    rec = Recorder(Timeline("2025-07", "2025-09"), 2, ["c"], ["k"], None, detail=False)
    for t in range(3):
        rec.write(t, {"units_sold_gwh": np.ones(2), "cd_stock_bn_pkr": np.ones(2)})
    rec.series["cd_stock_bn_pkr"][2, 1] = np.nan
    rec.check_finite(1)  # month 1 is finite: no error
    with pytest.raises(SimulationError, match=r"cd_stock_bn_pkr .*2025-09"):
        rec.check_finite(2)


def test_engine_stops_at_the_first_non_finite_month_naming_it():
    """An overflow inside the engine becomes a SimulationError, not NaN in the outputs."""
    valid = io.validate_scenario_data(small_data())
    # values beyond the schema's bounds are refused on loading; push one past them anyway
    scenario = valid.model_copy(update={"exogenous": valid.exogenous.model_copy(
        update={"fx_pkr_per_usd": 1e308})})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # what users see: no warning-as-error
        with pytest.raises(SimulationError) as caught:
            simulate_scenario(scenario)
    assert re.search(r"\b[a-z_]+ became non-finite in 2025-07\b", str(caught.value))


def test_derived_ratios_are_never_infinite():
    valid = io.validate_scenario_data(small_data())  # a tiny GDP is refused on loading...
    scenario = valid.model_copy(update={"exogenous": valid.exogenous.model_copy(
        update={"gdp_bn_pkr_per_year": 1e-308})})  # ...but the ratio must be safe anyway
    with warnings.catch_warnings():  # (circdebt.run checks again and would refuse it)
        warnings.simplefilter("ignore", RuntimeWarning)
        result = circdebt.results.result.run_scenario(scenario)
        tables = (result.monthly, result.annual)
    for table in tables:
        assert not np.isinf(table.select_dtypes("number").to_numpy()).any()


# ----------------------------------------------------------------- security

#: Calls and imports that would turn a data file into code.
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "yaml", "cloudpickle",
                     "joblib"}


def test_scenario_files_are_data_no_eval_pickle_or_unsafe_yaml_in_src():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(SRC)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:  # builtins
                    found.append(f"{where}: {func.id}()")
                if isinstance(func, ast.Attribute) and func.attr in (
                        "read_pickle", "to_pickle", "load_pickle", "unsafe_load"):
                    found.append(f"{where}: .{func.attr}()")
                for kw in node.keywords:
                    if kw.arg == "allow_pickle" and not (
                            isinstance(kw.value, ast.Constant) and kw.value.value is False):
                        found.append(f"{where}: allow_pickle")
                    if kw.arg == "shell" and not (
                            isinstance(kw.value, ast.Constant) and kw.value.value is False):
                        found.append(f"{where}: shell=")
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                    node.module or ""]
                found += [f"{where}: import {n}" for n in names
                          if n.split(".")[0] in FORBIDDEN_MODULES]
    assert found == []


def test_extends_to_a_non_toml_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    read = []
    real = Path.read_bytes

    def spy(self):
        read.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    with pytest.raises(ScenarioError) as caught:
        circdebt.load_scenario(BAD / "extends_etc_passwd.toml")
    assert caught.value.problems[0].key_path == "extends"
    assert "passwd" not in read


def test_extends_outside_the_repository_is_read_as_data_only(tmp_path, monkeypatch):
    """An absolute path to another TOML file is refused unless the user allows it
    (CIRCDEBT_EXTENDS_ANYWHERE=1); even then it is only data: a non-scenario file is
    refused, exit 2."""
    elsewhere = tmp_path / "elsewhere" / "pyproject.toml"
    elsewhere.parent.mkdir()
    elsewhere.write_text('[project]\nname = "x"\n[tool.x]\ncmd = "rm -rf /"\n')
    child = tmp_path / "child.toml"
    child.write_text(f'extends = "{elsewhere}"\nname = "child"\n')
    with pytest.raises(ScenarioError) as caught:
        circdebt.load_scenario(child)
    assert caught.value.problems[0].key_path == "extends"
    monkeypatch.setenv("CIRCDEBT_EXTENDS_ANYWHERE", "1")
    with pytest.raises(ScenarioError) as caught:
        circdebt.load_scenario(child)
    keys = {p.key_path for p in caught.value.problems}
    assert {"project", "tool"} <= keys


def test_a_file_that_extends_itself_is_a_cycle(tmp_path):
    path = tmp_path / "self.toml"
    path.write_text('extends = "self.toml"\n')
    with pytest.raises(ScenarioError, match="cycle"):
        circdebt.load_scenario(path)


def test_html_reports_escape_user_text_is_tested_elsewhere():
    """Escaping of user text in HTML reports: tests/test_report.py::test_user_text_is_escaped."""
    source = (Path(__file__).parent / "test_report.py").read_text("utf-8")
    assert "def test_user_text_is_escaped" in source


# ----------------------------------------------------------------- limits


def test_limits_are_what_the_docs_say():
    from circdebt.timeline import MAX_MONTHS

    assert io.MAX_FILE_BYTES == 5_000_000
    assert io.MAX_EXTENDS_DEPTH == 16
    assert MAX_MONTHS == 1200


def test_every_test_docs_reliability_names_exists():
    """Each guarantee in docs/reliability.md names its test; every name it gives (a
    ``test_...`` in backticks, alone or as ``file.py::test_...``) is a test function or
    file of the suite, so a renamed or deleted test cannot leave a guarantee unbacked."""
    root = Path(__file__).resolve().parent
    doc = (root.parent / "docs" / "reliability.md").read_text("utf-8")
    named = set(re.findall(r"`(?:[\w/]+\.py::)?(test_\w+?)(?:\[[^`]*\])?`", doc))
    named |= set(re.findall(r"\b(test_\w+)\b(?=[^`]*`)", " ".join(
        re.findall(r"`[^`]*`", doc))))
    defined = set()
    for path in root.rglob("test_*.py"):
        defined |= {path.stem} | set(re.findall(r"^def (test_\w+)", path.read_text("utf-8"),
                                                re.M))
    truncated = {n for n in named if n.endswith("_")}  # names cut short with "…"
    missing = sorted(n for n in named - defined - truncated)
    assert len(named) > 60
    assert not missing, f"docs/reliability.md names tests that do not exist: {missing}"
