"""Shared pieces of the peer benchmark on ``benchmarks/core.toml``.

The peers (PySD, BPTK-Py, numba) are given circdebt's own exchange-rate paths as data
and the core scenario's parameters; this module builds both, runs circdebt on the same
paths, and compares CD stock paths.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

import circdebt
from circdebt.engine import simulate_scenario
from circdebt.engine.series import apply_shocks, build_exogenous
from circdebt.model.exogenous import ExogenousPaths
from circdebt.timeline import Timeline

HERE = Path(__file__).resolve().parent
CORE = HERE / "core.toml"
SEED = 20260701
TOLERANCE = 1e-9


@dataclass(frozen=True)
class CoreParams:
    """The core scenario's numbers in the engine's working units (fractions, GWh, Rs bn).

    Everything a peer needs besides the exchange-rate paths. Read from core.toml, so a
    change there reaches the numba and BPTK peers; core.mdl carries its own copy and the
    equality check catches any drift.
    """

    n_months: int
    start_calendar_month: int  # 7 = July
    start_year: int
    base_sales_gwh_per_month: float
    sales_growth: float
    seasonal: tuple[float, ...]  # Jan..Dec, normalised to mean 1
    loss_actual: float
    loss_allowed: float
    capacity_mw: float
    availability: float
    cpp_usd: float
    cpp_pkr: float
    fuel_cost: float
    vom: float
    pk_cpi_monthly_factor: float  # (1 + inflation) ** (1/12)
    kibor: float
    dm_rate: float
    initial_determined: float
    initial_fuel_reference: float  # yearly average fuel reference per kWh sold at the allowed
    # loss: scales the first determination's monthly fuel references (docs/model.md §9)
    rebasing_month: int
    rebasing_sales_growth: float
    fca_lag: int
    qta_period: int
    qta_lag: int
    pass_through: float
    billed_share: float
    recovery: float
    subsidy_lag: int
    subsidy_payment: float
    pre_start_due: float
    lps_rate: float  # KIBOR + spread, per year, times (1 - waiver)
    phl_rate: float  # KIBOR + spread, per year
    payables0: float
    genco0: float
    phl0: float

    def as_dict(self) -> dict:
        return asdict(self)


def load_core():
    return circdebt.load_scenario(CORE)


def core_params(scenario=None) -> CoreParams:
    s = scenario or load_core()
    tl = Timeline(s.time.start, s.time.end)
    plant, cls = s.supply.plants[0], s.demand.classes[0]
    profile = np.array(cls.seasonal_profile)
    seasonal = profile / profile.mean()
    lps = s.debt.lps["ipp"]
    kibor = float(s.exogenous.kibor_pct) / 100
    assert len(s.supply.plants) == 1 and len(s.demand.classes) == 1
    assert s.exogenous.us_cpi_inflation_pct_per_year == 0.0
    assert s.supply.transmission_pkr_per_kwh == 0.0 and s.tariff.dss_pkr_per_kwh == 0.0
    # what the peers leave out of issue 14's tariff (docs/model.md §9): transmission losses,
    # FCA exemptions, published monthly fuel references, an opening book of adjustments,
    # class distribution-margin shares; the first fuel references are scaled to a given
    # yearly average (core.toml gives one)
    assert s.supply.transmission_loss_pct == 0.0
    assert cls.fca_exemption == "none" and cls.distribution_margin_pct == 100.0
    assert cls.loss_multiplier == 1.0
    assert not s.tariff.reference_fuel_cost_pkr_per_kwh and not s.tariff.opening_book
    assert s.tariff.initial_fuel_reference_pkr_per_kwh is not None
    return CoreParams(
        n_months=tl.n_months,
        start_calendar_month=int(tl.calendar_month[0]),
        start_year=int(tl.numbers[0] // 12),
        base_sales_gwh_per_month=cls.base_sales_gwh_per_year / 12.0,
        sales_growth=cls.growth_pct_per_year / 100,
        seasonal=tuple(float(v) for v in seasonal),
        loss_actual=float(s.losses.actual_pct) / 100,
        loss_allowed=float(s.losses.allowed_pct) / 100,
        capacity_mw=plant.capacity_mw,
        availability=plant.availability_pct / 100,
        cpp_usd=plant.cpp_usd_per_kw_month,
        cpp_pkr=plant.cpp_pkr_per_kw_month,
        fuel_cost=plant.fuel_cost_pkr_per_kwh,
        vom=plant.vom_pkr_per_kwh,
        pk_cpi_monthly_factor=(1 + float(s.exogenous.pk_cpi_inflation_pct_per_year) / 100)
        ** (1 / 12),
        kibor=kibor,
        dm_rate=s.tariff.distribution_margin_pkr_per_kwh,
        initial_determined=s.tariff.initial_determined_pkr_per_kwh,
        initial_fuel_reference=s.tariff.initial_fuel_reference_pkr_per_kwh,
        rebasing_month=s.tariff.rebasing_month,
        rebasing_sales_growth=s.tariff.rebasing_sales_growth_pct / 100,
        fca_lag=s.tariff.fca_lag_months,
        qta_period=s.tariff.qta_period_months,
        qta_lag=s.tariff.qta_lag_months,
        pass_through=s.tariff.pass_through_pct / 100,
        billed_share=cls.billed_pct_of_determined / 100,
        recovery=cls.recovery_pct / 100,
        subsidy_lag=s.subsidy.lag_months,
        subsidy_payment=s.subsidy.payment_pct / 100,
        pre_start_due=s.subsidy.pre_start_due_bn_pkr_per_month,
        lps_rate=max(kibor + lps.spread_pct / 100, 0.0) * (1 - lps.waiver_pct / 100),
        phl_rate=max(kibor + s.debt.phl_spread_pct / 100, 0.0),
        payables0=s.initial.payables_bn_pkr["ipp"],
        genco0=s.initial.genco_fuel_payables_bn_pkr,
        phl0=s.initial.phl_debt_bn_pkr,
    )


def core_exogenous(n_paths: int, seed: int = SEED, scenario=None) -> ExogenousPaths:
    """circdebt's own stochastic exogenous paths for the core scenario (paths, T)."""
    s = scenario or load_core()
    tl = Timeline(s.time.start, s.time.end)
    exo = build_exogenous(s.exogenous, tl, n_paths)
    return apply_shocks(exo, s.exogenous.shocks, seed, np.arange(n_paths))


def circdebt_cd(n_paths: int, exo: ExogenousPaths, scenario=None) -> np.ndarray:
    """circdebt's CD stock path on the given exogenous paths. (paths, T) [Rs bn]"""
    s = scenario or load_core()
    return simulate_scenario(s, n_paths=n_paths, exo=exo).series["cd_stock_bn_pkr"]


def max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    """Largest |a - b| / |b| over every path and month."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))
