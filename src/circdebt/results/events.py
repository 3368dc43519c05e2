"""The event-driven engine's results: the monthly contract with its payables, LPS and
stock, and what only it can tell (payables by age, LPS by age, days payables
outstanding, subsidy releases)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from circdebt.engine.events import BUCKET_NAMES, PaymentChain
from circdebt.engine.record import Trajectories
from circdebt.results.result import Result
from circdebt.results.tables import RATIOS, monthly_table
from circdebt.scenario.schema import Scenario


@dataclass
class EventsResult:
    """The event engine's run: the monthly/annual contract plus what only it can tell."""

    result: Result  # monthly and annual tables, with LPS, payables and stock from events
    aging: pd.DataFrame  # month, creditor, bucket, payables_bn_pkr
    lps_by_age: pd.DataFrame  # month, creditor, bucket, lps_bn_pkr
    dpo: pd.DataFrame  # month, creditor, days_payables_outstanding
    releases: pd.DataFrame  # day, date, subsidy_released_bn_pkr
    deposits_bn_pkr: float
    paid_bn_pkr: float

    @property
    def monthly(self) -> pd.DataFrame:
        return self.result.monthly

    @property
    def annual(self) -> pd.DataFrame:
        return self.result.annual


def events_result(scenario: Scenario, traj: Trajectories, chain: PaymentChain,
                  metadata: dict[str, Any]) -> EventsResult:
    """The monthly and annual tables with the event engine's LPS, payables and stock, and
    the tables only it can give (aging, LPS by age, DPO, subsidy releases)."""
    rec, tl, creditors = chain.records, traj.timeline, traj.creditor_names
    monthly = monthly_table(traj)
    lps = rec.lps.sum(axis=1)
    monthly["flow_lps_bn_pkr"] = lps
    for k, c in enumerate(creditors):
        monthly[f"payables_{c}_bn_pkr"] = rec.payables[:, k]
        monthly[f"lps_{c}_bn_pkr"] = rec.lps[:, k]
    monthly["payables_bn_pkr"] = rec.payables.sum(axis=1)
    monthly["cppa_cash_bn_pkr"] = rec.pool + rec.account
    monthly["revolving_account_bn_pkr"] = rec.account
    stock = (monthly["payables_bn_pkr"] + monthly["genco_fuel_payables_bn_pkr"]
             + monthly["phl_debt_bn_pkr"] - monthly["cppa_cash_bn_pkr"])
    opening = (sum(scenario.initial.payables_bn_pkr.values())
               + scenario.initial.genco_fuel_payables_bn_pkr + scenario.initial.phl_debt_bn_pkr)
    monthly["cd_stock_bn_pkr"] = stock
    monthly["cd_flow_bn_pkr"] = np.diff(np.concatenate([[opening], stock.to_numpy()]))
    for name, (num, den, scale, how) in RATIOS.items():
        if how == "last":
            monthly[name] = monthly[num] / monthly[den] * scale
    result = Result(scenario, traj, metadata | {"engine": "events"}, monthly_override=monthly)

    rows, lps_rows, dpo_rows = [], [], []
    for m, label in enumerate(tl.labels):
        for k, c in enumerate(creditors):
            for j, bucket in enumerate(BUCKET_NAMES):
                rows.append((label, c, bucket, rec.aging[m, k, j]))
                lps_rows.append((label, c, bucket, rec.lps_age[m, k, j]))
            dpo_rows.append((label, c, rec.dpo[m, k]))
    releases = pd.DataFrame(
        [(t, label, amount) for t, label, amount in chain.releases],
        columns=["day", "month", "subsidy_released_bn_pkr"])
    return EventsResult(
        result=result,
        aging=pd.DataFrame(rows, columns=["month", "creditor", "bucket", "payables_bn_pkr"]),
        lps_by_age=pd.DataFrame(lps_rows, columns=["month", "creditor", "bucket", "lps_bn_pkr"]),
        dpo=pd.DataFrame(dpo_rows, columns=["month", "creditor", "days_payables_outstanding"]),
        releases=releases, deposits_bn_pkr=chain.deposits, paid_bn_pkr=chain.paid)


def overdue_by_creditor(events: EventsResult, month: str | None = None) -> pd.DataFrame:
    """Share of each creditor's payables older than 90 and 365 days in a month (default
    the last), with days payables outstanding: how overdue CPEC IPPs are against others."""
    month = month or events.aging["month"].iloc[-1]
    a = events.aging[events.aging["month"] == month]
    total = a.groupby("creditor", sort=False)["payables_bn_pkr"].sum()
    over90 = a[a["bucket"].isin(["91-180", "181-365", ">365"])].groupby(
        "creditor", sort=False)["payables_bn_pkr"].sum()
    over365 = a[a["bucket"] == ">365"].groupby("creditor", sort=False)["payables_bn_pkr"].sum()
    dpo = events.dpo[events.dpo["month"] == month].set_index("creditor")[
        "days_payables_outstanding"]
    def share_pct(part: pd.Series) -> pd.Series:  # (clipped: sums of buckets round apart)
        return (100 * part.reindex(total.index).fillna(0) / total).clip(0.0, 100.0)

    table = pd.DataFrame({"payables_bn_pkr": total, "over_90_days_pct": share_pct(over90),
                          "over_365_days_pct": share_pct(over365),
                          "days_payables_outstanding": dpo.reindex(total.index)})
    return table[table["payables_bn_pkr"] > 1e-9].reset_index(names="creditor")

