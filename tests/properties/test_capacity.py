"""Rules of the capacity price that hold for every input (docs/model.md §7).

- In the start month (every index at 1, full outstanding principal, no renegotiation)
  a take-or-pay group is paid its capacity x the sum of its start-month component prices,
  whatever they are: the components are a split of the price, not a change of it.
- Each index raises the parts it drives and leaves the others alone (exchange rate,
  US CPI, PK CPI, SOFR, KIBOR).
- The outstanding principal share lies in [0, 1], starts at 1 and never rises.
- A hybrid contract is paid between what take-and-pay and take-or-pay would pay.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from circdebt.model import supply
from circdebt.model.supply import COMPONENTS, PARTS

G = 3
SETTINGS = settings(max_examples=60, deadline=None)
prices = arrays(float, (G,), elements=st.floats(0.0, 50.0))
rupee_prices = arrays(float, (G,), elements=st.floats(0.0, 5000.0))
#: The index (and the month-rates field that carries it) driving each component.
DRIVES = {
    "fx_pkr_per_usd": {"roe", "foreign_debt_principal", "foreign_debt_interest", "foreign_om",
                       "insurance"},
    "us_cpi_index": {"foreign_om"},
    "pk_cpi_index": {"local_om"},
    "sofr": {"foreign_debt_interest"},
    "kibor": {"local_debt_interest"},
}


def _plants(values: dict[str, np.ndarray], shares: np.ndarray | None = None):
    zeros = np.zeros(G)
    return supply.PlantArrays(
        names=[f"g{i}" for i in range(G)], creditor=["a"] * G, fuel=[None] * G,
        capacity_mw=np.array([100.0, 500.0, 1000.0]), availability=np.ones(G),
        must_run=np.zeros(G, bool), capacity_factor_by_month=np.ones((12, G)),
        cpp_usd=zeros, cpp_usd_debt_share=zeros, cpp_pkr=zeros, cpp_pkr_debt_share=zeros,
        local_debt_spread=np.full(G, 0.03), foreign_debt_spread=np.full(G, 0.045),
        paid_on_availability=np.ones((G, len(PARTS))) if shares is None else shares,
        fuel_cost_pkr_per_kwh=zeros, vom_pkr_per_kwh=zeros, **values)


def _values(draw_usd, draw_pkr) -> dict[str, np.ndarray]:
    return {"roe_usd": draw_usd[0], "foreign_debt_principal_usd": draw_usd[1],
            "foreign_debt_interest_usd": draw_usd[2], "foreign_om_usd": draw_usd[3],
            "insurance_usd": draw_usd[4], "local_debt_principal_pkr": draw_pkr[0],
            "local_debt_interest_pkr": draw_pkr[1], "local_om_pkr": draw_pkr[2],
            "local_roe_pkr": draw_pkr[3]}


components = st.tuples(st.lists(prices, min_size=5, max_size=5),
                       st.lists(rupee_prices, min_size=4, max_size=4))


def _rates(**changes: float) -> supply.MonthRates:
    values = {"fx_pkr_per_usd": 280.0, "us_cpi_index": 1.0, "pk_cpi_index": 1.0,
              "kibor": 0.11, "kibor_at_start": 0.11, "sofr": 0.043, "sofr_at_start": 0.043}
    values.update(changes)
    return supply.MonthRates(**{k: np.array([v]) for k, v in values.items()})


def _terms(outstanding: float = 1.0, take_and_pay: bool = False) -> supply.ContractTerms:
    one = np.ones(G)
    return supply.ContractTerms(np.zeros(G), one, one, one, one, np.ones(G, bool),
                                np.full(G, take_and_pay), one, np.full(G, outstanding))


def _dispatch(share: float) -> supply.Dispatch:
    available = np.full((1, G), 100.0)
    return supply.Dispatch(available, np.zeros((1, G)), available * share, np.zeros(1))


@SETTINGS
@given(components=components, fx=st.floats(50.0, 500.0))
def test_start_month_pays_the_sum_of_the_components(components, fx):
    values = _values(*components)
    plants = _plants(values)
    due = supply.payments_due(plants, _dispatch(0.3), _rates(fx_pkr_per_usd=fx), _terms())
    usd = sum(values[k] for k in values if k.endswith("_usd"))
    pkr = sum(values[k] for k in values if k.endswith("_pkr"))
    expected = plants.capacity_mw * 1e3 * (usd * fx + pkr) / 1e9
    np.testing.assert_allclose(due.capacity_bn[0], expected, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(components=components, index=st.sampled_from(sorted(DRIVES)),
       rise=st.floats(0.01, 2.0), outstanding=st.floats(0.05, 1.0))
def test_each_index_moves_only_the_parts_it_drives(components, index, rise, outstanding):
    plants = _plants(_values(*components))
    base = _rates()
    moved = _rates(**{index: float(getattr(base, index)[0]) * (1.0 + rise)})
    before = supply.month_prices_pkr_per_kw_month(plants, base, _terms(outstanding))[0]
    after = supply.month_prices_pkr_per_kw_month(plants, moved, _terms(outstanding))[0]
    for k, part in enumerate(PARTS):
        if part in DRIVES[index]:
            assert np.all(after[:, k] >= before[:, k])
            positive = before[:, k] > 1e-9
            assert np.all(after[positive, k] > before[positive, k]), part
        else:
            np.testing.assert_array_equal(after[:, k], before[:, k], err_msg=part)


@SETTINGS
@given(maturity=st.integers(-24, 400), horizon=st.integers(1, 500))
def test_outstanding_share_starts_at_one_and_never_rises(maturity, horizon):
    share = supply.outstanding_principal_share(np.arange(horizon), maturity)
    assert np.all((share >= 0.0) & (share <= 1.0))
    assert np.all(np.diff(share) <= 0.0)
    assert share[0] == (1.0 if maturity > 0 else 0.0)
    if maturity < horizon:
        assert np.all(share[max(maturity, 0):] == 0.0)


@SETTINGS
@given(components=components, share=st.floats(0.0, 1.0),
       on_availability=arrays(float, (G, len(PARTS)), elements=st.floats(0.0, 1.0)))
def test_hybrid_is_paid_between_take_and_pay_and_take_or_pay(components, share,
                                                             on_availability):
    values = _values(*components)
    rates, dispatch = _rates(fx_pkr_per_usd=300.0), _dispatch(share)
    hybrid = supply.payments_due(_plants(values, on_availability), dispatch, rates, _terms())
    top = supply.payments_due(_plants(values), dispatch, rates, _terms())
    tap = supply.payments_due(_plants(values), dispatch, rates, _terms(take_and_pay=True))
    tol = 1e-9 * (1.0 + top.capacity_bn)
    assert np.all(tap.capacity_bn <= hybrid.capacity_bn + tol)
    assert np.all(hybrid.capacity_bn <= top.capacity_bn + tol)
    np.testing.assert_allclose(tap.capacity_bn, top.capacity_bn * share, rtol=1e-12,
                               atol=1e-12)


def test_schema_and_model_name_the_same_components():
    from typing import get_args

    from circdebt.scenario.contracts import CapacityComponent
    assert get_args(CapacityComponent) == COMPONENTS
