"""Mutation probe: does the test suite notice a one-line change to a rule?

Each mutation below changes one rule of the model (or of how the engine and the analyses
use it) in a copy of ``src/``; the probe runs the whole suite against that copy, with
``-x``, and reports whether some test failed (the mutation is *caught*) or every test
still passed (*survived*: a rule no test guards). Run it from the repository root::

    .venv/bin/python tests/mutation_probe.py              # every mutation, 2 at a time
    .venv/bin/python tests/mutation_probe.py dss window   # mutations whose id contains these

Extra pytest arguments can be given in ``PROBE_PYTEST_ARGS``. It never touches the
working tree: each mutation runs on its own copy of ``src/``, put
first on ``PYTHONPATH``. A mutation whose text is not found exactly once is reported as
``stale`` (the code moved: update the probe). Not collected by pytest.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutation:
    id: str
    what: str
    file: str  # relative to src/circdebt
    edits: tuple[tuple[str, str], ...]  # (text, replacement), each found exactly once


M = Mutation
MUTATIONS: tuple[Mutation, ...] = (
    # the eight the probe of issue 12 found unguarded, in the new layout
    M("elasticity-halved", "the price elasticity the loop applies is halved",
      "engine/loop.py", ((" " * 45 + "classes.price_elasticity)",
                          " " * 45 + "classes.price_elasticity / 2)"),)),
    M("sez-zone-loss-ignored", "the SEZ class ignores its zones' loss multipliers",
      "model/losses.py", (("multiplier[:, sez_column] = sez_multiplier",
                           "multiplier[:, sez_column] = multiplier[:, sez_column]"),)),
    M("subsidy-cap-august", "the fiscal year's subsidy budget resets in August",
      "engine/compile.py", (("fy_start=timeline.fy_starts",
                             "fy_start=timeline.calendar_month == 8"),)),
    M("price-window-13", "the price response averages 13 months, not 12",
      "model/demand.py", (("PRICE_WINDOW_MONTHS = 12", "PRICE_WINDOW_MONTHS = 13"),)),
    M("dss-never-ends", "the DSS goes on after PHL's debt is repaid",
      "model/debt.py", (("return rate * np.where(phl_debt_bn > 0, 1.0, 0.0) if ends_when_repaid "
                         "else rate", "return rate"),)),
    M("events-opening-ages", "opening payables in the events engine are all a month old",
      "engine/events.py", (("months = self.ev.initial_payables_age_months", "months = 1"),)),
    M("mc-peak-min", "the peak KPI takes the minimum",
      "results/kpis.py", (('return m["cd_stock_bn_pkr"].max(axis=1)',
                           'return m["cd_stock_bn_pkr"].min(axis=1)'),)),
    M("mc-zones-expected", "Monte Carlo paths use expected SEZ load instead of drawing zones",
      "analysis/batch.py", (("weights = zone_draws(scenario, rows.seed, paths)",
                             "weights = None"),)),
    # rules of the month
    M("rebasing-window-11", "a rebasing looks back 11 months, not 12",
      "model/tariff.py", (("REBASING_WINDOW_MONTHS = 12", "REBASING_WINDOW_MONTHS = 11"),)),
    M("fca-lag-plus-one", "FCAs are charged a month later than their lag says",
      "model/tariff.py", (("book.schedule_fca(t, fca_lag, ",
                           "book.schedule_fca(t, fca_lag + 1, "),)),
    M("qta-close-shifted", "QTA periods close a month early",
      "model/tariff.py", (("if calendar_month % qta_period == 0:",
                           "if (calendar_month + 1) % qta_period == 0:"),)),
    M("rebalancing-not-renormalised", "a tariff rebalancing between rebasings is not "
      "renormalised", "model/tariff.py",
      (("if t > 0 and multiplier_changed and window:", "if False:"),)),
    # the monthly references, the FCA, the QTA and the PYA (issue 14)
    M("pya-never-booked", "the residual is never recognised as a prior-year adjustment",
      "model/tariff.py", (("self.pya_bn[:, t:end] += ", "self.pya_bn[:, t:end] += 0 * "),)),
    M("pya-ignores-pass-through", "the PYA is booked in full whatever the pass-through",
      "model/tariff.py", (("+= (pass_through * pya)[:, None] * weights",
                           "+= pya[:, None] * weights"),)),
    M("timing-counted-as-residual", "the planned seasonal timing accrues to the PYA",
      "model/tariff.py", (("- base_recovers - timing)", "- base_recovers)"),)),
    M("qta-on-volume", "the QTA compares the bill with what the base recovers (the old rule)",
      "model/tariff.py",
      (("nonfuel_dev = nonfuel_deviation(nonfuel_bn, units_gwh, units_allowed_gwh,\n"
        "                                    refs.nonfuel_allowed_bn[:, m])",
        "nonfuel_dev = revenue_requirement_allowed_bn - "
        "determination.determined_pkr_per_kwh * sales_gwh.sum(axis=1) / 1e3"),)),
    M("fca-on-all-units", "the FCA amount counts every unit purchased, not the allowed ones",
      "model/tariff.py",
      (("allowed_generation = delivered_gwh * _ratio(units_allowed_gwh, units_gwh)",
        "allowed_generation = delivered_gwh"),)),
    M("published-references-ignored", "published fuel references are not used",
      "model/references.py",
      (("fuel = np.where(np.isnan(given), references.fuel_pkr_per_kwh, given)",
        "fuel = references.fuel_pkr_per_kwh"),)),
    M("reference-not-allowed-share", "the non-fuel reference is the whole projected bill",
      "model/references.py", (("nonfuel_bn * allowed_share,", "nonfuel_bn,"),)),
    M("fca-exemption-ignored", "classes exempt from negative FCAs are charged them",
      "model/tariff.py", (("exempt = np.maximum(exempt_all, exempt_negative * (fca < 0))",
                           "exempt = exempt_all"),)),
    M("projection-ignores-transmission-losses", "the projection dispatches without "
      "transmission losses", "engine/projection.py",
      (("x.plants, losses.generation_for_units_gwh(need, x.transmission_loss), fuel_index,",
        "x.plants, need, fuel_index,"),)),
    M("opening-book-ignored", "the opening book is not charged",
      "model/tariff.py", (("        book.fca_bn += fca\n", ""),)),
    M("arrears-never-recovered", "arrears of unpaid bills are never recovered",
      "model/billing.py", (("arrears = receivables_bn * arrears_monthly_rate",
                            "arrears = receivables_bn * 0.0"),)),
    M("recovery-elasticity-sign", "recovery rises with the real tariff",
      "model/billing.py", (("** -recovery_elasticity", "** recovery_elasticity"),)),
    M("refinancing-sign", "a refinancing lowers PHL's debt instead of raising it",
      "model/oneoffs.py", (("phl_change = phl_change - moved.sum(axis=1)",
                            "phl_change = phl_change + moved.sum(axis=1)"),)),
    M("phl-injection-to-cppa", "a budget injection for PHL goes to CPPA-G",
      "model/oneoffs.py", (("injection_phl = injection_phl + event.amount_bn_pkr",
                            "injection_cppa = injection_cppa + event.amount_bn_pkr"),)),
    M("cross-subsidy-on-sez", "an SEZ package's cross-subsidy is charged to SEZ load too",
      "model/sez.py", (("others[sez_column] = False", "others[sez_column] = True"),)),
    M("solar-all-self-consumed", "all rooftop solar, not only new, lowers sales",
      "model/solar.py", (("new_capacity_mw = capacity_mw - initial_capacity_mw",
                          "new_capacity_mw = capacity_mw"),)),
    M("take-and-pay-ignored", "take-and-pay groups are paid on availability",
      "model/supply.py", (("return np.where(take_and_pay, due * dispatched_share, due)",
                           "return due"),)),
    M("dm-share-ignored", "the distribution margin is charged on every class's sales",
      "model/costs.py", (("(sales_gwh * dm_share).sum(axis=-1)", "sales_gwh.sum(axis=-1)"),)),
    M("pre-start-subsidy-extra-month", "the pre-start subsidy due fills one month too many",
      "model/subsidy.py", (("queue[:min(lag, n_months)] += pre_start_due",
                            "queue[:min(lag + 1, n_months)] += pre_start_due"),)),
    # how the loop and compile use the domain functions
    M("captive-speed-tenth", "SEZ load switches to captive ten times slower",
      "engine/compile.py", (("switch_speed_pct_per_month / PERCENT",
                             "switch_speed_pct_per_month / 1000"),)),
    M("subsidy-cap-next-fy", "the subsidy cap of the next fiscal year is applied",
      "engine/compile.py", (("cap_of_fy.get(int(fy), np.nan)",
                             "cap_of_fy.get(int(fy) + 1, np.nan)"),)),
    M("allowed-loss-for-purchases", "units purchased are grossed up at the allowed loss",
      "engine/loop.py",
      (("wanted, losses.class_loss_rates(lv.loss_actual[t], loss_multiplier))",
        "wanted, losses.class_loss_rates(lv.loss_allowed[t], loss_multiplier))"),)),
    M("recovery-ignores-tariffs", "recovery does not respond to the real tariff",
      "engine/loop.py", (("bills.billed_bn, billing.recovery_rates(lv.recovery[t], tariff_ratio,",
                          "bills.billed_bn, billing.recovery_rates(lv.recovery[t], 1.0,"),)),
    M("dss-before-refinancing-skipped", "the DSS runs on PHL's debt after this month's "
      "refinancing", "engine/loop.py",
      (("dss_rate = debt.dss_rate_pkr_per_kwh(lv.dss_pkr_per_kwh[t], s.phl_debt_bn,",
        "dss_rate = debt.dss_rate_pkr_per_kwh(lv.dss_pkr_per_kwh[t], "
        "s.phl_debt_bn * 0.0 + 1.0,"),)),
    M("lps-on-payables-before-one-offs", "LPS accrues on payables before the one-off moves",
      "engine/loop.py", (("lps = debt.late_payment_surcharge(moves.payables_bn,",
                          "lps = debt.late_payment_surcharge(s.payables_bn,"),)),
    M("captive-share-not-carried", "the captive share is not carried to the next month",
      "engine/loop.py", (("        s.captive_share = sez.captive_share_step(",
                          "        _unused = sez.captive_share_step("),)),
    M("sweep-seeds-ignored", "a sweep with paths ignores the seed",
      "analysis/sweep.py", (("seed if paths > 1 else None", "None"),)),
    M("kpi-fy-ignored", "KPIs of one fiscal year always take the last one",
      "results/kpis.py", (("return lambda a, m, months, i: a[column][:, i]",
                           "return lambda a, m, months, i: a[column][:, -1]"),)),
    M("fy-anchor-january", "fiscal-year schedule anchors sit at the FY's first month",
      "timeline.py", (("return fy_first_month(parse_fy(anchor), fy_start_month) + 6",
                       "return fy_first_month(parse_fy(anchor), fy_start_month)"),)),
    # cash and fiscal timing (issue 15)
    M("lag-uses-this-month", "the lagged share of bills falls due from this month's bills",
      "model/billing.py", (("+ next_month_share * previous_billed_bn",
                            "+ next_month_share * billed_bn"),)),
    M("recovery-points-ignored", "the seasonal recovery points are not added",
      "model/billing.py", (("np.clip(rates + points, 0.0, 1.5)", "np.clip(rates, 0.0, 1.5)"),)),
    M("collect-above-owed", "collections may exceed the bills and receivables",
      "model/billing.py", (("np.minimum((due * recovery).sum(axis=-1), np.maximum(owed, 0.0))",
                            "(due * recovery).sum(axis=-1)"),)),
    M("release-ignores-arrears", "a release pays only the month's due, not arrears",
      "model/subsidy.py", (("paid = released_payment(owed, release_bn)",
                            "paid = released_payment(queue[t], release_bn)"),)),
    M("loss-points-ignored", "seasonal loss points are not added",
      "model/losses.py", (("np.clip(np.asarray(annual_loss) + points, 0.0, 0.95)",
                           "np.clip(np.asarray(annual_loss), 0.0, 0.95)"),)),
    M("instalment-whole-principal", "an instalment repays the whole principal at once",
      "model/debt.py", (("due = accrued + (owed - accrued) / instalments_left", "due = owed"),)),
    M("cap-ignored", "the annual repayment cap is ignored",
      "model/debt.py", (("np.inf if np.isnan(fy_cap_bn) else np.maximum(fy_cap_bn - so_far, 0.0)",
                         "np.inf"),)),
    M("account-kept", "the account's surplus after an instalment is kept, not passed on",
      "model/debt.py", (("left, account = account, np.zeros_like(account)", "pass"),)),
    M("interest-only-cppa-free", "CPPA-G does not pay the PHL interest the DSS leaves",
      "model/cash.py", (("+ dss_unused_bn - phl_interest_bn)", "+ dss_unused_bn)"),)),
    M("interest-only-dss-repays", "interest-only PHL lets the DSS repay principal",
      "model/debt.py", (("return PhlMonth(interest, debt_bn - budget_used, budget_used, dss_used,",
                         "return PhlMonth(interest, debt_bn - budget_used - dss_bn + dss_used, "
                         "budget_used, dss_used,"),)),
    # the monthly record and the backtest by month (issue 15)
    M("range-drops-last-month", "a range of months YYYY-MM..YYYY-MM leaves out its last",
      "analysis/backtest.py", (("return [month_label(n) for n in range(first, last + 1)]",
                                "return [month_label(n) for n in range(first, last)]"),)),
    M("months-whole-years", "the monthly backtest also takes whole fiscal years",
      "analysis/backtest.py", (("if span is None or re.fullmatch(r\"FY\\d{4}\", period) or",
                                "if span is None or"),)),
    M("months-all-since-june", "every partial-year flow counts as since June",
      "analysis/backtest.py", (("elif first == fy_first_month(fy, fy_start_month):",
                                "elif True:"),)),
    M("months-stock-first-month", "a month-end stock is taken at the period's first month",
      "analysis/backtest.py", (("values.iloc[-1] if kind == \"stock\"",
                                "values.iloc[0] if kind == \"stock\""),)),
    M("months-ke-not-added", "K-Electric's non-payment is not added to under-recovery",
      "analysis/backtest.py", (("published += float(same[\"value\"].sum())",
                                "published += 0.0"),)),
    M("mape-signed", "the MAPE averages signed percentages",
      "analysis/errors.py", (("float(np.abs(pct).mean()) if len(pct)",
                                "float(pct.mean()) if len(pct)"),)),
    M("bias-absolute", "the bias averages absolute errors",
      "analysis/errors.py", (("float(bn.mean()), float(np.abs(bn).mean()))",
                                "float(np.abs(bn).mean()), float(np.abs(bn).mean()))"),)),
    M("calibrate-ignores-fit-to", "calibration fits every year, --to ignored",
      "analysis/backtest.py", (("and (fit_to is None or fy <= fit_to)", "and True"),)),
)


#: The control: no change at all. The suite must pass on it, or the probe means nothing.
CONTROL = Mutation("control", "no change", "version.py", ())


def _apply(mutation: Mutation, src: Path) -> str | None:
    """Apply a mutation to a copy of the package; the reason if it cannot be applied."""
    path = src / "circdebt" / mutation.file
    if not path.is_file():
        return f"no file {mutation.file}"
    text = path.read_text("utf-8")
    for old, new in mutation.edits:
        if text.count(old) != 1:
            return f"{old[:50]!r} found {text.count(old)} times in {mutation.file}"
        text = text.replace(old, new)
    path.write_text(text, "utf-8")
    return None


def _default_signals() -> None:
    """A probe started in the background inherits SIGINT ignored; the suite's own
    signal tests need the default."""
    signal.signal(signal.SIGINT, signal.default_int_handler)


def probe(mutation: Mutation, timeout: float = 1800) -> tuple[str, str, float]:
    """(status, detail, seconds): status is caught, survived, stale or timeout."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"mut-{mutation.id}-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__"))
        problem = _apply(mutation, src)
        if problem is not None:
            return "stale", problem, 0.0
        env = os.environ | {"PYTHONPATH": str(src), "CI": "true",
                            "PYTHONDONTWRITEBYTECODE": "1"}
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               "-p", "no:randomly", "--no-header",
               *shlex.split(os.environ.get("PROBE_PYTEST_ARGS", ""))]
        try:
            done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL,
                                  preexec_fn=_default_signals)
        except subprocess.TimeoutExpired:
            return "timeout", "", time.monotonic() - started
        seconds = time.monotonic() - started
        if done.returncode == 0:
            return "survived", "", seconds
        failed = [line.split(" ")[1] for line in done.stdout.splitlines()
                  if line.startswith("FAILED ") or line.startswith("ERROR ")]
        return "caught", failed[0] if failed else f"exit {done.returncode}", seconds


def main(filters: list[str]) -> int:
    status, detail, _ = probe(CONTROL)
    if status != "survived":
        print(f"control run failed ({status}: {detail}): fix the suite first")
        return 2
    chosen = [m for m in MUTATIONS if not filters or any(f in m.id for f in filters)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(probe, chosen))
    width = max(len(m.id) for m in chosen)
    for m, (status, detail, seconds) in zip(chosen, outcomes, strict=True):
        print(f"{m.id:<{width}}  {status:<8}  {seconds:5.0f}s  {detail}")
    caught = sum(o[0] == "caught" for o in outcomes)
    print(f"{caught} of {len(chosen)} mutations caught")
    return 0 if caught == len(chosen) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
