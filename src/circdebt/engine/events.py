"""Event-driven settlement of the payment chain (SimPy): the second engine (docs/events.md).

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

CPPA-G's cash and the ring-fenced revolving account are SimPy ``Container`` levels; the
order of things within a day is a SimPy event priority (:class:`Stage`). What is billed,
collected, subsidised and invoiced each month comes from the vectorised engine's run of
the same compiled inputs (one path), so the two engines differ only in timing: of
payments, and therefore of LPS. With a flat collection profile, payment runs at month
end and no grace, the event engine reproduces the monthly engine.

Working units: days (time 0 = the first day of the first month), Rs bn.
"""

from __future__ import annotations

import enum
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy
from simpy.events import Event

from circdebt.engine.compile import Inputs
from circdebt.engine.record import Trajectories
from circdebt.model.cash import AllocationRule, allocate_by_rule

#: Age buckets of payables, in days since the invoice was issued.
AGE_BUCKETS = ((0, 30, "0-30"), (31, 90, "31-90"), (91, 180, "91-180"),
               (181, 365, "181-365"), (366, np.inf, ">365"))
AGE_EDGES = np.array([31, 91, 181, 366])
BUCKET_NAMES = [b[2] for b in AGE_BUCKETS]
#: Days in an average month, for dating opening payables.
DAYS_PER_MONTH = 30.4


class Stage(enum.IntEnum):
    """The order of things within a day: SimPy processes events of one time by priority.

    (SimPy itself uses 0 and 1, for process starts and ordinary events; ours follow.)
    """

    ONE_OFFS = 10
    COLLECT = 11
    ACCRUE = 12
    RELEASE = 13
    INVOICE = 14
    PAY = 15
    RECORD = 16


class At(simpy.Timeout):
    """A timeout to day ``time`` at ``stage`` of that day (a SimPy ``Timeout`` scheduled
    with the stage as its priority, as ``Environment.schedule`` allows)."""

    def __init__(self, env: simpy.Environment, time: float, stage: Stage):
        delay = max(time - env.now, 0.0)
        # as simpy.Timeout.__init__, with the stage as the event's priority
        self.env = env
        self.callbacks: list[Any] = []
        self._value = None
        self._delay = delay
        self._ok = True
        env.schedule(self, int(stage), delay)  # type: ignore[arg-type]  # any int orders


class CashPool:
    """CPPA-G's cash: a SimPy ``Container`` level, and an overdraft where outflows (the
    distribution margin on a month of small collections) exceed it. Balance = level -
    overdraft; deposits repay the overdraft first."""

    def __init__(self, env: simpy.Environment):
        self.level = simpy.Container(env, capacity=float("inf"), init=0.0)
        self.overdraft = 0.0

    @property
    def balance(self) -> float:
        return float(self.level.level) - self.overdraft

    def deposit(self, amount: float) -> None:
        if amount > 0:
            repay = min(amount, self.overdraft)
            self.overdraft -= repay
            if amount - repay > 0:
                self.level.put(amount - repay)
        elif amount < 0:
            take = min(-amount, float(self.level.level))
            if take > 0:
                self.level.get(take)
            self.overdraft += -amount - take

    def pay(self, amount: float) -> None:
        """Pay out ``amount`` (never more than the level)."""
        take = min(amount, float(self.level.level))
        if take > 0:
            self.level.get(take)


class InvoiceBook:
    """Open invoices as growing arrays (issue order = index order)."""

    FIELDS = ("creditor", "energy", "issued", "due", "lps_from", "amount", "remaining",
              "claim")

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
            for name in self.FIELDS:
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
class ChainRecords:
    """What the payment chain records at each month end (creditors k, age buckets b)."""

    payables: np.ndarray  # (T, k) [Rs bn]
    lps: np.ndarray  # (T, k) [Rs bn]
    pool: np.ndarray  # (T,) CPPA-G's cash [Rs bn]
    account: np.ndarray  # (T,) the revolving account [Rs bn]
    aging: np.ndarray  # (T, k, b) payables by age [Rs bn]
    lps_age: np.ndarray  # (T, k, b) LPS accrued by age of the invoice [Rs bn]
    dpo: np.ndarray  # (T, k) days payables outstanding [days]

    @classmethod
    def empty(cls, months: int, creditors: int) -> ChainRecords:
        b = len(AGE_BUCKETS)
        return cls(np.zeros((months, creditors)), np.zeros((months, creditors)),
                   np.zeros(months), np.zeros(months), np.zeros((months, creditors, b)),
                   np.zeros((months, creditors, b)), np.zeros((months, creditors)))


def collection_profile(weights: np.ndarray, days: int) -> np.ndarray:
    """Shares of a month's collections arriving on each of its ``days`` days: the given
    day weights (missing days at their mean), normalised; flat if none. [1], (days,)."""
    w = np.asarray(weights[:days], float)
    if w.size < days:
        fill = w.mean() if w.size else 1.0
        w = np.concatenate([w, np.full(days - w.size, fill)])
    total = w.sum()
    return w / total if total > 0 else np.full(days, 1.0 / days)


class PaymentChain:
    """The processes of the payment chain over one deterministic path (path 0)."""

    def __init__(self, inputs: Inputs, traj: Trajectories):
        self.x, self.traj = inputs, traj
        self.tl = tl = inputs.timeline
        self.ev = inputs.events
        self.K = inputs.creditors.n
        self.days = (tl.hours / 24).astype(int)
        self.month_start = np.concatenate([[0], np.cumsum(self.days)[:-1]])
        self.kibor = inputs.exo.kibor[0]
        self.spread = np.asarray(inputs.creditors.lps_spread)
        self.accrues = inputs.creditors.lps_accrues
        plan = inputs.allocation
        self.rule, self.priority = plan.rule, plan.priority
        self.revolving_in, self.revolving_share = plan.revolving_in, plan.revolving_share
        self.revolving_col = plan.revolving_col
        self.env = simpy.Environment()
        self.pool = CashPool(self.env)
        self.account = simpy.Container(self.env, capacity=float("inf"), init=0.0)
        self.book = InvoiceBook(64 + tl.n_months * self.K * 3)
        self.lps_pending = np.zeros(self.K)
        self.lps_bucket = np.zeros((self.K, len(AGE_BUCKETS)))
        self.subsidy_held = 0.0
        self.deposits = self.paid = 0.0
        self.records = ChainRecords.empty(tl.n_months, self.K)
        self.releases: list[tuple[float, str, float]] = []
        self._opening_payables()

    # ------------------------------------------------------------------ set-up
    def _opening_payables(self) -> None:
        """Payables at the start, taken as issued evenly over the previous months."""
        months = self.ev.initial_payables_age_months
        for k, amount in enumerate(self.x.initial.payables_bn[0]):
            if amount == 0:
                continue
            for j in range(months):
                # the ends of the months before the start
                issued = -DAYS_PER_MONTH * (months - j) + DAYS_PER_MONTH - 1
                self.book.add(k, float(amount) / months, issued, issued, issued)

    def _deposit(self, amount: float) -> None:
        self.pool.deposit(amount)
        self.deposits += amount

    def _to_account(self, amount: float) -> None:
        if amount > 0:
            self.account.put(amount)
        self.deposits += amount

    # ------------------------------------------------------------------ processes
    def run(self) -> None:
        self.env.process(self._months())
        self.env.process(self._daily())
        self.env.run()

    def _daily(self) -> Generator[Event, None, None]:
        """DISCO collections (and the revolving account's share) and daily LPS accrual."""
        series = self.traj.series
        for m in range(self.tl.n_months):
            collected = float(series["collected_bn_pkr"][0, m])
            disco_cash = float(series["collected_bn_pkr"][0, m]
                               - series["distribution_margin_bn_pkr"][0, m])
            to_account = self.revolving_in * collected
            profile = collection_profile(self.ev.collection_profile, int(self.days[m]))
            rate = max(self.kibor[m], 0.0)
            for d in range(self.days[m]):
                day = float(self.month_start[m] + d)
                yield At(self.env, day, Stage.COLLECT)
                share = profile[d]
                self._deposit(disco_cash * share - to_account * share)
                self._to_account(to_account * share)
                yield At(self.env, day, Stage.ACCRUE)
                self._accrue(m, day, rate)

    def _accrue(self, m: int, day: float, kibor: float) -> None:
        b = self.book
        remaining = b.view("remaining")
        overdue = (b.view("lps_from") <= day) & (remaining > 0)
        if not overdue.any():
            return
        k = b.view("creditor")[overdue]
        spread = self.spread[0] if self.spread.ndim == 2 else self.spread
        rate = np.maximum(kibor + spread[k], 0.0) / 12 / self.days[m]
        waiver = self.x.levers.lps_waiver[m]
        waiver = np.asarray(waiver)[k] if np.ndim(waiver) else waiver
        lps = remaining[overdue] * rate * (1 - waiver) * self.accrues[k]
        ages = day - b.view("issued")[overdue]
        bucket = np.searchsorted(AGE_EDGES, ages, side="right")
        np.add.at(self.lps_bucket, (k, bucket), lps)
        np.add.at(self.lps_pending, k, lps)

    def _months(self) -> Generator[Event, None, None]:
        """One-offs, subsidy releases, invoices, budget money, payment runs, records."""
        series, by_cred = self.traj.series, self.traj.by_creditor
        every = self.ev.subsidy_release_every_months
        for m in range(self.tl.n_months):
            days = int(self.days[m])
            start, last = float(self.month_start[m]), float(self.month_start[m] + days - 1)
            yield At(self.env, start, Stage.ONE_OFFS)
            self._one_offs(by_cred["one_off_bn_pkr"][0, m], start)
            self.subsidy_held += float(series["tds_paid_bn_pkr"][0, m])
            release_day = start + min(self.ev.subsidy_release_day, days) - 1
            runs = sorted({start + min(d, days) - 1 for d in self.ev.payment_days})
            actions = [(release_day, Stage.RELEASE)] if (m + 1) % every == 0 or \
                m == self.tl.n_months - 1 else []
            actions += [(last, Stage.INVOICE)] + [(r, Stage.PAY) for r in runs]
            actions += [(last, Stage.RECORD)]
            for day, stage in sorted(actions):
                yield At(self.env, day, stage)
                if stage is Stage.RELEASE:
                    self._release(day, m)
                elif stage is Stage.INVOICE:
                    self._invoice(m, last)
                elif stage is Stage.PAY:
                    self._pay_run(day)
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

    def _release(self, day: float, m: int) -> None:
        if self.subsidy_held:
            self.releases.append((day, self.tl.labels[m], self.subsidy_held))
        self._deposit(self.subsidy_held)
        self.subsidy_held = 0.0

    def _invoice(self, m: int, day: float) -> None:
        series, by_cred = self.traj.series, self.traj.by_creditor
        terms = self.ev.payment_terms_days
        for k in range(self.K):
            for energy, name in ((True, "invoice_energy_bn_pkr"), (False, "invoice_other_bn_pkr")):
                amount = float(by_cred[name][0, m, k])
                claim = self.revolving_share * amount if k == self.revolving_col else 0.0
                self.book.add(k, amount, day, day + terms, day + terms + self.ev.grace_days[k],
                              energy, claim)
            if self.lps_pending[k]:
                self.book.add(k, float(self.lps_pending[k]), day, day, day)
        self.records.lps[m] = self.lps_pending
        self.lps_pending = np.zeros(self.K)
        # budget money, and what PHL could not use, reach CPPA-G at month end
        other = float(series["cppa_cash_in_bn_pkr"][0, m] - series["collected_bn_pkr"][0, m]
                      + series["distribution_margin_bn_pkr"][0, m]
                      - series["tds_paid_bn_pkr"][0, m])
        self._deposit(other)

    def _pay_from_account(self, open_: np.ndarray) -> None:
        """The revolving account pays its share of the revolving creditor's invoices."""
        b, level = self.book, float(self.account.level)
        claims = open_ & (b.view("creditor") == self.revolving_col) & (b.view("claim") > 0)
        idx = np.flatnonzero(claims)
        if not idx.size:
            return
        want = b.claim[idx]
        before = np.cumsum(want) - want
        pay = np.clip(level - before, 0.0, want)
        b.remaining[idx] -= pay
        b.claim[idx] -= pay
        total = float(pay.sum())
        if total > 0:
            self.account.get(min(total, float(self.account.level)))
        self.paid += total

    def _pay_run(self, day: float) -> None:
        b = self.book
        open_ = (b.view("remaining") > 0) & (b.view("due") <= day + 1e-9)
        k_of = b.view("creditor")
        if self.revolving_col >= 0 and self.account.level > 0:
            self._pay_from_account(open_)
        remaining = b.view("remaining")
        # (bincount of nothing gives integers: keep these float)
        dues = np.bincount(k_of[open_], weights=remaining[open_],
                           minlength=self.K).astype(float)[None, :]
        energy = np.bincount(k_of[open_ & b.view("energy")],
                             weights=remaining[open_ & b.view("energy")],
                             minlength=self.K).astype(float)[None, :]
        rule = AllocationRule.PRO_RATA if self.rule is AllocationRule.CPEC_REVOLVING \
            else self.rule
        paid, _, _ = allocate_by_rule(rule, np.array([self.pool.balance]), dues, self.priority,
                                      energy, energy, np.zeros(1), -1, 0.0)
        for k in range(self.K):
            amount = float(paid[0, k])
            if amount <= 0:
                continue
            mine = open_ & (k_of == k)
            if self.rule is AllocationRule.FUEL_FIRST:  # energy invoices of this creditor first
                first = min(amount, float(energy[0, k]))
                done = b.pay_fifo(mine & b.view("energy"), first)
                done += b.pay_fifo(mine & (b.view("remaining") > 0), amount - done)
            else:
                done = b.pay_fifo(mine, amount)
            self.pool.pay(done)
            self.paid += done

    def _record(self, m: int, day: float) -> None:
        b, r = self.book, self.records
        remaining, k_of = b.view("remaining"), b.view("creditor")
        open_ = remaining > 0
        r.payables[m] = np.bincount(k_of[open_], weights=remaining[open_], minlength=self.K)
        r.pool[m], r.account[m] = self.pool.balance, float(self.account.level)
        bucket = np.searchsorted(AGE_EDGES, day - b.view("issued")[open_], side="right")
        aging = np.zeros((self.K, len(AGE_BUCKETS)))
        np.add.at(aging, (k_of[open_], bucket), remaining[open_])
        r.aging[m] = aging
        r.lps_age[m] = self.lps_bucket
        self.lps_bucket = np.zeros_like(self.lps_bucket)
        # days payables outstanding: payables over the average daily invoice of 90 days
        recent = (b.view("issued") > day - 90) & (b.view("issued") <= day)
        daily = np.bincount(k_of[recent], weights=b.view("amount")[recent],
                            minlength=self.K) / 90
        r.dpo[m] = np.divide(r.payables[m], daily, out=np.full(self.K, np.nan), where=daily > 0)
