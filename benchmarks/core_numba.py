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
def _references(projected, fuel_ref, cp0, pk_cpi0, loss, loss_allowed, vom, dm_rate,
                nonfuel_ref, timing, p):
    """Path p's references from the projected sales (12,) by calendar month: writes the
    non-fuel references and the planned timing (12, paths) and returns the uniform base."""
    total_sales = 0.0
    total_requirement = 0.0
    for m in range(12):
        units = projected[m] / (1.0 - loss)
        allowed = projected[m] / (1.0 - loss_allowed)
        nonfuel = (cp0 + vom * pk_cpi0 * 1e-3 * units) * (allowed / units)
        requirement = fuel_ref * allowed * 1e-3 + nonfuel + dm_rate * pk_cpi0 * 1e-3 * projected[m]
        nonfuel_ref[m, p] = nonfuel
        timing[m, p] = requirement
        total_sales += projected[m]
        total_requirement += requirement
    uniform = total_requirement / total_sales * 1e3
    for m in range(12):
        timing[m, p] -= uniform * projected[m] * 1e-3
    return uniform


@njit(cache=True)
def _core_loop(fx, n_months, start_cm, start_year, base, growth, seasonal, loss, loss_allowed,
               capacity_mw, availability, cpp_usd, cpp_pkr, fuel_cost, vom, cpi_factor, dm_rate,
               determined0, fuel_average0, rebasing_month, rebasing_growth, fca_lag, qta_period,
               qta_lag, pass_through, billed_share, recovery, subsidy_lag, subsidy_payment,
               pre_start_due, lps_rate, phl_rate, payables0, genco0, phl0):
    n = fx.shape[1]
    cd = np.empty((n_months, n))
    payables = np.full(n, payables0)
    phl = np.full(n, phl0)
    cash_reserve = np.zeros(n)
    determined = np.full(n, determined0)
    notified = np.full(n, determined0)
    fuel_ref = np.zeros(n)
    nonfuel_ref = np.zeros((12, n))  # by calendar month, January first
    timing = np.zeros((12, n))
    residual = np.zeros(n)
    qta_open = np.zeros(n)
    # ring buffers of amounts to charge in month t (slot t % size), cleared once charged
    fca_size = fca_lag + 1
    qta_size = qta_lag + qta_period
    fca_ring = np.zeros((fca_size, n))
    qta_ring = np.zeros((qta_size, n))
    pya_ring = np.zeros((12, n))
    tds_ring = np.full((max(subsidy_lag, 1), n), pre_start_due)
    projected = np.zeros(12)
    weights = np.zeros(12)  # of the twelve months from the determination, in order
    trailing_sales = 0.0
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
        vom_bn = vom * pk_cpi * generation * 1e-3
        # ---- the determination's projected sales by calendar month (path-independent)
        determining = t == 0 or cm == rebasing_month
        scale0 = 1.0
        if determining:
            for k in range(12):
                m = (cm - 1 + k) % 12
                if t == 0:  # the classes' underlying demand of the year ahead
                    projected[m] = base * (1.0 + growth) ** (k / 12.0) * seasonal[m]
                else:  # a year of the trailing 12 months' sales, grown, spread by season
                    projected[m] = (trailing_sales * 12.0 / trailing_seasonal
                                    * (1.0 + rebasing_growth) / 12.0 * seasonal[m])
            total = 0.0
            total_allowed = 0.0
            for m in range(12):
                total += projected[m]
                total_allowed += projected[m] / (1.0 - loss_allowed)
            for k in range(12):
                weights[k] = projected[(cm - 1 + k) % 12] / total
            if t == 0:  # fuel references scaled to the given yearly average
                scale0 = fuel_average0 / (fuel_cost * total_allowed / total)
            trailing_sales = 0.0
            trailing_seasonal = 0.0
        closes = cm % qta_period == 0
        # ---- every path
        for p in range(n):
            fuel_index = fx[t, p] / fx[0, p]
            epp = fuel_cost * fuel_index + vom * pk_cpi
            cp = capacity_mw * (cpp_usd * fx[t, p] + cpp_pkr * pk_cpi) * 1e-6
            ec = generation * epp * 1e-3
            if determining:
                fuel_ref[p] = fuel_cost * fuel_index * scale0
                d = _references(projected, fuel_ref[p], cp, pk_cpi, loss, loss_allowed, vom,
                                dm_rate, nonfuel_ref, timing, p)
                if t > 0:
                    determined[p] = d
                    notified[p] = notified[p] + pass_through * (d - notified[p])
                    for k in range(12):  # the prior-year adjustment over the new year
                        pya_ring[(t + k) % 12, p] += pass_through * residual[p] * weights[k]
                    residual[p] = 0.0
            # FCA: fuel cost per kWh delivered against the reference, charged fca_lag later
            fuel_dev = (fuel_cost * fuel_index - fuel_ref[p]) * units_allowed * 1e-3
            fca_ring[(t + fca_lag) % fca_size, p] += pass_through * fuel_dev
            # QTA: non-fuel bill (allowed share) against the month's reference
            nonfuel_dev = (cp + vom_bn) * allowed_share - nonfuel_ref[cm - 1, p]
            qta_open[p] += nonfuel_dev
            if closes:
                part = pass_through * qta_open[p] / qta_period
                for k in range(qta_period):
                    qta_ring[(t + qta_lag + k) % qta_size, p] += part
                qta_open[p] = 0.0
            # what the base leaves beyond the planned timing: the next PYA
            residual[p] += ((cp + ec) * allowed_share + dm - fuel_dev - nonfuel_dev
                            - determined[p] * sales * 1e-3 - timing[cm - 1, p])
            adjustments = fca_ring[t % fca_size, p] + qta_ring[t % qta_size, p] \
                + pya_ring[t % 12, p]
            fca_ring[t % fca_size, p] = 0.0
            qta_ring[t % qta_size, p] = 0.0
            pya_ring[t % 12, p] = 0.0
            passed = notified[p] * sales * 1e-3 + adjustments
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
        trailing_sales += sales
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
