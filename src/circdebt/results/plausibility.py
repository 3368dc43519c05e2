"""Results no real sector produces, flagged with the causes that drove them.

A circular-debt stock below zero means the sector's payers hold more cash than it owes
its generators and lenders together: no sector with this disease has been there, so a
negative stock almost always comes from an input far outside the record (an injection
larger than the debt, a loss rate below the allowed one by many points). The run stands
(it is the model's arithmetic), and the warning names the cause lines that took the stock
down, from the fiscal-year table (docs/model.md §16, §18).
"""

from __future__ import annotations

from typing import Any

#: The stock may dip this far below zero from rounding and timing before it is flagged.
NEGATIVE_STOCK_TOLERANCE_BN = 1.0


def warnings(annual: Any) -> list[str]:
    """Plain-text warnings for a run's fiscal-year table (a pandas DataFrame with ``fy``,
    ``cd_stock_bn_pkr`` and the ``flow_<cause>_bn_pkr`` columns). [Rs bn]"""
    stock = annual["cd_stock_bn_pkr"]
    negative = annual[stock < -NEGATIVE_STOCK_TOLERANCE_BN]
    if negative.empty:
        return []
    first = negative.iloc[0]
    flows = {c.removeprefix("flow_").removesuffix("_bn_pkr").replace("_", " "):
             float(annual.loc[:first.name, c].sum())
             for c in annual.columns if c.startswith("flow_")}
    drivers = sorted((v, name) for name, v in flows.items() if v < 0)[:3]
    named = ", ".join(f"{name} {v:,.0f}" for v, name in drivers)
    return [f"the circular-debt stock is negative from {first['fy']} "
            f"({first['cd_stock_bn_pkr']:,.0f} Rs bn; lowest {stock.min():,.0f}): no real "
            f"sector has carried a surplus; the lines that took it down, to {first['fy']}: "
            f"{named} (Rs bn). Check the inputs behind them."]
