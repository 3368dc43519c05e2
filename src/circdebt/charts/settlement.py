"""Charts of the event-driven settlement: how old the payables to each creditor are."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from circdebt.charts.style import PALETTE, RC, footnote_text, new_figure, thousands
from circdebt.engine.events import BUCKET_NAMES


def aging_chart(aging: pd.DataFrame, scenario: str = "") -> Figure:
    """Payables by age bucket for each creditor class at the last month end (``aging``:
    the event engine's table of month, creditor, bucket and payables)."""
    month = aging["month"].iloc[-1]
    table = aging[aging["month"] == month].pivot_table(
        index="creditor", columns="bucket", values="payables_bn_pkr", sort=False)
    table = table[[b for b in BUCKET_NAMES if b in table.columns]]
    table = table[table.sum(axis=1) > 1e-9]
    with mpl.rc_context(RC):
        fig = new_figure(f"Payables by age, {month}",
                                "Rs billion owed to each creditor class, by days since invoice",
                                footnote_text([scenario], "Event-driven engine."),
                                size=(8.0, 1.8 + 0.45 * len(table)))
        ax = fig.add_subplot()
        left = np.zeros(len(table))
        for j, bucket in enumerate(table.columns):
            ax.barh(table.index, table[bucket], left=left, label=f"{bucket} days",
                    color=PALETTE[j % len(PALETTE)])
            left += table[bucket].to_numpy()
        ax.set_xlabel("Rs billion")
        ax.xaxis.set_major_formatter(FuncFormatter(thousands))
        ax.invert_yaxis()
        ax.legend(frameon=False, ncols=len(table.columns), loc="lower center",
                  bbox_to_anchor=(0.5, 1.0))
    return fig
