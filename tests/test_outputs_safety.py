"""Outputs and checkpoints (issue 13): nothing of the user's is lost, a resume is of the
same sweep or refused, and one command at a time writes a folder.

What each test proves is listed in docs/reliability.md ("Outputs and checkpoints").

- Every command that writes into a folder replaces only files circdebt can prove it
  wrote (``circdebt.io.folders``); a command refused because the folder holds the
  user's files writes nothing there, before doing any work.
- A sweep checkpoint records everything that determines the result; ``--resume``
  refuses any difference, uses the recorded seed, and drops damaged chunks.
- The output folder is locked while a command writes it.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DATA
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import circdebt
import circdebt.analysis.sweep
import circdebt.cli.analysis
from circdebt import io
from circdebt.cli.app import app
from circdebt.io import checkpoint
from circdebt.io.folders import CHECKPOINT_TAG, LOCK_NAME, LOCK_TAG, MAX_DEFAULT_NAME

pytestmark = pytest.mark.reliability

TWO_YEARS = DATA / "worked_example_24m.toml"
HISTORY = DATA / "history_small.toml"
GRID = ["--grid", "losses.actual_pct=10,12,14,16"]
RUNNER = CliRunner()


def invoke(*args: object):
    return RUNNER.invoke(app, [str(a) for a in args])


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text, text


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (names relative to it) and its bytes."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> Path:
    """A folder with copies of the worked example (extends stay local) and a reform."""
    folder = tmp_path_factory.mktemp("scenarios")
    for name in ("worked_example.toml", "worked_example_24m.toml"):
        (folder / name).write_text((DATA / name).read_text("utf-8"), "utf-8")
    (folder / "reform.toml").write_text(
        'extends = "worked_example_24m.toml"\nname = "reform"\n\n[losses]\nactual_pct = 15.0\n',
        "utf-8")
    return folder


@pytest.fixture(scope="module")
def result_dir(tmp_path_factory) -> Path:
    """A run's saved outputs, for ``chart``."""
    out = tmp_path_factory.mktemp("saved") / "run"
    assert invoke("run", TWO_YEARS, "--out", out, "-q").exit_code == 0
    return out


# ----------------------------------------------------------------- every writing command

#: command -> (its arguments with the output folder {out}, the files it writes there).
COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    "run": (["run", str(TWO_YEARS), "--out", "{out}", "-q"],
            ["monthly.csv", "annual.csv", "scenario.resolved.toml", "run.json"]),
    "compare": (["compare", str(TWO_YEARS), "{reform}", "--out", "{out}"],
                ["compare.csv", "compare_annual.csv", "run.json"]),
    "sez": (["sez", str(TWO_YEARS), "--out", "{out}"], ["sez.csv", "run.json"]),
    "sweep": (["sweep", str(TWO_YEARS), "--grid", "losses.actual_pct=10,12", "--out", "{out}",
               "-q"], ["sweep.csv", "sweep.checkpoint", "run.json"]),
    "montecarlo": (["sweep", str(TWO_YEARS), "--grid", "losses.actual_pct=10,12", "--paths",
                    "2", "--seed", "3", "--out", "{out}", "-q"],
                   ["sweep.csv", "sweep.checkpoint", "run.json"]),
    "run-paths": (["run", str(TWO_YEARS), "--paths", "4", "--seed", "1", "--out", "{out}",
                   "-q"], ["annual_pct.csv", "monthly_pct.csv", "paths.parquet", "run.json"]),
    "sensitivity": (["sensitivity", str(TWO_YEARS), "--kpi", "cd_stock_bn_pkr@FY2027",
                     "--params", "losses.actual_pct", "--out", "{out}"],
                    ["sensitivity.csv", "chart-sensitivity.png", "run.json"]),
    "backtest": (["backtest", str(HISTORY), "--out", "{out}"], ["backtest.csv", "run.json"]),
    "calibrate": (["calibrate", str(HISTORY), "--params", "losses.actual_pct", "--target",
                   "cd_stock", "--out", "{out}"],
                  ["history_small-calibrated.toml", "calibration.csv", "run.json"]),
    "report": (["report", str(TWO_YEARS), "-o", "{out}/report.html"],
               ["report.html", "run.json"]),
    "chart": (["chart", "{saved}", "--kind", "stock", "--format", "png", "--dpi", "50",
               "--out", "{out}"], ["chart-stock.png", "run.json"]),
}

#: What each command's work is: made to fail, so a refusal that comes after it shows.
WORK = {
    "run": "circdebt.run", "compare": "circdebt.run", "sez": "circdebt.run",
    "sweep": "circdebt.analysis.sweep.run_sweep",
    "montecarlo": "circdebt.analysis.sweep.run_sweep",
    "run-paths": "circdebt.run",
    "sensitivity": "circdebt.analysis.sensitivity.tornado",
    "backtest": "circdebt.run", "calibrate": "circdebt.analysis.backtest.calibrate",
    "report": "circdebt.run", "chart": "circdebt.charts.standard_charts",
}


def _args(command: str, out: Path, scenarios: Path, saved: Path) -> list[str]:
    args, _ = COMMANDS[command]
    return [a.format(out=out, reform=scenarios / "reform.toml", saved=saved) for a in args]


def _cases() -> list:
    return [pytest.param(c, name, id=f"{c}-{name}") for c, (_, names) in COMMANDS.items()
            for name in [*names, LOCK_NAME]]


@pytest.mark.parametrize(("command", "name"), _cases())
def test_a_users_file_under_an_output_name_is_refused_before_any_work(
        command, name, tmp_path, scenarios, result_dir, monkeypatch):
    """Each command, each file it writes (and the lock file): a user's file of that name
    makes it exit 2 before any work, with the folder exactly as it was (no checkpoint,
    no lock, no run.json left)."""
    out = tmp_path / "out"
    out.mkdir()
    mine = b"the user's own bytes\n"
    (out / name).write_bytes(mine)
    (out / "notes.txt").write_bytes(b"unrelated\n")
    before = _snapshot(out)

    def no_work(*args, **kwargs):
        raise AssertionError("work was done before the refusal")

    monkeypatch.setattr(WORK[command], no_work)
    result = invoke(*_args(command, out, scenarios, result_dir))
    assert result.exit_code == 2, result.output
    assert name in result.stderr and "error:" in result.stderr
    _no_traceback(result.output)
    assert _snapshot(out) == before


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_leaves_no_lock_and_records_what_it_wrote(command, tmp_path, scenarios,
                                                              result_dir):
    """A command that succeeds leaves no lock file (and no checkpoint) behind, and its
    run.json lists the SHA-256 of every file it wrote: what lets the next run replace
    them and nothing else."""
    out = tmp_path / "out"
    result = invoke(*_args(command, out, scenarios, result_dir))
    assert result.exit_code == 0, result.output
    files = {p.name for p in out.iterdir()}
    assert LOCK_NAME not in files and "sweep.checkpoint" not in files
    assert set(COMMANDS[command][1]) - {"sweep.checkpoint"} <= files
    recorded = json.loads((out / "run.json").read_text("utf-8"))["files"]
    assert set(recorded) == files - {"run.json"}
    for name, digest in recorded.items():
        assert io.folders.file_sha256(out / name) == digest
    again = invoke(*_args(command, out, scenarios, result_dir))  # its own files: replaced
    assert again.exit_code == 0, again.output


def test_a_file_changed_since_circdebt_wrote_it_is_the_users(tmp_path):
    """A run's folder is not all circdebt's: an output the user edited since is refused,
    untouched; a file the user added is never touched."""
    out = tmp_path / "out"
    assert invoke("run", TWO_YEARS, "--out", out, "-q").exit_code == 0
    edited = (out / "annual.csv").read_bytes() + b"my note\n"
    (out / "annual.csv").write_bytes(edited)
    (out / "chart-mine.png").write_bytes(b"my chart")  # named like a chart, the user's
    result = invoke("run", TWO_YEARS, "--out", out, "-q")
    assert result.exit_code == 2 and "annual.csv" in result.stderr, result.output
    assert (out / "annual.csv").read_bytes() == edited
    assert (out / "chart-mine.png").read_bytes() == b"my chart"
    chart = invoke("chart", out, "--kind", "stock", "--format", "png", "--dpi", "50")
    # refused, naming a user's file (the edited table is refused as a damaged result
    # before the chart name is reached)
    assert chart.exit_code == 2, chart.output
    assert "chart-mine.png" in chart.stderr or "annual.csv" in chart.stderr, chart.output
    assert (out / "chart-mine.png").read_bytes() == b"my chart"
    (out / "annual.csv").write_bytes(edited[: -len(b"my note\n")])  # the table restored
    chart = invoke("chart", out, "--kind", "stock", "--format", "png", "--dpi", "50")
    assert chart.exit_code == 2 and "chart-mine.png" in chart.stderr, chart.output
    (out / "annual.csv").unlink()  # moved away by the user: the rest is circdebt's again
    (out / "chart-mine.png").unlink()
    assert invoke("run", TWO_YEARS, "--out", out, "-q").exit_code == 0


def test_sweep_never_overwrites_its_input_named_like_the_checkpoint(tmp_path):
    """The input scenario itself named ``sweep.checkpoint`` in ``--out``: refused, whole."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("worked_example.toml", "worked_example_24m.toml"):
        (out / name).write_text((DATA / name).read_text("utf-8"), "utf-8")
    scenario = out / "sweep.checkpoint"
    os.replace(out / "worked_example_24m.toml", scenario)
    before = _snapshot(out)
    for resume in ([], ["--resume"]):
        result = invoke("sweep", scenario, *GRID, "--out", out, "-q", *resume)
        assert result.exit_code == 2 and "input" in result.stderr, result.output
        assert _snapshot(out) == before


def test_a_refused_sweep_leaves_no_checkpoint_and_creates_no_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "sweep.csv").write_text("my own results\n")
    result = invoke("sweep", TWO_YEARS, *GRID, "--out", out, "-q")
    assert result.exit_code == 2 and "sweep.csv" in result.stderr
    assert _snapshot(out) == {"sweep.csv": b"my own results\n"}
    bad = invoke("sweep", TWO_YEARS, "--grid", "losses.nope=1,2", "--out", tmp_path / "a/b")
    assert bad.exit_code == 2 and not (tmp_path / "a").exists()


def test_compare_default_folders_never_collide_after_truncation(tmp_path, monkeypatch,
                                                                scenarios):
    """Two comparisons whose joined names agree up to the length limit get two folders."""
    monkeypatch.chdir(tmp_path)
    stem = "s" * 64
    files = []
    for tail in ("x", "y"):
        path = scenarios / f"long_{tail}.toml"
        path.write_text(f'extends = "worked_example_24m.toml"\nname = "{stem[:-1]}{tail}"\n',
                        "utf-8")
        files.append(path)
    first = scenarios / "long_a.toml"
    first.write_text(f'extends = "worked_example_24m.toml"\nname = "{"a" * 64}"\n', "utf-8")
    for path in files:
        assert invoke("compare", first, path).exit_code == 0
    folders = sorted((tmp_path / "out").iterdir())
    assert len(folders) == 2
    assert all(len(f.name) <= MAX_DEFAULT_NAME for f in folders)
    seen = {json.loads((f / "run.json").read_text())["runs"][1]["scenario_name"]
            for f in folders}
    assert seen == {stem[:-1] + "x", stem[:-1] + "y"}
    # the same names in another order, or read alike when joined, differ too
    assert io.default_folder("compare", ["a-b", "c"]) != io.default_folder("compare",
                                                                         ["a", "b-c"])


# ----------------------------------------------------------------- checkpoints


def _interrupted_sweep(out: Path, monkeypatch, *extra: object, chunks: int = 2,
                       scenario: Path = TWO_YEARS) -> dict:
    """A sweep of 4 points x 2 paths in chunks of 2 rows, stopped (as by Ctrl-C) after
    ``chunks`` chunks; returns the checkpoint's recorded config."""
    monkeypatch.setattr(circdebt.analysis.sweep, "CHUNK", 2)
    real = circdebt.analysis.sweep.evaluate_rows
    calls = []

    def stop_after(*args):
        if len(calls) == chunks:
            raise KeyboardInterrupt
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(circdebt.analysis.sweep, "evaluate_rows", stop_after)
    result = invoke("sweep", scenario, *GRID, "--paths", "2", "--out", out, "-q", *extra)
    assert result.exit_code == 130, result.output
    monkeypatch.setattr(circdebt.analysis.sweep, "evaluate_rows", real)
    saved = checkpoint.read_checkpoint(out / "sweep.checkpoint")
    assert len(saved.chunks) == chunks and not (out / LOCK_NAME).exists()
    return saved.config


def _sweep_table(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "sweep.csv")


def test_resume_without_seed_uses_the_recorded_seed(tmp_path, monkeypatch):
    """Interrupted without ``--seed`` and resumed without it: the checkpoint's seed is
    used for the rest, run.json records it, and the result is the uninterrupted sweep of
    that seed."""
    out = tmp_path / "out"
    config = _interrupted_sweep(out, monkeypatch)
    assert isinstance(config["seed"], int)
    resumed = invoke("sweep", TWO_YEARS, *GRID, "--paths", "2", "--out", out, "-q", "--resume")
    assert resumed.exit_code == 0, resumed.output
    meta = json.loads((out / "run.json").read_text())
    assert meta["seed"] == config["seed"] and meta["chunks_from_checkpoint"] == 2
    whole = tmp_path / "whole"
    assert invoke("sweep", TWO_YEARS, *GRID, "--paths", "2", "--seed", config["seed"],
                  "--out", whole, "-q").exit_code == 0
    pd.testing.assert_frame_equal(_sweep_table(out), _sweep_table(whole))
    assert not (out / "sweep.checkpoint").exists()


def _edited_scenario(folder: Path) -> Path:
    for name in ("worked_example.toml", "worked_example_24m.toml"):
        (folder / name).write_text((DATA / name).read_text("utf-8"), "utf-8")
    return folder / "worked_example_24m.toml"


CHANGES = {  # item -> how the resumed sweep differs from the interrupted one
    "seed": lambda m, s: ["--seed", "999"],
    "scenario_hash": lambda m, s: [] if s.write_text(
        s.read_text() + "\n[debt]\nphl_spread_pct = 2.5\n") else [],
    "grid": lambda m, s: ["--grid", "debt.phl_spread_pct=1,2"],
    "paths": lambda m, s: ["--paths", "3"],
    "chunk": lambda m, s: m.setattr(circdebt.analysis.sweep, "CHUNK", 4) or [],
    "circdebt_version": lambda m, s: m.setattr(circdebt.cli.analysis, "__version__",
                                               "99.0") or [],
}


@pytest.mark.parametrize("item", list(CHANGES))
def test_resume_against_anything_different_is_refused(item, tmp_path, monkeypatch):
    """Seed, resolved scenario, grid, paths, chunk size or circdebt version changed since
    the checkpoint: ``--resume`` exits 2 naming what differs; the checkpoint is intact."""
    out = tmp_path / "out"
    scenario = _edited_scenario(tmp_path)
    _interrupted_sweep(out, monkeypatch, "--seed", "5", scenario=scenario)
    before = _snapshot(out)
    extra = CHANGES[item](monkeypatch, scenario)
    args = ["sweep", scenario, *GRID, "--paths", "2", "--seed", "5", "--out", out, "-q",
            "--resume", *extra]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert item in result.stderr and "--resume" in result.stderr
    _no_traceback(result.output)
    assert _snapshot(out) == before


def _damage_first_chunk(path: Path, how: str) -> None:
    lines = path.read_bytes().split(b"\n")
    first, second = json.loads(lines[2]), json.loads(lines[3])
    if how == "nonsense":  # same shape, values changed, checksum left as it was
        raw = bytearray(base64.b64decode(first["values"]))
        values = np.frombuffer(bytes(raw), dtype="<f8").copy()
        values[:] = 1e9
        first["values"] = base64.b64encode(values.astype("<f8").tobytes()).decode()
    elif how == "swapped":  # another chunk's values and checksum under this start
        first["values"], first["sha256"] = second["values"], second["sha256"]
    lines[2] = json.dumps(first).encode()
    path.write_bytes(b"\n".join(lines))


@pytest.mark.parametrize("how", ["nonsense", "swapped"])
def test_a_damaged_chunk_of_the_right_shape_is_computed_again(how, tmp_path, monkeypatch):
    out = tmp_path / "out"
    _interrupted_sweep(out, monkeypatch, "--seed", "7")
    _damage_first_chunk(out / "sweep.checkpoint", how)
    resumed = invoke("sweep", TWO_YEARS, *GRID, "--paths", "2", "--seed", "7", "--out", out,
                     "-q", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "1 damaged chunk" in resumed.stderr
    assert json.loads((out / "run.json").read_text())["chunks_from_checkpoint"] == 1
    whole = tmp_path / "whole"
    assert invoke("sweep", TWO_YEARS, *GRID, "--paths", "2", "--seed", "7", "--out", whole,
                  "-q").exit_code == 0
    pd.testing.assert_frame_equal(_sweep_table(out), _sweep_table(whole))


def test_a_chunk_cut_short_is_computed_again(tmp_path, monkeypatch):
    """A process killed while appending a chunk leaves a last line cut short."""
    out = tmp_path / "out"
    _interrupted_sweep(out, monkeypatch, "--seed", "7")
    path = out / "sweep.checkpoint"
    path.write_bytes(path.read_bytes()[:-40])
    resumed = invoke("sweep", TWO_YEARS, *GRID, "--paths", "2", "--seed", "7", "--out", out,
                     "-q", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert json.loads((out / "run.json").read_text())["chunks_from_checkpoint"] == 1


@pytest.mark.parametrize("cut", [len(CHECKPOINT_TAG) + 1, len(CHECKPOINT_TAG) + 30])
def test_a_truncated_checkpoint_exits_2_on_resume(cut, tmp_path, monkeypatch):
    """A checkpoint cut inside its header: ``--resume`` exits 2 (not 1) and says how to
    start afresh; without ``--resume`` the sweep starts afresh and replaces it."""
    out = tmp_path / "out"
    _interrupted_sweep(out, monkeypatch, "--seed", "7")
    path = out / "sweep.checkpoint"
    path.write_bytes(path.read_bytes()[:cut])
    before = _snapshot(out)
    result = invoke("sweep", TWO_YEARS, *GRID, "--paths", "2", "--seed", "7", "--out", out,
                    "-q", "--resume")
    assert result.exit_code == 2 and "damaged checkpoint" in result.stderr, result.output
    _no_traceback(result.output)
    assert _snapshot(out) == before
    assert invoke("sweep", TWO_YEARS, *GRID, "--paths", "2", "--seed", "7", "--out", out,
                  "-q").exit_code == 0


def test_the_checkpoint_records_the_seed_before_the_first_chunk(tmp_path, monkeypatch):
    """Stopped before any chunk finished, an unseeded sweep has already recorded the seed
    it drew, and every item that determines the result."""
    out = tmp_path / "out"
    config = _interrupted_sweep(out, monkeypatch, chunks=0)
    assert set(config) == set(checkpoint.CONFIG_ITEMS)
    assert isinstance(config["seed"], int) and config["chunk"] == 2 and config["paths"] == 2
    assert config["circdebt_version"] == circdebt.__version__
    assert config["scenario_hash"] == io.scenario_hash(circdebt.load_scenario(TWO_YEARS))


# ----------------------------------------------------------------- the folder lock

HOLD = textwrap.dedent("""
    import sys, time
    from circdebt import io
    with io.claim_output_folder(sys.argv[1], (), ["*"]):
        print("held", flush=True)
        sys.stdin.readline()
""")


def test_a_second_command_into_a_locked_folder_exits_2(tmp_path, scenarios, result_dir):
    """Another process holds the folder: every command exits 2 at once ("folder in use by
    another circdebt run") and writes nothing; once it ends, the folder is free again."""
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        before = _snapshot(out)
        for command in ("run", "sweep", "compare"):
            result = invoke(*_args(command, out, scenarios, result_dir))
            assert result.exit_code == 2, result.output
            assert "folder in use by another circdebt run" in result.stderr
            assert _snapshot(out) == before
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
    assert not out.exists()  # the holder's folder was empty: removed with its lock
    assert invoke("run", TWO_YEARS, "--out", out, "-q").exit_code == 0


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_bytes(LOCK_TAG)  # its process is gone: no OS lock is held
    assert invoke("run", TWO_YEARS, "--out", out, "-q").exit_code == 0
    assert not (out / LOCK_NAME).exists()


def test_the_lock_is_held_while_the_command_writes(tmp_path, monkeypatch):
    """Inside a command, the folder is locked: a second claim of it is refused."""
    out = tmp_path / "out"
    seen = []
    real = io.writing.atomic_write_bytes

    def try_second(path, data):
        try:
            with io.claim_output_folder(out, (), ["*"]):
                seen.append("second got in")
        except io.OutputError as exc:
            seen.append(str(exc))
        return real(path, data)

    monkeypatch.setattr(io.writing, "atomic_write_bytes", try_second)
    assert invoke("run", TWO_YEARS, "--out", out, "-q").exit_code == 0
    assert seen and all("folder in use by another circdebt run" in s for s in seen)


# ----------------------------------------------------------------- fuzz

#: Names a user's file may have: every name and pattern a command may write, the lock
#: and checkpoint names, in other cases, and names near them.
NAMES = sorted({n for _, names in COMMANDS.values() for n in names}
               | {LOCK_NAME, "sweep.checkpoint", "monthly.parquet", "annual.parquet",
                  "results.xlsx", "chart-stock.svg", "chart-flows.png", "compare.xlsx",
                  "targets.csv", "attribution.csv", "compare_paired.csv", "thresholds.csv",
                  "aging.csv", "x.checkpoint", "report.pdf", "notes.txt", "run.json.bak",
                  ".circdebt.lock.tmp"})
NAME = st.one_of(st.sampled_from(NAMES),
                 st.sampled_from(NAMES).map(str.upper),
                 st.sampled_from(NAMES).map(str.title))
CONTENT = st.one_of(st.binary(max_size=64),
                    st.sampled_from([b"", b"{}", b'{"files": {}}', LOCK_TAG + b"x",
                                     CHECKPOINT_TAG[:-1], b"circdebt"]))
#: The commands the fuzz drives (the slow ones less often: most examples collide).
FUZZ_COMMANDS = ["run", "compare", "sez", "sweep", "montecarlo", "sensitivity", "backtest",
                 "calibrate", "report", "chart"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(command=st.sampled_from(FUZZ_COMMANDS),
       files=st.dictionaries(NAME, CONTENT, min_size=1, max_size=3))
def test_user_files_named_like_outputs_are_never_touched(command, files, scenarios,
                                                         result_dir):
    """Any command, a folder holding user files named like any output, checkpoint or
    lock (any case, any content): exit 0 or 2, the user's bytes intact, and on exit 2
    nothing added."""
    assume(all(not c.startswith(CHECKPOINT_TAG) and c != LOCK_TAG for c in files.values()))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        out.mkdir()
        for name, content in files.items():
            (out / name).write_bytes(content)
        before = _snapshot(out)
        result = invoke(*_args(command, out, scenarios, result_dir))
        assert result.exit_code in (0, 2), result.output
        _no_traceback(result.output)
        after = _snapshot(out)
        assert {n: after.get(n) for n in before} == before
        if result.exit_code == 2:
            assert after == before
            assert "error:" in result.stderr and "Usage:" not in result.stderr
        assert LOCK_NAME not in after or before.get(LOCK_NAME) is not None


def test_resume_with_the_grid_axes_in_another_order_is_refused(tmp_path, monkeypatch):
    """The order of the axes sets which point each row is: swapped on resume, the
    checkpoint's chunks would be other points' results."""
    out = tmp_path / "out"
    second = ["--grid", "debt.phl_spread_pct=1,2"]
    _interrupted_sweep(out, monkeypatch, "--seed", "5", *second)
    before = _snapshot(out)
    result = invoke("sweep", TWO_YEARS, *second, *GRID, "--paths", "2", "--seed", "5",
                    "--out", out, "-q", "--resume")
    assert result.exit_code == 2 and "grid" in result.stderr, result.output
    assert _snapshot(out) == before


@pytest.mark.parametrize("grid", ["losses.actual_pct=0.5,17",
                                  "demand.classes[0].recovery_pct=90,150",
                                  "exogenous.kibor_pct=-5,10",
                                  "policies[0].target_loss_pct=10,12"])
def test_a_sweep_of_values_a_key_cannot_take_is_refused_before_any_work(grid, tmp_path):
    """Swept values meet the rules of values in a file (range, fraction for a percent;
    policy parameters are not swept), before the folder is touched."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", "utf-8")
    result = invoke("sweep", TWO_YEARS, "--grid", grid, "--out", out, "-q")
    assert result.exit_code == 2 and "--grid" in result.stderr, result.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_a_run_in_another_format_leaves_no_earlier_table_beside_its_run_json(tmp_path):
    """A rerun in parquet (or with fewer charts) removes circdebt's own files of the
    earlier run: run.json lists exactly what is in the folder, and chart reads the new
    tables, not the stale CSV."""
    out = tmp_path / "out"
    assert invoke("run", TWO_YEARS, "--out", out, "-q", "--charts").exit_code == 0
    assert (out / "annual.csv").exists() and any(out.glob("chart-*"))
    (out / "mine.txt").write_text("mine", "utf-8")
    assert invoke("run", TWO_YEARS, "--out", out, "-q", "--format", "parquet").exit_code == 0
    files = json.loads((out / "run.json").read_text("utf-8"))["files"]
    on_disk = {p.name for p in out.iterdir()} - {"run.json", "mine.txt"}
    assert set(files) == on_disk and "annual.parquet" in on_disk
    assert not (out / "annual.csv").exists() and not any(out.glob("chart-*"))
    assert (out / "mine.txt").read_text("utf-8") == "mine"


@pytest.mark.parametrize("args", [
    ["sweep", TWO_YEARS, "--grid", "losses.actual_pct=2:50:1000000",
     "--grid", "exogenous.kibor_pct=5:20:1000", "-q"],
    ["sweep", TWO_YEARS, "--grid", "losses.actual_pct=2:50:100000000", "-q"],
    ["sensitivity", TWO_YEARS, "--method", "sobol", "--params", "losses.actual_pct",
     "-n", "1000000000", "--kpi", "cd_stock_bn_pkr@FY2027"],
])
def test_an_analysis_too_big_for_memory_is_refused_before_any_work(args, tmp_path):
    out = tmp_path / "out"
    result = invoke(*args, "--out", out)
    assert result.exit_code == 2, result.output
    assert "GB" in result.stderr or "1,000,000" in result.stderr
    assert not out.exists()


def test_a_sweep_refused_for_a_shocked_value_leaves_nothing(tmp_path):
    """A shock drawn out of range stops the sweep mid-run (exit 2); the sweep leaves no
    checkpoint and no folder behind."""
    scenario = _edited_scenario(tmp_path)
    scenario.write_text(scenario.read_text("utf-8") + "\n[exogenous.shocks.fx_pkr_per_usd]\n"
                        "jump_probability_pct_per_month = 50.0\njump_mean_pct = -90.0\n"
                        "jump_sd_pct = 50.0\n", "utf-8")
    out = tmp_path / "out"
    result = invoke("sweep", scenario, "--grid", "debt.phl_spread_pct=1,2", "--paths", "8",
                    "--seed", "1", "--out", out, "-q")
    assert result.exit_code == 2 and "exogenous.fx_pkr_per_usd" in result.stderr, result.output
    assert not out.exists()
