"""The report as one self-contained HTML page: embedded PNG charts, inline style, a
Content-Security-Policy that lets nothing else load and no script run, and every piece
of user text HTML-escaped."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
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


def esc(text: Any) -> str:
    """User text, HTML-escaped (quotes too)."""
    return html.escape(str(text), quote=True)


def linkify(text: str) -> str:
    """Escape ``text`` and turn its http(s) URLs into links (escaped as well)."""
    out, pos = [], 0
    for m in _URL.finditer(text):
        out.append(esc(text[pos:m.start()]))
        url = esc(m.group(0))
        out.append(f'<a href="{url}" rel="noreferrer">{url}</a>')
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def _slug(text: str) -> str:
    return "s-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x")


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]],
           classes: Sequence[str] | None = None, raw: bool = False) -> str:
    """An HTML table. ``classes``: a CSS class per column (``"num"``, ``"source"``); a
    cell may be ``(content, class)``. Cells are escaped unless ``raw`` (then they are
    HTML already)."""
    classes = list(classes or [""] * len(header))

    def attr(cls: str) -> str:
        return f' class="{cls}"' if cls else ""

    head = "".join(f"<th{attr(c)}>{esc(h)}</th>" for h, c in zip(header, classes, strict=True))
    body = []
    for row in rows:
        cells = []
        for cell, cls in zip(row, classes, strict=True):
            if isinstance(cell, tuple):
                cell, cls = cell[0], " ".join(filter(None, (cls, cell[1])))
            cells.append(f"<td{attr(cls)}>{cell if raw else esc(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _png_uri(fig: Figure, dpi: int) -> tuple[str, int, int]:
    data = charts.figure_bytes(fig, "png", dpi)
    width, height = fig.get_size_inches()
    return ("data:image/png;base64," + base64.b64encode(data).decode("ascii"),
            int(round(width * 96)), int(round(height * 96)))


def to_html(report: Report, dpi: int = 150) -> str:
    """The report as one self-contained HTML page (see the module docstring)."""
    c = report.comparison
    names = report.names
    parts: list[str] = []
    add = parts.append
    add("<!DOCTYPE html>")
    add('<html lang="en"><head><meta charset="utf-8">')
    add(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add(f'<meta name="generator" content="circdebt {esc(__version__)}">')
    add(f"<title>{esc(report.title)}</title><style>{CSS}</style></head><body><main>")
    add(f"<h1>{esc(report.title)}</h1>")
    add(f'<p class="meta">Generated by circdebt {esc(__version__)} on '
        f"{esc(report.generated)} (UTC). Scenarios: {esc(', '.join(names))}; differences "
        f"are against {esc(c.baseline)}.</p>")
    sections = ["Key numbers", *(["Scenarios compared"] if len(names) > 1 else []),
                *names, "Targets", "Assumptions", "Run metadata"]
    add("<nav><ol>" + "".join(f'<li><a href="#{_slug("sec-" + s)}">{esc(s)}</a></li>'
                              for s in sections) + "</ol></nav>")

    add(f'<h2 id="{_slug("sec-Key numbers")}">Key numbers</h2>')
    for i, paragraph in enumerate(report.narrative):
        add(f'<p{" class=lead" if i == 0 else ""}>{esc(paragraph)}</p>')
    rows = kpi_rows(c)
    add(_table(["", "unit", *names], rows, ["", "", *["num"] * len(names)]))
    add(f'<p class="note">In brackets: difference from {esc(c.baseline)}. Debt figures '
        "are at 30 June of the last fiscal year; totals are over the whole horizon.</p>")

    by_section: dict[str, list[tuple[str, Figure]]] = {}
    for section, caption, fig in report.figures:
        by_section.setdefault(section, []).append((caption, fig))
    for section in [s for s in sections if s in by_section]:
        heading = section if section == "Scenarios compared" else f"{section}: charts"
        add(f'<h2 id="{_slug("sec-" + section)}">{esc(heading)}</h2>')
        if section != "Scenarios compared":
            result = c.results[names.index(section)]
            if result.scenario.description:
                add(f"<p>{esc(result.scenario.description)}</p>")
        for caption, fig in by_section[section]:
            uri, w, h = _png_uri(fig, dpi)
            add(f'<figure><img src="{uri}" width="{w}" height="{h}" '
                f'alt="{esc(caption)} ({esc(section)})"><figcaption>{esc(caption)}'
                "</figcaption></figure>")

    add(f'<h2 id="{_slug("sec-Targets")}">Targets</h2>')
    if c.targets.empty:
        add("<p>No scenario declares targets.</p>")
    else:
        trows = []
        for _, t in c.targets.iterrows():
            unit = unit_of(str(t["column"]))
            status = str(t["status"])
            cls = "pass" if status == "pass" else "fail" if status == "fail" else ""
            result_text = "-" if not np.isfinite(t["result"]) else f"{t['result']:,.1f}"
            margin = t["margin"]
            margin_text = ("-" if margin is None or not np.isfinite(margin)
                           else f"{margin:+,.1f}")
            trows.append([esc(t["scenario"]), esc(t["target"]), esc(t["fy"]),
                          esc(f"{t['ceiling']:,.1f} {unit}"), esc(result_text),
                          esc(margin_text), (esc(status.upper() if cls else status), cls),
                          linkify(str(t["source"]))])
        add(_table(["scenario", "target", "FY", "ceiling", "result", "margin", "status",
                    "source"], trows, ["", "", "", "num", "num", "num", "", "source"],
                   raw=True))
        add('<p class="note">margin = ceiling - result; negative means the target is '
            "missed.</p>")

    add(f'<h2 id="{_slug("sec-Assumptions")}">Assumptions</h2>')
    for result, name in zip(c.results, names, strict=True):
        add(f"<h3>{esc(name)}</h3>")
        if result.scenario.description:
            add(f"<p>{esc(result.scenario.description)}</p>")
        add(_table(["input", "value"], key_inputs(result)))
        prow = policy_rows(result)
        if prow:
            add(_table(["policy", "type", "start", "phase-in", "parameters", "source"],
                       [[esc(r["name"]), esc(r["type"]), esc(r["start"]), esc(r["phase_in"]),
                         esc(r["parameters"]), linkify(r["source"])] for r in prow],
                       ["", "", "", "", "source", "source"], raw=True))
        else:
            add("<p>No policies beyond those in the inputs.</p>")
        bench = result.scenario.sez.benchmarks
        if bench:
            add(_table(["SEZ benchmark", "year", "US cents/kWh", "source"],
                       [[esc(b.country), esc(b.year), esc(f"{b.tariff_usc_per_kwh:g}"),
                         linkify(b.source or "(none given)")] for b in bench],
                       ["", "", "num", "source"], raw=True))

    add(f'<h2 id="{_slug("sec-Run metadata")}">Run metadata</h2>')
    mrows = []
    for result, name in zip(c.results, names, strict=True):
        m = result.metadata
        deps = m.get("dependencies", {})
        mrows.append([name, str(m.get("circdebt_version", "")),
                      str(m.get("scenario_hash", ""))[:16], str(m.get("seed", "")),
                      str(m.get("time_of_run", "")),
                      ", ".join(f"{k} {v}" for k, v in deps.items())])
    add(_table(["scenario", "circdebt", "scenario hash", "seed", "time of run (UTC)",
                "versions"], mrows))
    add('<p class="note">The scenario hash is the SHA-256 of the resolved scenario; the '
        "same hash and version give the same numbers.</p>")
    add(f"<footer>circdebt {esc(__version__)}: a monthly simulator of power-sector circular "
        "debt. Charts and numbers are model projections under the stated assumptions, not "
        "forecasts.</footer>")
    add("</main></body></html>")
    return "\n".join(parts) + "\n"
