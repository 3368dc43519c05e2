"""The core scenario's equations in lean numpy: a loop over months, arrays over paths.

Not a peer: a yardstick for circdebt's engine. It is what a vectorised numpy engine
costs for the core's equations when it does only what they need (about 40 array
operations a month on (paths,) arrays, in place where possible, nothing recorded but
the CD stock), so the gap between circdebt and numba splits into what numpy itself
costs and what circdebt's generality costs. Same equations as core_numba.py; checked
equal to circdebt by bench_peers.py.
"""

from __future__ import annotations

import numpy as np
from core_common import CoreParams


def run_numpy(fx_paths: np.ndarray, p: CoreParams) -> np.ndarray:
    """CD stock (paths, T) from exchange-rate paths (paths, T)."""
    n, T = fx_paths.shape
    fx_t = np.ascontiguousarray(fx_paths.T)  # month rows are contiguous
    fuel_index = fx_t / fx_t[0]
    cd = np.empty((T, n))
    payables = np.full(n, p.payables0)
    cash_reserve = np.zeros(n)
    determined = np.full(n, p.initial_determined)
    notified = determined.copy()
    fuel_ref = np.full(n, p.initial_fuel_reference)
    trailing_energy = np.zeros(n)
    cp_last = np.zeros(n)
    qta_open = np.zeros(n)
    qta_held = np.zeros(n)
    fca_book = np.zeros((T + p.fca_lag, n))
    qta_book = np.zeros((T + p.qta_lag, n))
    tds_book = np.zeros((T + p.subsidy_lag, n))
    tds_book[:p.subsidy_lag] = p.pre_start_due
    seasonal = np.array(p.seasonal)
    phl, pk_cpi = p.phl0, 1.0
    trailing_sales = trailing_units = trailing_seasonal = 0.0
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
        allowed_share = sales / (1.0 - p.loss_allowed) / generation
        dm = p.dm_rate * pk_cpi * sales * 1e-3
        # payments (in place)
        np.multiply(fx_t[t], p.capacity_mw * p.cpp_usd * 1e-6, out=cp)
        cp += p.capacity_mw * p.cpp_pkr * pk_cpi * 1e-6
        np.multiply(fuel_index[t], p.fuel_cost * generation * 1e-3, out=ec)
        ec += p.vom * pk_cpi * generation * 1e-3
        if cm == p.rebasing_month and t > 0:
            projected_sales = (trailing_sales * 12.0 / trailing_seasonal
                               * (1.0 + p.rebasing_sales_growth))
            projected_units = projected_sales / (1.0 - p.loss_allowed)
            fuel_ref = trailing_energy * (projected_units / trailing_units / projected_sales * 1e3)
            determined = fuel_ref + cp_last * (12.0 / projected_sales * 1e3) + p.dm_rate * pk_cpi
            notified = notified + p.pass_through * (determined - notified)
            trailing_energy[:] = 0.0
            trailing_sales = trailing_units = trailing_seasonal = 0.0
        # FCA, QTA: deviations booked for the months they are charged in
        fuel_dev = ec * allowed_share - fuel_ref * (sales * 1e-3)
        fca_book[t + p.fca_lag] = p.pass_through * fuel_dev
        qta_dev = (cp + ec) * allowed_share + dm - determined * (sales * 1e-3) - fuel_dev
        qta_open += qta_dev
        if cm % p.qta_period == 0:
            np.multiply(qta_open, p.pass_through / p.qta_period, out=qta_held)
            qta_open[:] = 0.0
        qta_book[t + p.qta_lag] = qta_held
        # billing, subsidy, settlement
        passed = notified * (sales * 1e-3) + fca_book[t] + qta_book[t]
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
        trailing_energy += ec
        cp_last[:] = cp
        trailing_sales += sales
        trailing_units += generation
        trailing_seasonal += seas
    return cd.T
