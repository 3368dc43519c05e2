"""The house style of circdebt charts: palette, fonts, figure frame (title, subtitle,
footnote), axis helpers, and writing figures as PNG, SVG and PDF."""

from __future__ import annotations

import io as _io
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FixedLocator, FuncFormatter

from circdebt.results.result import Result
from circdebt.timeline import parse_fy
from circdebt.version import __version__

# --------------------------------------------------------------------------- style

#: The Okabe-Ito palette, by name.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9",
    "bluish_green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
    "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
#: Series colours in order (lines of several scenarios, creditor classes ...).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")
GREY, LIGHT_GREY, DARK_GREY, TEXT = "#707070", "#BBBBBB", "#4D4D4D", "#1A1A1A"

RC: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.labelsize": 9.5,
    "axes.labelcolor": DARK_GREY,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.edgecolor": DARK_GREY,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=PALETTE),
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.7,
    "xtick.color": DARK_GREY,
    "ytick.color": DARK_GREY,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "text.color": TEXT,
    "text.parse_math": False,    # "$" in a name or source is a dollar sign, not TeX
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "circdebt",  # stable element ids: the same figure gives the same file
    "svg.fonttype": "path",      # text as outlines: looks the same without the font
    "pdf.fonttype": 42,          # TrueType in PDFs: text stays selectable and editable
}

#: Default size of a single chart. [inches]
SIZE = (9.0, 5.2)


def thousands(value: float, _pos: Any = None) -> str:
    text = f"{value:,.0f}"
    return "0" if text == "-0" else text


def one_decimal(value: float, _pos: Any = None) -> str:
    text = f"{value:,.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def fy_year(fy: Any) -> int:
    """``"FY2030"`` (or ``2030``) -> 2030, the calendar year the fiscal year ends in."""
    return fy if isinstance(fy, int) else parse_fy(str(fy).strip())


def fy_ticks(ax: Any, years: Sequence[int] | np.ndarray) -> None:
    years = list(years)
    step = max(1, int(np.ceil(len(years) / 12)))
    ax.xaxis.set_major_locator(FixedLocator([float(y) for y in years[::step]]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"FY{int(round(v)) % 100:02d}"))
    ax.set_xlim(min(years) - 0.6, max(years) + 0.6)


def footnote_text(scenarios: Iterable[str], note: str = "") -> str:
    """The footnote every chart carries: source, scenario(s), version."""
    names = ", ".join(str(s) for s in scenarios if s)
    label = "Scenarios" if "," in names else "Scenario"
    text = f"Source: circdebt {__version__} simulation."
    if names:
        text += f" {label}: {names}."
    if note:
        text += f" {note}"
    return text


def new_figure(
    title: str, subtitle: str, footnote: str, size: tuple[float, float] = SIZE,
) -> Figure:
    """An empty figure in the house style: title, subtitle and footnote placed, the
    rest of the area left to constrained layout. Call inside ``rc_context(RC)``."""
    width, height = size
    foot_lines = textwrap.wrap(footnote, width=int(width * 17)) or [""]
    sub_lines = textwrap.wrap(subtitle, width=int(width * 13)) if subtitle else []
    top_in = 0.42 + 0.2 * len(sub_lines) + 0.1
    bottom_in = 0.12 + 0.14 * len(foot_lines)
    fig = Figure(figsize=size, dpi=100)
    FigureCanvasAgg(fig)
    fig.set_layout_engine(ConstrainedLayoutEngine(
        rect=(0.0, bottom_in / height, 1.0 - 0.22 / width, 1.0 - (top_in + bottom_in) / height),
        w_pad=0.06, h_pad=0.06))
    left = 0.12 / width
    fig.text(left, 1 - 0.14 / height, title, ha="left", va="top", fontsize=13.5,
             fontweight="bold", color=TEXT)
    if sub_lines:
        fig.text(left, 1 - 0.43 / height, "\n".join(sub_lines), ha="left", va="top",
                 fontsize=9.5, color=GREY, linespacing=1.35)
    fig.text(left, 0.08 / height, "\n".join(foot_lines), ha="left", va="bottom",
             fontsize=7, color=GREY, linespacing=1.3)
    return fig


# --------------------------------------------------------------------------- inputs


def annual_of(data: Result | pd.DataFrame) -> pd.DataFrame:
    annual = data.annual if isinstance(data, Result) else data
    if "fy" not in annual.columns:
        raise ValueError("the table has no 'fy' column; pass Result.annual or annual.csv")
    return annual


def name_of(data: Result | pd.DataFrame, scenario: str | None) -> str:
    if scenario is not None:
        return scenario
    return data.scenario.name if isinstance(data, Result) else ""


def need_columns(table: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"the table lacks column(s) {', '.join(missing)}")


def legend_right(ax: Any, handles: Sequence[Any] | None = None,
                  labels: Sequence[str] | None = None, **kw: Any) -> None:
    args = [] if handles is None else [handles, labels]
    ax.legend(*args, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
              handlelength=1.4, **kw)


def stacked_bars(ax: Any, x: np.ndarray, series: Mapping[str, tuple[np.ndarray, str, str, str]],
                  width: float = 0.72) -> list[Any]:
    """Bars stacked upward for positive values and downward for negative ones.

    ``series`` maps a key to (values, label, colour, hatch). Each key is one
    ``ax.bar`` call whose bar heights are exactly its values.
    """
    up = np.zeros(len(x))
    down = np.zeros(len(x))
    containers = []
    for values, label, colour, hatch in series.values():
        v = np.nan_to_num(np.asarray(values, float))
        bottom = np.where(v > 0, up, np.where(v < 0, down, 0.0))  # zero bars: not sticky
        bars = ax.bar(x, v, width, bottom=bottom, label=label, color=colour, hatch=hatch,
                      edgecolor="white" if not hatch else DARK_GREY, linewidth=0.5)
        containers.append(bars)
        up += np.where(v >= 0, v, 0.0)
        down += np.where(v < 0, v, 0.0)
    return containers


def stack_legend(ax: Any, series: Mapping[str, tuple[np.ndarray, str, str, str]],
                  first: Sequence[str] = ()) -> tuple[list[Any], list[str]]:
    """Legend entries in the order a reader sees a stacked bar: ``first``, then the
    parts above zero from the top down, then those below zero from zero down (a part is
    above or below by the sign of its sum)."""
    by_label = dict(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
    above = [s[1] for s in series.values() if np.nansum(s[0]) >= 0][::-1]
    below = [s[1] for s in series.values() if np.nansum(s[0]) < 0]
    rest = [lab for lab in by_label if lab not in {*first, *above, *below}]
    labels = [lab for lab in [*first, *above, *below, *rest] if lab in by_label]
    return [by_label[lab] for lab in labels], labels



# --------------------------------------------------------------------------- saving


#: Formats :func:`save` writes.
FORMATS = ("png", "svg", "pdf")


def figure_bytes(fig: Figure, fmt: str, dpi: int = 200) -> bytes:
    """A figure as PNG, SVG or PDF bytes. The same figure gives the same bytes
    (no time stamps)."""
    if fmt not in FORMATS:
        raise ValueError(f"format(={fmt!r}) must be one of {', '.join(FORMATS)}")
    metadata: Any = {
        "png": {"Software": f"circdebt {__version__} (matplotlib)"},
        "svg": {"Date": None, "Creator": f"circdebt {__version__} (matplotlib)"},
        "pdf": {"CreationDate": None, "ModDate": None,
                "Creator": f"circdebt {__version__} (matplotlib)"},
    }[fmt]
    buffer = _io.BytesIO()
    with mpl.rc_context(RC):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def chart_payloads(
    figures: Mapping[str, Figure], formats: Sequence[str] = FORMATS, dpi: int = 200,
    prefix: str = "chart-",
) -> dict[str, bytes]:
    """``{"chart-<kind>.<fmt>": bytes}`` for :func:`circdebt.io.write_output_set`."""
    return {f"{prefix}{kind}.{fmt}": figure_bytes(fig, fmt, dpi)
            for kind, fig in figures.items() for fmt in formats}
