"""What reaches the terminal (issue 13): user text is only ever text.

- The schema refuses control characters and bidirectional overrides in every free-text
  field, and every string field of the schema is checked by some rule.
- Everything the command line writes (messages, tables, spinner, progress bar) goes
  through ``circdebt.text.terminal_text``, and Rich never reads user text as markup:
  hostile text in any field gives exit 0 or 2 (never 1), no ESC/BEL/C1/bidi character on
  stdout or stderr, markup shown literally, and nothing written on a refusal.
- Charts do not read ``$`` as mathtext.

The rule is restated here (:data:`UNSAFE`) rather than imported, so that a change of
``circdebt.text`` that lets a character through fails these tests.
"""

from __future__ import annotations

import io
import re
import tomllib
import typing
from pathlib import Path

import pytest
from conftest import DATA
from factories import small_data
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo
from typer.testing import CliRunner

import circdebt
from circdebt import charts
from circdebt.cli import common
from circdebt.cli.app import app
from circdebt.errors import Problem, ScenarioError
from circdebt.io import validate_scenario_data
from circdebt.scenario.schema import Scenario
from circdebt.text import terminal_text

pytestmark = pytest.mark.reliability

TWO_YEARS = DATA / "worked_example_24m.toml"
#: What must never reach a terminal: C0 controls but tab and line feed, DEL, C1 controls,
#: bidi marks, embeddings, overrides and isolates, line and paragraph separators.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
CONTROLS = ["\x1b[2J", "\x1b[H", "\x1b]8;;http://evil.example\x1b\\", "\x07", "\x08", "\r",
            "\x00", "\x7f", "\x9b2J", "\x85", "\u202e", "\u202a", "\u2066", "\u2069",
            "\u200f", "\u2028"]
MARKUP = ["[link=http://evil.example]", "[/link]", "[/bold]", "[bold red]", "[/]",
          ":smile:", "[green]"]
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])
hostile_text = st.lists(st.one_of(st.sampled_from(CONTROLS + MARKUP),
                                  st.text(max_size=4)), min_size=1, max_size=6).map("".join)
markup_text = st.lists(st.one_of(st.sampled_from(MARKUP), st.sampled_from(["a", "Z", "1"])),
                       min_size=1, max_size=5).map("".join)


def _clean(*texts: str) -> None:
    for text in texts:
        found = UNSAFE.search(text)
        assert found is None, f"{found.group()!r} reached the terminal: {text!r}"


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text, text


# ----------------------------------------------------------------- the authority


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_terminal_text_shows_every_unsafe_character_as_an_escape(text):
    shown = terminal_text(text)
    _clean(shown)
    assert "\t" not in terminal_text(text, one_line=True)
    assert "\n" not in terminal_text(text, one_line=True)
    if UNSAFE.search(text) is None:
        assert shown == text  # safe text (Urdu, emoji, markup brackets) is kept as it is
    assert terminal_text("a\x1bb\u202ec") == "a\\x1bb\\u202ec"


@given(st.text(), st.text(), st.text(), st.text())
def test_a_problem_message_is_one_safe_line(file, key, found, suggestion):
    text = str(Problem(file, key, "x", found, suggestion))
    _clean(text)
    assert "\n" not in text


# ----------------------------------------------------------------- the schema

#: Every free-text field, as a key path into :func:`_with_every_text_field`.
FREE_TEXT = ["description", "policies[0].name", "policies[0].source", "targets[0].name",
             "targets[0].source", "sez.zones[0].province", "sez.zones[0].source",
             "sez.benchmarks[0].country", "sez.benchmarks[0].source"]


def _with_every_text_field(text: str = "plain") -> dict:
    data = small_data(description=text)
    data["policies"] = [{"type": "loss_reduction", "name": text, "source": text,
                         "start": "2026-01", "target_loss_pct": 15.0}]
    data["targets"] = [{"name": text, "source": text, "column": "cd_stock_bn_pkr",
                        "fy": "FY2027", "max": 5000.0}]
    data["sez"] = {"zones": [{"name": "z", "province": text, "source": text,
                              "start": "2026-01", "peak_load_mw": 10.0}],
                   "benchmarks": [{"country": text, "source": text,
                                   "tariff_usc_per_kwh": 8.0, "year": 2024}]}
    return data


def _set(data: dict, key: str, value: str) -> None:
    from circdebt import keypaths

    keypaths.set_in_data(data, key, value)


def test_every_text_field_is_valid_with_plain_text_and_markup():
    validate_scenario_data(_with_every_text_field("plain [link=x]y[/link] [/bold] اردو"))


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(FREE_TEXT), before=st.text(max_size=5),
       control=st.sampled_from(CONTROLS), after=st.text(max_size=5))
def test_every_free_text_field_refuses_control_characters(key, before, control, after):
    assume(not (control == "\r" and after.startswith("\n")))  # a CRLF line end is allowed
    data = _with_every_text_field()
    _set(data, key, before + control + after)
    with pytest.raises(ScenarioError) as caught:
        validate_scenario_data(data, "s.toml")
    assert any(p.key_path == key and "control characters" in p.expected
               for p in caught.value.problems), caught.value.message()
    _clean(caught.value.message())


def test_a_line_end_written_crlf_is_allowed_in_free_text():
    validate_scenario_data(_with_every_text_field("two\r\nlines\tand a tab"))


def _str_fields(model: type[BaseModel], prefix: str, seen: set) -> list[str]:
    """Key paths of string fields no rule checks (no pattern, no validator, no Literal)."""
    if model in seen:
        return []
    seen.add(model)
    found = []
    for name, field in model.model_fields.items():
        found += _unchecked(field.annotation, field.metadata, f"{prefix}{name}", seen)
    return found


def _unchecked(annotation, metadata, path: str, seen: set) -> list[str]:
    rules = [r for m in metadata for r in (m.metadata if isinstance(m, FieldInfo) else [m])]
    checked = any(isinstance(r, AfterValidator) or getattr(r, "pattern", None) for r in rules)
    if annotation is str:
        return [] if checked else [path]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _str_fields(annotation, f"{path}.", seen)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _unchecked(args[0], list(args[1:]), path, seen)
    if origin is typing.Literal:
        return []
    if origin is dict:  # keys: checked where the table is used (FY labels, key paths)
        return _unchecked(args[1], [], f"{path}.*", seen)
    return [p for arg in args for p in _unchecked(arg, [], path, seen)]


def test_every_string_field_of_the_schema_is_checked():
    """A new free-text field must use ``fields.Text`` (or a pattern, or a Literal)."""
    from circdebt.scenario.policies import POLICY_TYPES

    seen: set = set()
    unchecked = _str_fields(Scenario, "", seen)
    for name, cls in POLICY_TYPES.items():
        unchecked += _str_fields(cls, f"policies[{name}].", seen)
    assert unchecked == []


# ----------------------------------------------------------------- the command line


def _scenario_file(folder: Path, key: str, text: str) -> Path:
    """A file extending the two-year worked example with ``text`` in the field ``key``."""
    import tomli_w

    data = {"extends": str(TWO_YEARS.resolve())}
    full = _with_every_text_field()
    del full["sez"]["zones"]  # the worked example has no SEZ class terms for a zone here
    if key.startswith("sez.zones"):
        key = "sez.benchmarks[0].source"
    for table in ("description", "policies", "targets", "sez"):
        data[table] = full[table]
    _set(data, key, text)
    path = folder / "hostile.toml"
    path.write_text(tomli_w.dumps(data), "utf-8")
    return path


VERBS = {
    "validate": lambda s, out: ["validate", s],
    "show": lambda s, out: ["show", s],
    "run": lambda s, out: ["run", s, "--out", out],
    "compare": lambda s, out: ["compare", str(TWO_YEARS), s, "--out", out, "--attribute"],
    "sez": lambda s, out: ["sez", s, "--out", out],
    "diff": lambda s, out: ["diff", str(TWO_YEARS), s],
}


@pytest.fixture
def anywhere(monkeypatch):
    monkeypatch.setenv("CIRCDEBT_EXTENDS_ANYWHERE", "1")  # the file extends by absolute path


@FUZZ
@given(verb=st.sampled_from(sorted(VERBS)), key=st.sampled_from(FREE_TEXT), text=hostile_text)
def test_hostile_text_in_any_field_never_acts_on_the_terminal(tmp_path_factory, anywhere,
                                                              verb, key, text):
    folder = tmp_path_factory.mktemp("hostile")
    out = folder / "out"
    path = _scenario_file(folder, key, text)
    result = CliRunner().invoke(app, VERBS[verb](str(path), str(out)))
    assert result.exit_code in (0, 2), result.output
    _clean(result.stdout, result.stderr)
    _no_traceback(result.output)
    if result.exit_code == 2:
        assert not out.exists()
    if UNSAFE.search(text):
        assert result.exit_code == 2 and "control characters" in result.stderr


#: The free-text fields a file extending the worked example can hold (no SEZ zones).
FILE_TEXT = [k for k in FREE_TEXT if not k.startswith("sez.zones")]


def _scenario_file_with(folder: Path, texts: dict[str, str]) -> Path:
    """:func:`_scenario_file` with a text of its own in each of several fields."""
    import tomli_w

    path = _scenario_file(folder, FILE_TEXT[0], texts.get(FILE_TEXT[0], "plain"))
    data = tomllib.loads(path.read_text("utf-8"))
    for key, text in texts.items():
        _set(data, key, text)
    path.write_text(tomli_w.dumps(data), "utf-8")
    return path


@FUZZ
@given(verb=st.sampled_from(sorted(VERBS)),
       texts=st.fixed_dictionaries({k: st.one_of(hostile_text, markup_text)
                                    for k in FILE_TEXT}))
def test_hostile_text_in_every_field_at_once_never_acts_on_the_terminal(
        tmp_path_factory, anywhere, verb, texts):
    """Control characters and markup in every text field of one scenario: refused (exit
    2, each field named) when any holds a control character, else run with the markup
    shown as text; never a crash, never a control character on stdout or stderr."""
    folder = tmp_path_factory.mktemp("hostile-all")
    out = folder / "out"
    path = _scenario_file_with(folder, texts)
    result = CliRunner().invoke(app, VERBS[verb](str(path), str(out)))
    _clean(result.stdout, result.stderr)
    _no_traceback(result.output)
    hostile = [k for k, t in texts.items() if UNSAFE.search(t.replace("\r\n", "\n"))]
    assert result.exit_code == (2 if hostile else 0), result.output
    if hostile:
        assert not out.exists()
        if verb != "diff":  # diff loads two files, and stops at the first refusal
            for key in hostile:
                assert key in result.stderr, result.stderr


@FUZZ
@given(verb=st.sampled_from(["validate", "show", "run"]), key=hostile_text,
       value=hostile_text)
def test_hostile_keys_and_values_given_with_set_never_act_on_the_terminal(
        tmp_path_factory, verb, key, value):
    """``--set KEY=VALUE`` with control characters and markup in the key, the value or
    both: refused or accepted, the message quotes them as escapes."""
    assume("\x00" not in key + value)  # a shell cannot pass a NUL byte (Click refuses it)
    out = tmp_path_factory.mktemp("set") / "out"
    args = [verb, str(TWO_YEARS), "--set", f"{key}={value}"]
    result = CliRunner().invoke(app, args + (["--out", str(out), "-q"] if verb == "run"
                                             else []))
    assert result.exit_code in (0, 2), result.output
    _clean(result.stdout, result.stderr)
    _no_traceback(result.output)


@FUZZ
@given(verb=st.sampled_from(["run", "compare"]), name=markup_text)
def test_markup_in_a_target_name_is_printed_literally(tmp_path_factory, anywhere, verb,
                                                      name):
    folder = tmp_path_factory.mktemp("markup")
    path = _scenario_file(folder, "targets[0].name", name)
    result = CliRunner().invoke(app, VERBS[verb](str(path), str(folder / "out")))
    assert result.exit_code == 0, result.output
    assert name in result.stdout  # in the targets table, as written


@pytest.mark.parametrize(("key", "verb"), [("policies[0].name", "compare"),
                                          ("sez.benchmarks[0].country", "sez")])
def test_markup_in_policy_and_benchmark_names_is_printed_literally(tmp_path, anywhere, key,
                                                                   verb):
    name = "x[/bold][link=http://evil.example]y"
    path = _scenario_file(tmp_path, key, name)
    result = CliRunner().invoke(app, VERBS[verb](str(path), str(tmp_path / "out")))
    assert result.exit_code == 0, result.output
    shown = name if verb == "compare" else name.lower()  # sez items: "gap to <country>"
    assert shown in result.stdout


def test_a_file_name_with_an_escape_sequence_is_shown_escaped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "\x1b[2Jx\u202e.toml"
    path.write_text(f'extends = "{TWO_YEARS.resolve()}"\n', "utf-8")
    monkeypatch.setenv("CIRCDEBT_EXTENDS_ANYWHERE", "1")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok: \\x1b[2Jx\\u202e.toml\n"
    path.write_text("name = 1\n", "utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "\\x1b[2Jx\\u202e.toml: name" in result.stderr
    _clean(result.stderr)


def test_an_output_folder_named_with_an_escape_sequence_is_shown_escaped(tmp_path):
    """'outputs in DIR/' quotes the user's --out as it is: through the stderr sink."""
    out = tmp_path / "\x1b[2Jout\u202e"
    result = CliRunner().invoke(app, ["run", str(TWO_YEARS), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "\\x1b[2Jout\\u202e/" in result.stderr
    _clean(result.stderr)


def test_usage_errors_quoting_hostile_text_are_safe():
    for args in (["run", "--\x1b[2J"], ["run", "x.toml", "--engine", "\x1b[2J\u202e"],
                 ["\x1b[2J"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2
        _clean(result.output)


def test_the_spinner_and_the_progress_bar_show_markup_as_text(monkeypatch):
    """On a terminal (forced here, into a buffer) a markup error in the spinner's or the
    bar's text would crash, and an escape would act."""
    buffer = io.StringIO()
    make_console = common.console
    monkeypatch.setattr(common, "interactive", lambda quiet=False: True)
    monkeypatch.setattr(common, "console", lambda stderr=False, **options: make_console(
        file=buffer, force_terminal=True, width=100, **options))
    with common.status("simulating [/bold] \x1b[2J"):
        pass
    report = common.progress(False, "paths [/bold] \x1b[2J")
    assert report is not None
    report(1, 2)
    report(2, 2)
    # Rich's own cursor moves (CSI codes, carriage returns) redraw the line: not the text's
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", buffer.getvalue())
    _clean(text)
    assert "paths [/bold] \\x1b[2J" in text


def test_tables_render_cells_and_titles_as_text():
    from rich.table import Table

    buffer = io.StringIO()
    console = common.console(file=buffer, width=120, no_color=True)
    table = Table(title="t [/bold] \x1b[2J", caption="[link=http://x]c[/link]")
    table.add_column("[red]h\u202e")
    table.add_row("[/bold] \x1b[31m\x07 :smile:")
    console.print(table)
    console.print("[/bold] \x1b[2J", style="dim")
    text = buffer.getvalue()
    _clean(text)
    for literal in ("t [/bold] \\x1b[2J", "[link=http://x]c[/link]", "[red]h\\u202e",
                    "[/bold] \\x1b[31m\\x07 :smile:"):
        assert literal in text


# ----------------------------------------------------------------- charts


def test_a_dollar_in_a_chart_label_is_a_dollar_not_mathtext():
    """``$\\frac{$`` is invalid mathtext: drawing it as math would raise."""
    result = circdebt.run(TWO_YEARS)
    fig = charts.sez_chart(result, scenario="$\\frac{$",
                           benchmarks=[{"country": "$x^{$", "tariff_usc_per_kwh": 8.0,
                                        "year": 2024}])
    fig.savefig(io.BytesIO(), format="png")
    assert any("$x^{$" in t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))


# ----------------------------------------------------------------- the sinks


#: Ways of writing to the terminal that bypass the sinks of ``circdebt.cli.common``.
DIRECT_WRITES = re.compile(r"typer\.(?:echo|secho)\(|\bprint\(|sys\.std(?:out|err)\.write|"
                           r"\bConsole\(|rich\.print|click\.echo")


def test_only_the_sinks_of_cli_common_write_to_the_terminal():
    """Everything else calls say/echo/stdout_console/status/progress (which escape), or
    prints on a console they return (``console.print``)."""
    package = Path(circdebt.__file__).parent
    allowed = {("cli/common.py", "typer.echo("), ("cli/common.py", "Console("),
               ("cli/app.py", "typer.echo(")}  # --version: no user text
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            code = line.split("#")[0]
            for match in DIRECT_WRITES.finditer(code):
                if (rel, match.group()) not in allowed and ".print(" not in code[
                        max(0, match.start() - 1):match.end()]:
                    found.append(f"{rel}:{n}: {line.strip()}")
    assert found == []
