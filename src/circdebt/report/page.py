"""The report as one self-contained HTML page: embedded PNG charts, inline style, a
Content-Security-Policy that lets nothing else load and no script run.

The page is the Jinja2 template ``templates/report.html.j2``. This module prepares plain
data for it (strings, numbers, table rows, the figures as PNG ``data:`` URIs) and passes
user text in raw: the template escapes every expression itself (autoescaping, with
:func:`esc` as the environment's ``finalize``), so no caller has to remember to."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import jinja2
import numpy as np
from markupsafe import Markup
from matplotlib.figure import Figure

from circdebt import __version__, charts
from circdebt.report.content import Report, key_inputs, kpi_rows, policy_rows
from circdebt.units import unit_of

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:)\]]")


CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "DejaVu Sans", sans-serif; color: #1a1a1a; background: #fff; margin: 0; line-height: 1.5; }
main { max-width: 980px; margin: 0 auto; padding: 28px 32px 64px; }
h1 { font-size: 1.75rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 40px 0 8px; padding-top: 8px; border-top: 3px solid #0072B2; }
h3 { font-size: 1.05rem; margin: 24px 0 6px; }
p.meta { color: #666; margin: 0 0 20px; font-size: 0.9rem; }
p.lead { font-size: 1.02rem; }
nav ol { columns: 2; font-size: 0.92rem; color: #444; }
table { border-collapse: collapse; width: 100%; font-size: 0.86rem; margin: 8px 0 16px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e3e3e3; text-align: left;
  vertical-align: top; }
th { background: #f3f5f7; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.pass { color: #006b4f; font-weight: 700; } td.fail { color: #b33c00; font-weight: 700; }
td.source { font-size: 0.8rem; color: #444; overflow-wrap: anywhere; }
figure { margin: 18px 0 26px; break-inside: avoid; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; display: block; border: 1px solid #eee; }
figcaption { font-size: 0.85rem; color: #555; margin-top: 4px; }
.note { font-size: 0.85rem; color: #555; }
code { font-size: 0.85em; }
footer { margin-top: 48px; font-size: 0.8rem; color: #666; border-top: 1px solid #ddd;
  padding-top: 8px; }
@page { size: A4; margin: 14mm; }
@media print { main { padding: 0; max-width: none; } h2 { break-before: page; }
  a { color: inherit; text-decoration: none; } }
"""

#: Nothing but inline style and embedded images may load, and no script may run.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def esc(text: Any) -> Markup:
    """``text`` HTML-escaped (quotes too, as ``&quot;`` and ``&#x27;``), as Markup;
    Markup (already HTML) is returned as it is. The template applies this to every
    expression it outputs."""
    if hasattr(text, "__html__"):
        return Markup(text.__html__())
    return Markup(html.escape(str(text), quote=True))


def linkify(text: Any) -> Markup:
    """``text`` escaped, with its http(s) URLs turned into links (escaped as well)."""
    text = str(text)
    out, pos = [], 0
    for m in _URL.finditer(text):
        url = esc(m.group(0))
        out += [esc(text[pos:m.start()]), Markup(f'<a href="{url}" rel="noreferrer">{url}</a>')]
        pos = m.end()
    out.append(esc(text[pos:]))
    return Markup("").join(out)


def _slug(text: str) -> str:
    return "s-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x")


@cache
def _environment() -> jinja2.Environment:
    # Autoescaping makes macro output (tables) Markup, so it is not escaped again; every
    # other expression is escaped by ``finalize=esc`` (html.escape's ``&quot;``/``&#x27;``,
    # as the page has always written quotes, rather than MarkupSafe's ``&#34;``/``&#39;``).
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("circdebt.report", "templates"),
        autoescape=True, finalize=esc, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["anchor"] = lambda section: _slug("sec-" + str(section))
    return env


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]],
           classes: Sequence[str] | None = None) -> dict[str, list]:
    """A table for the template: ``header`` and ``rows`` as (text, CSS class) cells.
    ``classes``: a class per column (``"num"``, ``"source"``); a cell may be
    ``(text, class)`` to add one. Text is escaped by the template unless it is Markup."""
    classes = list(classes or [""] * len(header))
    body = []
    for row in rows:
        cells = []
        for cell, cls in zip(row, classes, strict=True):
            if isinstance(cell, tuple):
                cell, cls = cell[0], " ".join(filter(None, (cls, cell[1])))
            cells.append((cell, cls))
        body.append(cells)
    return {"header": list(zip(header, classes, strict=True)), "rows": body}


def _png_uri(fig: Figure, dpi: int) -> tuple[str, int, int]:
    data = charts.figure_bytes(fig, "png", dpi)
    width, height = fig.get_size_inches()
    return ("data:image/png;base64," + base64.b64encode(data).decode("ascii"),
            int(round(width * 96)), int(round(height * 96)))


def _targets_table(targets) -> dict[str, list] | None:
    if targets.empty:
        return None
    rows = []
    for _, t in targets.iterrows():
        status = str(t["status"])
        cls = "pass" if status == "pass" else "fail" if status == "fail" else ""
        margin = t["margin"]
        rows.append([
            t["scenario"], t["target"], t["window"],
            f"{t['ceiling']:,.1f} {unit_of(str(t['column']))}",
            "-" if not np.isfinite(t["result"]) else f"{t['result']:,.1f}",
            "-" if margin is None or not np.isfinite(margin) else f"{margin:+,.1f}",
            (status.upper() if cls else status, cls), linkify(t["source"])])
    return _table(["scenario", "target", "window", "ceiling", "result", "margin", "status",
                   "source"], rows, ["", "", "", "num", "num", "num", "", "source"])


def _assumptions(result, name: str) -> dict[str, Any]:
    policies = policy_rows(result)
    bench = result.scenario.sez.benchmarks
    return {
        "name": name, "description": result.scenario.description,
        "inputs": _table(["input", "value"], key_inputs(result)),
        "policies": _table(
            ["policy", "type", "start", "phase-in", "parameters", "source"],
            [[r["name"], r["type"], r["start"], r["phase_in"], r["parameters"],
              linkify(r["source"])] for r in policies],
            ["", "", "", "", "source", "source"]) if policies else None,
        "benchmarks": _table(
            ["SEZ benchmark", "year", "US cents/kWh", "source"],
            [[b.country, b.year, f"{b.tariff_usc_per_kwh:g}",
              linkify(b.source or "(none given)")] for b in bench],
            ["", "", "num", "source"]) if bench else None,
    }


def _metadata_table(results, names: Sequence[str]) -> dict[str, list]:
    rows = []
    for result, name in zip(results, names, strict=True):
        m = result.metadata
        deps = m.get("dependencies", {})
        rows.append([name, str(m.get("circdebt_version", "")),
                     str(m.get("scenario_hash", ""))[:16], str(m.get("seed", "")),
                     str(m.get("time_of_run", "")),
                     ", ".join(f"{k} {v}" for k, v in deps.items())])
    return _table(["scenario", "circdebt", "scenario hash", "seed", "time of run (UTC)",
                   "versions"], rows)


def to_html(report: Report, dpi: int = 150) -> str:
    """The report as one self-contained HTML page (see the module docstring)."""
    c = report.comparison
    names = report.names
    sections = ["Key numbers", *(["Scenarios compared"] if len(names) > 1 else []),
                *names, "Targets", "Assumptions", "Run metadata"]
    chart_sections = []
    for section in [s for s in sections if any(f[0] == s for f in report.figures)]:
        compared = section == "Scenarios compared"
        chart_sections.append({
            "section": section,
            "heading": section if compared else f"{section}: charts",
            "description": "" if compared
                           else c.results[names.index(section)].scenario.description,
            "figures": [(s, caption, *_png_uri(fig, dpi))
                        for s, caption, fig in report.figures if s == section],
        })
    return _environment().get_template("report.html.j2").render(
        csp=CSP, css=CSS, version=__version__, title=report.title,
        generated=report.generated, scenarios=", ".join(names), baseline=c.baseline,
        sections=sections, narrative=report.narrative,
        kpis=_table(["", "unit", *names], kpi_rows(c), ["", "", *["num"] * len(names)]),
        chart_sections=chart_sections, targets=_targets_table(c.targets),
        assumptions=[_assumptions(r, n) for r, n in zip(c.results, names, strict=True)],
        metadata=_metadata_table(c.results, names))
