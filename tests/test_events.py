"""The event-driven settlement engine (SimPy)."""

from pathlib import Path

import numpy as np
import pytest
from factories import small

import circdebt
from circdebt.api import run_events
from circdebt.engine import compile_inputs, simulate
from circdebt.engine.events import BUCKET_NAMES, InvoiceBook, PaymentChain
from circdebt.model.causes import CAUSES
from circdebt.results.events import overdue_by_creditor

SCENARIOS = sorted(Path(__file__).resolve().parents[1].glob("scenarios/*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_reconciles_with_the_monthly_engine_on_every_scenario(path):
    s = circdebt.load_scenario(path)
    events = run_events(s).monthly["cd_stock_bn_pkr"].to_numpy()
    monthly = circdebt.run(s).monthly["cd_stock_bn_pkr"].to_numpy()
    np.testing.assert_allclose(events, monthly, rtol=1e-3)


def _timed(**events):
    return small(settlement={"events": events})


def test_money_is_conserved_and_nothing_is_paid_twice():
    s = _timed(payment_days=[10, 20, 31], grace_days=15, collection_profile=[3, 1, 1, 1])
    inputs = compile_inputs(s)
    chain = PaymentChain(inputs, simulate(inputs))
    chain.run()
    b = chain.book
    assert chain.deposits == pytest.approx(chain.paid + chain.pool.balance + chain.account.level,
                                           rel=1e-12)
    assert (b.view("remaining") >= -1e-12).all()
    assert (b.view("remaining") <= b.view("amount") + 1e-12).all()


def test_aging_buckets_sum_to_payables_and_identity_closes():
    e = run_events(_timed(payment_days=[15, 31], grace_days=30))
    aging = e.aging.groupby("month", sort=False)["payables_bn_pkr"].sum().to_numpy()
    np.testing.assert_allclose(aging, e.monthly["payables_bn_pkr"], rtol=1e-12)
    assert set(e.aging["bucket"]) == set(BUCKET_NAMES)
    m = e.monthly
    causes = sum(m[f"flow_{c}_bn_pkr"] for c in CAUSES)
    np.testing.assert_allclose(m["cd_flow_bn_pkr"], causes, atol=1e-8)
    lps = e.lps_by_age.groupby("month", sort=False)["lps_bn_pkr"].sum().to_numpy()
    np.testing.assert_allclose(lps, m["flow_lps_bn_pkr"], rtol=1e-9)


def test_grace_and_earlier_payment_runs_lower_the_surcharge():
    base = run_events(_timed()).monthly["flow_lps_bn_pkr"].sum()
    grace = run_events(_timed(grace_days=60)).monthly["flow_lps_bn_pkr"].sum()
    early = run_events(_timed(payment_days=[1, 10, 20, 31])).monthly["flow_lps_bn_pkr"].sum()
    assert grace < base and early < base


def test_subsidy_released_in_quarterly_tranches():
    e = run_events(_timed(subsidy_release_every_months=3, subsidy_release_day=20))
    months = list(e.releases["month"])
    assert months[:3] == ["2025-09", "2025-12", "2026-03"]
    total = circdebt.run(_timed()).monthly["tds_paid_bn_pkr"].sum()
    assert e.releases["subsidy_released_bn_pkr"].sum() == pytest.approx(total)


def test_fifo_within_a_creditor_and_priority_order_between_them():
    book = InvoiceBook(4)
    book.add(0, 10.0, 0, 0, 0)
    book.add(0, 10.0, 5, 5, 5)
    assert book.pay_fifo(book.view("creditor") == 0, 15.0) == 15.0
    np.testing.assert_allclose(book.view("remaining"), [0.0, 5.0])
    prio = small(settlement={"allocation": "priority", "priority": ["genco"]})
    e = run_events(prio)
    genco = e.monthly["payables_genco_bn_pkr"]
    assert (genco.iloc[3:] < 1e-6).all()  # the priority creditor is paid in full first


def test_deterministic():
    s = _timed(payment_days=[15, 31], collection_profile=[2, 1])
    a, b = run_events(s), run_events(s)
    assert a.monthly.equals(b.monthly) and a.aging.equals(b.aging)


def test_overdue_table_compares_creditors():
    table = overdue_by_creditor(run_events(small()))
    assert {"cpec_ipp", "ipp"} <= set(table["creditor"])
    assert ((table["over_90_days_pct"] >= 0) & (table["over_90_days_pct"] <= 100)).all()


def test_a_payment_run_with_nothing_due_pays_nothing():
    # payment terms longer than the month: the first runs find no invoice due
    e = run_events(_timed(payment_days=[5, 31], payment_terms_days=45, grace_days=10))
    assert np.isfinite(e.monthly["cd_stock_bn_pkr"]).all()
    assert e.paid_bn_pkr > 0
