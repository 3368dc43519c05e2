"""The core scenario's equations in lean numpy: a loop over months, arrays over paths.

Not a peer: a yardstick for circdebt's engine. It is what a vectorised numpy engine
costs for the core's equations when it does only what they need (a few dozen array
operations a month on (paths,) arrays, in place where possible, nothing recorded but
the CD stock), so the gap between circdebt and numba splits into what numpy itself
costs and what circdebt's generality costs. Same equations as core_numba.py; checked
equal to circdebt by bench_peers.py.

The tariff is issue 14's (docs/model.md §9): each determination projects the twelve
months ahead at the determination month's prices (the core's one plant group never
binds, so a projected month's generation is its projected units), giving a fuel
reference per kWh delivered, a non-fuel reference per month (capacity + VO&M in the
allowed share), the uniform base tariff and its planned seasonal timing; the FCA
compares each month's fuel cost per kWh with the reference, the QTA the month's
non-fuel bill with its reference, and the residual accrues to a prior-year adjustment
booked at the next rebasing over the new year by projected-sales weights.
"""

from __future__ import annotations

import numpy as np
from core_common import CoreParams


def _references(p: CoreParams, projected_sales: np.ndarray, fuel_ref: np.ndarray,
                cp0: np.ndarray, pk_cpi0: float):
    """The determination's references: the uniform base (paths,), the non-fuel references
    and the planned timing (12, paths) by calendar month, from the projected sales (12,)
    by calendar month, the fuel reference (paths,) and month t0's capacity bill (paths,)."""
    units = projected_sales / (1.0 - p.loss_actual)
    allowed = projected_sales / (1.0 - p.loss_allowed)
    share = (allowed / units)[:, None]
    nonfuel = (cp0[None, :] + (p.vom * pk_cpi0 * 1e-3) * units[:, None]) * share
    requirement = fuel_ref[None, :] * (allowed[:, None] * 1e-3) + nonfuel \
        + (p.dm_rate * pk_cpi0 * 1e-3) * projected_sales[:, None]
    uniform = requirement.sum(axis=0) / projected_sales.sum() * 1e3
    timing = requirement - uniform[None, :] * (projected_sales[:, None] * 1e-3)
    return uniform, nonfuel, timing


def run_numpy(fx_paths: np.ndarray, p: CoreParams) -> np.ndarray:
    """CD stock (paths, T) from exchange-rate paths (paths, T)."""
    n, T = fx_paths.shape
    fx_t = np.ascontiguousarray(fx_paths.T)  # month rows are contiguous
    fuel_index = fx_t / fx_t[0]
    cd = np.empty((T, n))
    payables = np.full(n, p.payables0)
    cash_reserve = np.zeros(n)
    notified = np.full(n, p.initial_determined)
    residual = np.zeros(n)
    qta_open = np.zeros(n)
    fca_book = np.zeros((T + p.fca_lag, n))
    qta_book = np.zeros((T + p.qta_lag + p.qta_period, n))
    pya_book = np.zeros((T + 12, n))
    tds_book = np.zeros((T + p.subsidy_lag, n))
    tds_book[:p.subsidy_lag] = p.pre_start_due
    seasonal = np.array(p.seasonal)
    phl, pk_cpi = p.phl0, 1.0
    trailing_sales = trailing_seasonal = 0.0
    cp, ec, tmp = np.empty(n), np.empty(n), np.empty(n)
    for t in range(T):
        if t > 0:
            pk_cpi *= p.pk_cpi_monthly_factor
        cm = (p.start_calendar_month - 1 + t) % 12 + 1
        year = p.start_year + (p.start_calendar_month - 1 + t) // 12
        days = 29 if cm == 2 and year % 4 == 0 else (28 if cm == 2 else
                                                     30 if cm in (4, 6, 9, 11) else 31)
        seas = seasonal[cm - 1]
        wanted = p.base_sales_gwh_per_month * (1.0 + p.sales_growth) ** (t / 12.0) * seas
        units_wanted = wanted / (1.0 - p.loss_actual)
        generation = min(max(units_wanted, 0.0), p.capacity_mw * p.availability * 24.0 * days / 1e3)
        sales = wanted * (generation / units_wanted)
        units_allowed = sales / (1.0 - p.loss_allowed)
        allowed_share = units_allowed / generation
        dm = p.dm_rate * pk_cpi * sales * 1e-3
        # payments (in place)
        np.multiply(fx_t[t], p.capacity_mw * p.cpp_usd * 1e-6, out=cp)
        cp += p.capacity_mw * p.cpp_pkr * pk_cpi * 1e-6
        np.multiply(fuel_index[t], p.fuel_cost * generation * 1e-3, out=ec)
        ec += p.vom * pk_cpi * generation * 1e-3
        # the determination: the projection of the twelve months from t (§9)
        ahead = (cm - 1 + np.arange(12)) % 12  # calendar months from t, 0 = January
        if t == 0 or cm == p.rebasing_month:
            projected = np.empty(12)
            if t == 0:  # the classes' underlying demand of the year ahead
                projected[ahead] = p.base_sales_gwh_per_month * (1.0 + p.sales_growth) ** (
                    np.arange(12) / 12.0) * seasonal[ahead]
            else:  # a year of the trailing 12 months' sales, grown, spread by season
                projected[:] = trailing_sales * 12.0 / trailing_seasonal \
                    * (1.0 + p.rebasing_sales_growth) / 12.0 * seasonal
            fuel_ref = p.fuel_cost * fuel_index[t]
            if t == 0:  # scaled to the given yearly average per kWh sold at the allowed loss
                fuel_ref = fuel_ref * (p.initial_fuel_reference / (
                    fuel_ref * (projected / (1.0 - p.loss_allowed)).sum() / projected.sum()))
            uniform, nonfuel_ref, timing = _references(p, projected, fuel_ref, cp, pk_cpi)
            if t == 0:
                determined = np.full(n, p.initial_determined)
            else:
                determined = uniform
                notified = notified + p.pass_through * (determined - notified)
                weights = projected[ahead] / projected.sum()
                pya_book[t:t + 12] += (p.pass_through * residual)[None, :] * weights[:, None]
                residual = np.zeros(n)
            trailing_sales = trailing_seasonal = 0.0
        # FCA: fuel cost per kWh delivered against the reference, on the allowed units
        fuel_dev = (fuel_index[t] * p.fuel_cost - fuel_ref) * (units_allowed * 1e-3)
        fca_book[t + p.fca_lag] += p.pass_through * fuel_dev
        # QTA: the month's non-fuel bill (allowed share) against its reference
        nonfuel_dev = (cp + p.vom * pk_cpi * generation * 1e-3) * allowed_share \
            - nonfuel_ref[cm - 1]
        qta_open += nonfuel_dev
        if cm % p.qta_period == 0:
            start = t + p.qta_lag
            qta_book[start:start + p.qta_period] += qta_open * (p.pass_through / p.qta_period)
            qta_open[:] = 0.0
        # the residual beyond the planned timing: next rebasing's prior-year adjustment
        np.add(cp, ec, out=tmp)
        tmp *= allowed_share
        tmp += dm
        tmp -= fuel_dev
        tmp -= nonfuel_dev
        tmp -= determined * (sales * 1e-3)
        tmp -= timing[cm - 1]
        residual += tmp
        # billing, subsidy, settlement
        passed = notified * (sales * 1e-3) + fca_book[t] + qta_book[t] + pya_book[t]
        tds_book[t + p.subsidy_lag] = passed * (1.0 - p.billed_share)
        cash = passed * (p.billed_share * p.recovery)
        cash += p.subsidy_payment * tds_book[t]
        cash += cash_reserve - dm
        phl = phl + phl * p.phl_rate / 12.0
        dues = payables * (1.0 + p.lps_rate / 12.0)
        dues += cp
        dues += ec
        np.maximum(cash, 0.0, out=tmp)
        np.minimum(tmp, dues, out=tmp)  # paid
        np.subtract(dues, tmp, out=payables)
        np.subtract(cash, tmp, out=cash_reserve)
        np.subtract(payables, cash_reserve, out=cd[t])
        cd[t] += p.genco0 + phl
        trailing_sales += sales
        trailing_seasonal += seas
    return cd.T
