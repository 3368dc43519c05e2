"""Event-driven settlement of the payment chain (SimPy): a second engine (issue 8).

The vectorised engine treats a month's cash as one pool. Here the same money moves day
by day, invoice by invoice, in a discrete-event simulation (SimPy; Matloff 2008,
"Introduction to Discrete-Event Simulation and the SimPy Language"):

- generators invoice at the end of each month (energy and other charges by creditor
  class), due ``payment_terms_days`` later;
- DISCOs' collections arrive every day of the month by a collection profile;
- Finance releases the tariff subsidy in tranches on its own calendar;
- CPPA-G makes payment runs on given days, sharing its cash by the allocation rule
  (pro-rata, priority, fuel-first, or a CPEC revolving account), oldest invoice first
  within each creditor;
- late-payment surcharge accrues daily on each invoice once it is ``grace_days`` past
  due, and is invoiced at month end.

What is billed, collected, subsidised and invoiced each month comes from the
vectorised engine's run of the same scenario (one path), so the two engines differ only
in timing: of payments, and therefore of LPS. With a flat collection profile, payment
runs at month end and no grace, the event engine reproduces the monthly engine.

Working units: days (time 0 = the first day of the first month), Rs bn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy

from circdebt.engine.levers import NET_METERING, base_levers
from circdebt.engine.loop import Trajectories, simulate
from circdebt.engine.policies import apply_policies
from circdebt.model import debt, settlement
from circdebt.model.exogenous import build_exogenous
from circdebt.results.tables import RATIOS, Result, annual_table, monthly_table
from circdebt.scenario.schema import Scenario

#: Age buckets of payables, in days since the invoice was issued.
AGE_BUCKETS = ((0, 30, "0-30"), (31, 90, "31-90"), (91, 180, "91-180"),
               (181, 365, "181-365"), (366, np.inf, ">365"))
_EDGES = np.array([31, 91, 181, 366])
BUCKET_NAMES = [b[2] for b in AGE_BUCKETS]

# order of things within a day (fractions of a day)
_ONE_OFFS, _COLLECT, _ACCRUE, _RELEASE, _INVOICE, _PAY, _RECORD = (
    0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)


class _Book:
    """Open invoices as growing arrays (issue order = index order)."""

    def __init__(self, capacity: int):
        self.creditor = np.zeros(capacity, int)
        self.energy = np.zeros(capacity, bool)
        self.issued = np.zeros(capacity)
        self.due = np.zeros(capacity)
        self.lps_from = np.zeros(capacity)
        self.amount = np.zeros(capacity)
        self.remaining = np.zeros(capacity)
        self.claim = np.zeros(capacity)  # left to pay from the revolving account
        self.n = 0

    def add(self, creditor: int, amount: float, issued: float, due: float, lps_from: float,
            energy: bool = False, claim: float = 0.0) -> None:
        if amount == 0:
            return
        if self.n == len(self.amount):
            for name in ("creditor", "energy", "issued", "due", "lps_from", "amount",
                         "remaining", "claim"):
                arr = getattr(self, name)
                setattr(self, name, np.concatenate([arr, np.zeros_like(arr)]))
        i = self.n
        self.creditor[i], self.energy[i], self.issued[i] = creditor, energy, issued
        self.due[i], self.lps_from[i] = due, lps_from
        self.amount[i] = self.remaining[i] = amount
        self.claim[i] = claim
        self.n += 1

    def view(self, name: str) -> np.ndarray:
        return getattr(self, name)[: self.n]

    def pay_fifo(self, mask: np.ndarray, amount: float) -> float:
        """Pay ``amount`` to the invoices in ``mask`` (a boolean over open invoices), oldest
        first; returns what was paid (never more than they owe)."""
        idx = np.flatnonzero(mask)
        if amount <= 0 or idx.size == 0:
            return 0.0
        rem = self.remaining[idx]
        before = np.cumsum(rem) - rem
        paid = np.clip(amount - before, 0.0, rem)
        self.remaining[idx] = rem - paid
        self.claim[idx] = np.minimum(self.claim[idx], self.remaining[idx])
        return float(paid.sum())


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


class PaymentChain:
    """The processes of the payment chain over one deterministic path."""

    def __init__(self, scenario: Scenario, traj: Trajectories):
        s = scenario
        self.s, self.traj = s, traj
        self.tl = tl = traj.timeline
        self.ev = s.settlement.events
        self.creditors = traj.creditor_names
        self.K = len(self.creditors)
        self.days = (tl.hours / 24).astype(int)
        self.month_start = np.concatenate([[0], np.cumsum(self.days)[:-1]])
        self.lv = apply_policies(base_levers(s, tl), s, tl)
        self.kibor = build_exogenous(s.exogenous, tl, 1).kibor[0]
        self.spread, self.accrues = debt.lps_terms(s.debt.lps, self.creditors)
        self.grace = np.array([self.ev.grace_days_by_creditor.get(c, self.ev.grace_days)
                               for c in self.creditors], float)
        self.book = _Book(64 + tl.n_months * self.K * 3)
        self.pool = 0.0
        self.account = 0.0
        self.lps_pending = np.zeros(self.K)
        self.lps_bucket = np.zeros((self.K, len(AGE_BUCKETS)))
        self.subsidy_held = 0.0
        self.deposits = self.paid = 0.0
        plan = settlement.allocation_plan(s.settlement, self.creditors, NET_METERING)
        self.rule, self.priority = plan.rule, plan.priority
        self.revolving_in, self.revolving_share = plan.revolving_in, plan.revolving_share
        self.revolving_col = plan.revolving_col
        self.records: dict[str, np.ndarray] = {
            "payables": np.zeros((tl.n_months, self.K)), "lps": np.zeros((tl.n_months, self.K)),
            "pool": np.zeros(tl.n_months), "account": np.zeros(tl.n_months),
            "aging": np.zeros((tl.n_months, self.K, len(AGE_BUCKETS))),
            "lps_age": np.zeros((tl.n_months, self.K, len(AGE_BUCKETS))),
            "dpo": np.zeros((tl.n_months, self.K))}
        self.releases: list[tuple[float, str, float]] = []
        self._opening_payables()

    # ------------------------------------------------------------------ set-up
    def _opening_payables(self) -> None:
        """Payables at the start, taken as issued evenly over the previous months."""
        months = self.ev.initial_payables_age_months
        for name, amount in self.s.initial.payables_bn_pkr.items():
            k = self.creditors.index(name)
            for j in range(months):
                issued = -30.4 * (months - j) + 30.4 - 1  # month ends before the start
                self.book.add(k, amount / months, issued, issued, issued)

    def _profile(self, m: int) -> np.ndarray:
        days = self.days[m]
        weights = np.array(self.ev.collection_profile[:days], float)
        if weights.size < days:
            fill = weights.mean() if weights.size else 1.0
            weights = np.concatenate([weights, np.full(days - weights.size, fill)])
        total = weights.sum()
        return weights / total if total > 0 else np.full(days, 1.0 / days)

    def _deposit(self, amount: float) -> None:
        self.pool += amount
        self.deposits += amount

    # ------------------------------------------------------------------ processes
    def run(self) -> None:
        env = simpy.Environment()
        env.process(self._months(env))
        env.process(self._daily(env))
        env.run()

    def _wait_until(self, env: simpy.Environment, time: float):
        return env.timeout(max(time - env.now, 0.0))

    def _daily(self, env: simpy.Environment):
        """DISCO collections (and the revolving account's share) and daily LPS accrual."""
        series = self.traj.series
        for m in range(self.tl.n_months):
            disco_cash = float(series["collected_bn_pkr"][0, m]
                               - series["distribution_margin_bn_pkr"][0, m])
            to_account = self.revolving_in * float(series["collected_bn_pkr"][0, m])
            profile = self._profile(m)
            rate = max(self.kibor[m], 0.0)
            for d in range(self.days[m]):
                day = self.month_start[m] + d
                yield self._wait_until(env, day + _COLLECT)
                share = profile[d]
                self._deposit(disco_cash * share - to_account * share)
                self.account += to_account * share
                self.deposits += to_account * share
                yield self._wait_until(env, day + _ACCRUE)
                self._accrue(m, day, rate)

    def _accrue(self, m: int, day: float, kibor: float) -> None:
        b = self.book
        remaining = b.view("remaining")
        overdue = (b.view("lps_from") <= day) & (remaining > 0)
        if not overdue.any():
            return
        k = b.view("creditor")[overdue]
        rate = np.maximum(kibor + self.spread[k], 0.0) / 12 / self.days[m]
        waiver = self.lv.lps_waiver[m]
        waiver = np.asarray(waiver)[k] if np.ndim(waiver) else waiver
        lps = remaining[overdue] * rate * (1 - waiver) * self.accrues[k]
        ages = day - b.view("issued")[overdue]
        bucket = np.searchsorted(_EDGES, ages, side="right")
        np.add.at(self.lps_bucket, (k, bucket), lps)
        np.add.at(self.lps_pending, k, lps)

    def _months(self, env: simpy.Environment):
        """One-offs, subsidy releases, invoices, budget money, payment runs, records."""
        series, by_cred = self.traj.series, self.traj.by_creditor
        every = self.ev.subsidy_release_every_months
        for m in range(self.tl.n_months):
            start, last = self.month_start[m], self.month_start[m] + self.days[m] - 1
            yield self._wait_until(env, start + _ONE_OFFS)
            self._one_offs(by_cred["one_off_bn_pkr"][0, m], start)
            self.subsidy_held += float(series["tds_paid_bn_pkr"][0, m])
            release_day = start + min(self.ev.subsidy_release_day, self.days[m]) - 1
            runs = sorted({start + min(d, self.days[m]) - 1 for d in self.ev.payment_days})
            actions = [(release_day + _RELEASE, "release")] if (m + 1) % every == 0 or \
                m == self.tl.n_months - 1 else []
            actions += [(last + _INVOICE, "invoice")] + [(r + _PAY, "pay") for r in runs]
            actions += [(last + _RECORD, "record")]
            for time, action in sorted(actions):
                yield self._wait_until(env, time)
                if action == "release":
                    self._release(time, m)
                elif action == "invoice":
                    self._invoice(m, last)
                elif action == "pay":
                    self._pay_run(time)
                else:
                    self._record(m, last)

    # ------------------------------------------------------------------ actions
    def _one_offs(self, moves: np.ndarray, day: float) -> None:
        for k, amount in enumerate(moves):
            if amount > 0:
                self.book.add(k, float(amount), day, day, day)
            elif amount < 0:
                mask = (self.book.view("creditor") == k) & (self.book.view("remaining") > 0)
                self.book.pay_fifo(mask, float(-amount))

    def _release(self, time: float, m: int) -> None:
        if self.subsidy_held:
            self.releases.append((time, self.tl.labels[m], self.subsidy_held))
        self._deposit(self.subsidy_held)
        self.subsidy_held = 0.0

    def _invoice(self, m: int, day: float) -> None:
        series, by_cred = self.traj.series, self.traj.by_creditor
        terms = self.ev.payment_terms_days
        for k in range(self.K):
            for energy, name in ((True, "invoice_energy_bn_pkr"), (False, "invoice_other_bn_pkr")):
                amount = float(by_cred[name][0, m, k])
                claim = self.revolving_share * amount if k == self.revolving_col else 0.0
                self.book.add(k, amount, day, day + terms, day + terms + self.grace[k], energy,
                              claim)
            if self.lps_pending[k]:
                self.book.add(k, float(self.lps_pending[k]), day, day, day)
        self.records["lps"][m] = self.lps_pending
        self.lps_pending = np.zeros(self.K)
        # budget money, and what PHL could not use, reach CPPA-G at month end
        other = float(series["cppa_cash_in_bn_pkr"][0, m] - series["collected_bn_pkr"][0, m]
                      + series["distribution_margin_bn_pkr"][0, m]
                      - series["tds_paid_bn_pkr"][0, m])
        self._deposit(other)

    def _pay_run(self, day: float) -> None:
        b = self.book
        open_ = (b.view("remaining") > 0) & (b.view("due") <= day + 1e-9)
        k_of = b.view("creditor")
        if self.revolving_col >= 0 and self.account > 0:
            claims = open_ & (k_of == self.revolving_col) & (b.view("claim") > 0)
            idx = np.flatnonzero(claims)
            if idx.size:
                want = b.claim[idx]
                before = np.cumsum(want) - want
                pay = np.clip(self.account - before, 0.0, want)
                b.remaining[idx] -= pay
                b.claim[idx] -= pay
                self.account -= float(pay.sum())
                self.paid += float(pay.sum())
        remaining = b.view("remaining")
        # (bincount of nothing gives integers: keep these float)
        dues = np.bincount(k_of[open_], weights=remaining[open_],
                           minlength=self.K).astype(float)[None, :]
        energy = np.bincount(k_of[open_ & b.view("energy")],
                             weights=remaining[open_ & b.view("energy")],
                             minlength=self.K).astype(float)[None, :]
        paid, _, _ = settlement.allocate_by_rule(
            "pro_rata" if self.rule == "cpec_revolving" else self.rule, np.array([self.pool]),
            dues, self.priority, energy, energy, np.zeros(1), -1, 0.0)
        for k in range(self.K):
            amount = float(paid[0, k])
            if amount <= 0:
                continue
            mine = open_ & (k_of == k)
            if self.rule == "fuel_first":  # energy invoices of this creditor first
                first = min(amount, float(energy[0, k]))
                done = b.pay_fifo(mine & b.view("energy"), first)
                done += b.pay_fifo(mine & (b.view("remaining") > 0), amount - done)
            else:
                done = b.pay_fifo(mine, amount)
            self.pool -= done
            self.paid += done

    def _record(self, m: int, day: float) -> None:
        b = self.book
        remaining, k_of = b.view("remaining"), b.view("creditor")
        open_ = remaining > 0
        self.records["payables"][m] = np.bincount(k_of[open_], weights=remaining[open_],
                                                  minlength=self.K)
        self.records["pool"][m], self.records["account"][m] = self.pool, self.account
        bucket = np.searchsorted(_EDGES, day - b.view("issued")[open_], side="right")
        aging = np.zeros((self.K, len(AGE_BUCKETS)))
        np.add.at(aging, (k_of[open_], bucket), remaining[open_])
        self.records["aging"][m] = aging
        self.records["lps_age"][m] = self.lps_bucket
        self.lps_bucket = np.zeros_like(self.lps_bucket)
        # days payables outstanding: payables over the average daily invoice of 90 days
        recent = (b.view("issued") > day - 90) & (b.view("issued") <= day)
        daily = np.bincount(k_of[recent], weights=b.view("amount")[recent],
                            minlength=self.K) / 90
        self.records["dpo"][m] = np.divide(self.records["payables"][m], daily,
                                           out=np.full(self.K, np.nan), where=daily > 0)


def run_events(scenario: Scenario) -> EventsResult:
    """Run the event-driven engine on a scenario (one deterministic path)."""
    traj = simulate(scenario, n_paths=1)
    chain = PaymentChain(scenario, traj)
    chain.run()
    return _assemble(scenario, traj, chain)


def _assemble(scenario: Scenario, traj: Trajectories, chain: PaymentChain) -> EventsResult:
    """The monthly contract with the event engine's LPS, payables and stock."""
    from circdebt.api import run_metadata

    rec, tl, creditors = chain.records, traj.timeline, traj.creditor_names
    monthly = monthly_table(traj)
    lps = rec["lps"].sum(axis=1)
    monthly["flow_lps_bn_pkr"] = lps
    for k, c in enumerate(creditors):
        monthly[f"payables_{c}_bn_pkr"] = rec["payables"][:, k]
        monthly[f"lps_{c}_bn_pkr"] = rec["lps"][:, k]
    monthly["payables_bn_pkr"] = rec["payables"].sum(axis=1)
    monthly["cppa_cash_bn_pkr"] = rec["pool"] + rec["account"]
    monthly["revolving_account_bn_pkr"] = rec["account"]
    stock = (monthly["payables_bn_pkr"] + monthly["genco_fuel_payables_bn_pkr"]
             + monthly["phl_debt_bn_pkr"] - monthly["cppa_cash_bn_pkr"])
    opening = (sum(scenario.initial.payables_bn_pkr.values())
               + scenario.initial.genco_fuel_payables_bn_pkr + scenario.initial.phl_debt_bn_pkr)
    monthly["cd_stock_bn_pkr"] = stock
    monthly["cd_flow_bn_pkr"] = np.diff(np.concatenate([[opening], stock.to_numpy()]))
    for name, (num, den, scale, how) in RATIOS.items():
        if how == "last":
            monthly[name] = monthly[num] / monthly[den] * scale
    metadata = run_metadata(scenario, None, 1) | {"engine": "events"}
    result = Result(scenario, traj, metadata)
    result.__dict__["monthly"] = monthly  # fills the cached properties
    result.__dict__["annual"] = annual_table(monthly)

    rows, lps_rows, dpo_rows = [], [], []
    for m, label in enumerate(tl.labels):
        for k, c in enumerate(creditors):
            for j, bucket in enumerate(BUCKET_NAMES):
                rows.append((label, c, bucket, rec["aging"][m, k, j]))
                lps_rows.append((label, c, bucket, rec["lps_age"][m, k, j]))
            dpo_rows.append((label, c, rec["dpo"][m, k]))
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
    table = pd.DataFrame({"payables_bn_pkr": total,
                          "over_90_days_pct": 100 * over90.reindex(total.index).fillna(0) / total,
                          "over_365_days_pct": 100 * over365.reindex(total.index).fillna(0)
                          / total, "days_payables_outstanding": dpo.reindex(total.index)})
    return table[table["payables_bn_pkr"] > 1e-9].reset_index(names="creditor")

