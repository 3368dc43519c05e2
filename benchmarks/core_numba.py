"""The core scenario's equations as one compiled loop (numba): months outer, paths inner.

The practical limit for the core: no temporaries, no Python per month, state in a few
per-path arrays and ring buffers for the lags. Same equations as circdebt computes for
``benchmarks/core.toml`` (docs/model.md §3-7 reduced to one plant group that never
binds, one consumer class, no transmission, net metering, DSS or budget); checked equal
to circdebt's CD stock path by ``bench_peers.py``.
"""

from __future__ import annotations

import numpy as np
from core_common import CoreParams
from numba import njit


@njit(cache=True)
def _core_loop(fx, n_months, start_cm, start_year, base, growth, seasonal, loss, loss_allowed,
               capacity_mw, availability, cpp_usd, cpp_pkr, fuel_cost, vom, cpi_factor, dm_rate,
               determined0, fuel_ref0, rebasing_month, rebasing_growth, fca_lag, qta_period,
               qta_lag, pass_through, billed_share, recovery, subsidy_lag, subsidy_payment,
               pre_start_due, lps_rate, phl_rate, payables0, genco0, phl0):
    n = fx.shape[1]
    cd = np.empty((n_months, n))
    payables = np.full(n, payables0)
    phl = np.full(n, phl0)
    cash_reserve = np.zeros(n)
    determined = np.full(n, determined0)  # notified = determined when pass-through is 1
    notified = np.full(n, determined0)
    fuel_ref = np.full(n, fuel_ref0)
    trailing_energy = np.zeros(n)
    cp_last = np.zeros(n)
    qta_open = np.zeros(n)
    qta_held = np.zeros(n)
    fca_ring = np.zeros((max(fca_lag, 1), n))
    qta_ring = np.zeros((max(qta_lag, 1), n))
    tds_ring = np.full((max(subsidy_lag, 1), n), pre_start_due)
    trailing_sales = 0.0
    trailing_units = 0.0
    trailing_seasonal = 0.0
    pk_cpi = 1.0
    for t in range(n_months):
        if t > 0:
            pk_cpi = pk_cpi * cpi_factor
        cm = (start_cm - 1 + t) % 12 + 1
        year = start_year + (start_cm - 1 + t) // 12
        days = 31
        if cm == 2:
            days = 29 if year % 4 == 0 else 28
        elif cm == 4 or cm == 6 or cm == 9 or cm == 11:
            days = 30
        hours = 24.0 * days
        seas = seasonal[cm - 1]
        # ---- demand and dispatch (path-independent in the core)
        wanted = base * (1.0 + growth) ** (t / 12.0) * seas
        units_wanted = wanted / (1.0 - loss)
        available = capacity_mw * availability * hours / 1e3
        generation = min(max(units_wanted, 0.0), available)
        units = generation
        served = units / units_wanted if units_wanted > 0 else 1.0
        sales = wanted * served
        units_allowed = sales / (1.0 - loss_allowed)
        allowed_share = units_allowed / units if units > 0 else 0.0
        dm = dm_rate * pk_cpi * sales * 1e-3
        rebasing = cm == rebasing_month and t > 0
        closes = cm % qta_period == 0
        if rebasing:
            projected_sales = trailing_sales * 12.0 / trailing_seasonal * (1.0 + rebasing_growth)
            projected_units = projected_sales / (1.0 - loss_allowed)
        # ---- every path
        for p in range(n):
            fuel_index = fx[t, p] / fx[0, p]
            epp = fuel_cost * fuel_index + vom * pk_cpi
            cp = capacity_mw * (cpp_usd * fx[t, p] + cpp_pkr * pk_cpi) * 1e-6
            ec = generation * epp * 1e-3
            ppp = cp + ec
            rr_allowed = ppp * allowed_share + dm
            if rebasing:
                per_unit_energy = trailing_energy[p] / trailing_units
                fuel = per_unit_energy * projected_units / projected_sales * 1e3
                d = fuel + 12.0 * cp_last[p] / projected_sales * 1e3 + dm_rate * pk_cpi
                determined[p] = d
                notified[p] = notified[p] + pass_through * (d - notified[p])
                fuel_ref[p] = fuel
                trailing_energy[p] = 0.0
            fuel_dev = (ec * allowed_share / sales * 1e3 - fuel_ref[p]) * sales * 1e-3
            # FCA: this month's deviation is charged fca_lag months later
            if fca_lag > 0:
                slot = t % fca_lag
                fca = fca_ring[slot, p]
                fca_ring[slot, p] = pass_through * fuel_dev
            else:
                fca = pass_through * fuel_dev
            # QTA: the quarter's deviation, a third a month from qta_lag months after it closes
            qta_dev = rr_allowed - determined[p] * sales * 1e-3 - fuel_dev
            if closes:
                qta_held[p] = pass_through * (qta_open[p] + qta_dev) / qta_period
                qta_open[p] = 0.0
            else:
                qta_open[p] += qta_dev
            if qta_lag > 0:
                slot = t % qta_lag
                qta = qta_ring[slot, p]
                qta_ring[slot, p] = qta_held[p]
            else:
                qta = qta_held[p]
            tariff = notified[p] + (fca / sales * 1e3 + qta / sales * 1e3)
            passed = tariff * sales * 1e-3
            billed = passed * billed_share
            tds_due = passed - billed
            collected = billed * recovery
            if subsidy_lag > 0:
                slot = t % subsidy_lag
                tds_paid = subsidy_payment * tds_ring[slot, p]
                tds_ring[slot, p] = tds_due
            else:
                tds_paid = subsidy_payment * tds_due
            interest = phl[p] * phl_rate / 12.0
            phl[p] = phl[p] + interest
            lps = payables[p] * lps_rate / 12.0
            dues = payables[p] + lps + cp + ec
            cash = collected - dm + tds_paid + cash_reserve[p]
            paid = min(max(cash, 0.0), dues)
            payables[p] = dues - paid
            cash_reserve[p] = cash - paid
            cd[t, p] = payables[p] + genco0 + phl[p] - cash_reserve[p]
            trailing_energy[p] += ec
            cp_last[p] = cp
        if rebasing:
            trailing_sales = 0.0
            trailing_units = 0.0
            trailing_seasonal = 0.0
        trailing_sales += sales
        trailing_units += units
        trailing_seasonal += seas
    return cd


def run_numba(fx_paths: np.ndarray, params: CoreParams) -> np.ndarray:
    """CD stock (paths, T) from exchange-rate paths (paths, T)."""
    fx = np.ascontiguousarray(fx_paths.T)  # months outer, paths inner: contiguous rows
    p = params
    cd = _core_loop(
        fx, p.n_months, p.start_calendar_month, p.start_year, p.base_sales_gwh_per_month,
        p.sales_growth, np.array(p.seasonal), p.loss_actual, p.loss_allowed, p.capacity_mw,
        p.availability, p.cpp_usd, p.cpp_pkr, p.fuel_cost, p.vom, p.pk_cpi_monthly_factor,
        p.dm_rate, p.initial_determined, p.initial_fuel_reference, p.rebasing_month,
        p.rebasing_sales_growth, p.fca_lag, p.qta_period, p.qta_lag, p.pass_through,
        p.billed_share, p.recovery, p.subsidy_lag, p.subsidy_payment, p.pre_start_due,
        p.lps_rate, p.phl_rate, p.payables0, p.genco0, p.phl0)
    return cd.T
