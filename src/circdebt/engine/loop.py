"""The monthly engine: ties supply, demand, tariff, settlement and debt together.

The only Python loop is over months; every state is an array over paths (and groups,
classes or creditors). The engine adds no economics of its own beyond wiring the
domain modules in MODEL.md's order and recording each month.

Working units: GWh, Rs bn, Rs/kWh, fractions.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from circdebt.engine.levers import NET_METERING, TRANSMISSION, OneOff, base_levers, creditor_names
from circdebt.engine.policies import apply_policies
from circdebt.errors import SimulationError
from circdebt.model import debt, demand, settlement, supply, tariff
from circdebt.model import sez as sez_mod
from circdebt.model.exogenous import ExogenousPaths, build_exogenous
from circdebt.model.vectors import per_path, time_first
from circdebt.scenario.schema import Scenario
from circdebt.timeline import Timeline

#: Causes of the monthly change in circular debt (MODEL.md §7), in reporting order.
CAUSES = (
    "excess_losses",
    "tariff_gap",
    "under_recovery",
    "subsidy_shortfall",
    "sez_package",
    "lps",
    "phl_interest",
    "dss",
    "budget_payments",
    "policy_one_offs",
)

@dataclass(frozen=True)
class Trajectories:
    """Everything recorded by one run.

    ``series`` maps a variable name to an array (paths, T); ``by_class`` and
    ``by_creditor`` map a variable to (paths, T, classes|creditors).
    """

    timeline: Timeline
    series: dict[str, np.ndarray]
    by_class: dict[str, np.ndarray]
    by_creditor: dict[str, np.ndarray]
    class_names: list[str]
    creditor_names: list[str]
    n_paths: int


def simulate(
    scenario: Scenario, n_paths: int = 1, exo: ExogenousPaths | None = None,
    sez_weights: np.ndarray | None = None, detail: bool = True,
    keep: Collection[str] | None = None,
) -> Trajectories:
    """Run the monthly model and record every quantity (MODEL.md §4-8).

    Parameters
    ----------
    scenario
        A validated scenario.
    n_paths
        Number of Monte Carlo paths (1 for a deterministic run).
    exo
        Exogenous paths (paths, T); built deterministically from the scenario if omitted.
    sez_weights
        How much of each SEZ zone materialises on each path (paths, zones); by default
        the scenario's ``sez.realisation`` rule.
    detail
        Record per-class tariffs and per-creditor splits (the tables need them; many-path
        analyses that read only the series can skip them, which is faster).
    keep
        Record only these series (plus those the engine reads back itself); all by
        default. Many-path analyses pass what they read: fewer writes, less memory.
    """
    s = scenario
    tl = Timeline(s.time.start, s.time.end)
    T = tl.n_months
    exo = exo or build_exogenous(s.exogenous, tl, n_paths)
    lv = apply_policies(base_levers(s, tl), s, tl)
    plants = supply.plant_arrays(s.supply, tl)
    classes = demand.class_arrays(demand.consumer_classes(s), s.demand)
    sez_idx = classes.names.index(sez_mod.SEZ_CLASS)
    if sez_weights is None:
        sez_weights = sez_mod.realisation_weights(s.sez, n_paths)
    zone_gwh = sez_mod.zone_load_gwh(s.sez, tl, sez_weights)
    zone_loss_mult = sez_mod.zone_loss_multiplier(s.sez, tl, sez_weights)
    captive = s.sez.captive
    captive_lcoe_usc = time_first(np.asarray(captive.lcoe_usc_per_kwh)[..., None] * (
        1 + np.asarray(captive.lcoe_change_pct_per_year)[..., None] / 100) ** (np.arange(T) / 12))
    creditors = creditor_names(s)
    K, n_classes, n_groups = len(creditors), len(classes.names), len(plants.names)
    group_to_creditor = np.zeros((n_groups, K))
    for g, c in enumerate(plants.creditor):
        group_to_creditor[g, creditors.index(c)] = 1.0
    lps_spread, lps_accrues = debt.lps_terms(s.debt.lps, creditors)
    plan = settlement.allocation_plan(s.settlement, creditors, NET_METERING)
    tf, sub, solar_spec = s.tariff, s.subsidy, s.demand.rooftop_solar
    arrears_rate = settlement.monthly_rate(s.settlement.arrears_recovery_pct_per_year / 100.0)
    # fuel indices month-major (T, paths, fuels + 1), the last column 1 for no fuel
    fuel_names = list(exo.fuel_index)
    fuel_tp = np.ones((T, n_paths, len(fuel_names) + 1))
    for j, name in enumerate(fuel_names):
        fuel_tp[:, :, j] = exo.fuel_index[name].T
    fuel_of_group = np.array([fuel_names.index(f) if f else len(fuel_names)
                              for f in plants.fuel])
    # rupees per (dollar x US CPI) frozen at each group's conversion date, per PK CPI then
    conv_t = np.maximum(lv.conversion_t, 0)
    frozen_pkr_per_usd = (exo.fx_pkr_per_usd[:, conv_t] * exo.us_cpi_index[:, conv_t]
                          / exo.pk_cpi_index[:, conv_t])
    kibor0 = exo.kibor[:, :1]

    # ---- state, (paths,) or (paths, k)
    P, G_fixed = np.zeros((n_paths, K)), per_path(s.initial.genco_fuel_payables_bn_pkr, n_paths)
    for name, amount in s.initial.payables_bn_pkr.items():
        P[:, creditors.index(name)] = amount
    H = per_path(s.initial.phl_debt_bn_pkr, n_paths)
    cash_reserve = np.zeros(n_paths)
    account = np.zeros(n_paths)  # ring-fenced revolving account (cpec_revolving rule)
    receivables = per_path(s.initial.receivables_bn_pkr, n_paths)
    solar_mw = per_path(solar_spec.capacity_mw, n_paths)
    captive_share = np.zeros(n_paths)
    book = tariff.AdjustmentBook.empty(n_paths, T)
    paid_in_fy = np.zeros(n_paths)
    subsidy_queue = np.zeros((T, n_paths))  # TDS falling due for payment in each month
    cd_prev = P.sum(axis=1) + G_fixed + H - cash_reserve

    # records are time-major (T, paths, ...) so each month writes contiguous memory
    wanted = set(_SERIES) if keep is None else (set(keep) | _READ_BACK) & set(_SERIES)
    rec = {name: np.zeros((T, n_paths)) for name in _SERIES if name in wanted}
    by_class = {name: np.zeros((T, n_paths, n_classes))
                for name in (_BY_CLASS if detail else ("sales_gwh",))}
    by_creditor = {name: np.zeros((T, n_paths, K)) for name in (_BY_CREDITOR if detail else ())}
    # price response: 12-month sums of (real tariff x sales) and sales, kept rolling
    paid_x_sales = np.zeros((T, n_paths, n_classes))
    window_paid_x_sales = np.zeros((n_paths, n_classes))
    window_sales = np.zeros((n_paths, n_classes))
    reference_real = np.ones((n_paths, n_classes))  # the first month's real tariff
    one_offs_by_month: dict[int, list[OneOff]] = {}
    for event in lv.one_offs:
        one_offs_by_month.setdefault(event.t, []).append(event)

    for t in range(T):
        month, hours, fy = int(tl.calendar_month[t]), float(tl.hours[t]), int(tl.fiscal_year[t])
        fx, kibor = exo.fx_pkr_per_usd[:, t], exo.kibor[:, t]
        pk_cpi, us_cpi = exo.pk_cpi_index[:, t], exo.us_cpi_index[:, t]
        L, L_allowed = lv.loss_actual[t], lv.loss_allowed[t]

        # ---- demand (MODEL.md §5)
        if t == 0:
            response = np.ones((n_paths, n_classes))
            tariff_ratio = np.ones((n_paths, n_classes))
        else:
            smoothed = np.divide(window_paid_x_sales, window_sales, out=reference_real.copy(),
                                 where=window_sales > 0)
            response = demand.price_response(smoothed, reference_real,
                                             classes.price_elasticity)
            tariff_ratio = np.divide(smoothed, reference_real, out=np.ones_like(smoothed),
                                     where=reference_real > 0)
        solar_gwh = demand.solar_energy_gwh(solar_mw, solar_spec.capacity_factor_pct / 100, hours)
        self_share = lv.self_consumption[t]
        # base sales are net of the rooftop solar of the start: only additions lower them
        new_solar_gwh = demand.solar_energy_gwh(solar_mw - solar_spec.capacity_mw,
                                                solar_spec.capacity_factor_pct / 100, hours)
        self_consumed = (new_solar_gwh * self_share)[:, None] * classes.solar_share
        wanted = np.maximum(
            demand.underlying_sales_gwh(classes, t, month) * response - self_consumed, 0.0)
        wanted = wanted + lv.extra_sales_gwh_per_month[t]
        wanted[:, sez_idx] += zone_gwh[:, t] * (1.0 - captive_share)
        loss_mult = np.broadcast_to(classes.loss_multiplier, (n_paths, n_classes)).copy()
        loss_mult[:, sez_idx] = zone_loss_mult[:, t]
        class_loss = np.asarray(L)[..., None] * loss_mult  # (paths, classes)
        units_wanted = (wanted / (1.0 - class_loss)).sum(axis=1)
        export_used = np.minimum(solar_gwh * (1.0 - self_share), units_wanted)

        # ---- supply and dispatch (MODEL.md §4)
        available = np.broadcast_to(supply.available_energy_gwh(
            plants.capacity_mw, plants.availability, plants.capacity_factor_by_month[month - 1],
            lv.active[t], hours), (n_paths, n_groups))
        fuel_index = fuel_tp[t][:, fuel_of_group]
        epp = supply.energy_price_pkr_per_kwh(plants.fuel_cost_pkr_per_kwh, fuel_index,
                                              plants.vom_pkr_per_kwh, pk_cpi[:, None])
        generation, unserved = supply.merit_order_dispatch(
            units_wanted - export_used, available, epp, plants.must_run)
        units = export_used + generation.sum(axis=1)
        served = np.divide(units, units_wanted, out=np.ones(n_paths), where=units_wanted > 0)
        sales = wanted * served[:, None]
        S = sales.sum(axis=1)
        class_allowed = np.asarray(L_allowed)[..., None] * loss_mult
        units_allowed = (sales / (1.0 - class_allowed)).sum(axis=1)

        # ---- payments due (MODEL.md §4)
        spread = plants.local_debt_spread
        kibor_factor = (kibor[:, None] + spread) / (kibor0 + spread)
        pkr_per_usd = supply.usd_part_in_pkr(fx[:, None], us_cpi[:, None], pk_cpi[:, None],
                                             lv.usd_converted[t], frozen_pkr_per_usd)
        cp = supply.capacity_payments_bn(
            plants, t, pkr_per_usd, pk_cpi[:, None], kibor_factor, generation, available,
            lv.cpp_usd_scale[t], lv.cpp_pkr_scale[t], lv.active[t], lv.take_and_pay[t],
            lv.debt_factor[t])
        ec = generation * epp * supply.GWH_TIMES_PKR_PER_KWH_TO_BN
        tx = s.supply.transmission_pkr_per_kwh * pk_cpi * units * 1e-3
        nm = lv.buyback_pkr_per_kwh[t] * export_used * 1e-3
        cp_total, ec_total = cp.sum(axis=1), ec.sum(axis=1)
        ppp = cp_total + ec_total + tx + nm
        dm = tf.distribution_margin_pkr_per_kwh * pk_cpi * (sales * classes.dm_share).sum(axis=1) \
            * 1e-3
        allowed_share = np.divide(units_allowed, units, out=np.zeros(n_paths), where=units > 0)
        rr_allowed = ppp * allowed_share + dm

        # ---- tariff determination (MODEL.md §6)
        pass_through = lv.pass_through[t]
        if t == 0:
            notified = per_path(tf.initial_determined_pkr_per_kwh, n_paths)
            determined = notified
            fuel_ref = (per_path(tf.initial_fuel_reference_pkr_per_kwh, n_paths)
                        if tf.initial_fuel_reference_pkr_per_kwh is not None else
                        tariff.fuel_adjustment_pkr_per_kwh(ec_total, units, units_allowed, S, 0.0))
            mix = np.broadcast_to(classes.base_sales_gwh_per_month, sales.shape)
            multipliers = tariff.normalised_multipliers(
                classes.tariff_multiplier * lv.tariff_multiplier_scale[t], mix)
        elif lv.rebasing[t]:
            w = slice(max(0, t - 12), t)
            determined, fuel_ref = tariff.rebase(
                demand.annualised_sales_gwh(by_class["sales_gwh"][w],
                                            classes.seasonal_by_month[tl.calendar_month[w] - 1]),
                rec["units_purchased_gwh"][w].sum(axis=0),
                rec["energy_payments_bn_pkr"][w].sum(axis=0),
                (rec["transmission_bn_pkr"][w] + rec["net_metering_bn_pkr"][w]).sum(axis=0),
                rec["capacity_payments_bn_pkr"][t - 1], class_allowed,
                tf.distribution_margin_pkr_per_kwh * pk_cpi, classes.dm_share,
                tf.rebasing_sales_growth_pct / 100)
            notified = tariff.notify(notified, determined, pass_through)
            multipliers = tariff.normalised_multipliers(
                classes.tariff_multiplier * lv.tariff_multiplier_scale[t],
                by_class["sales_gwh"][w].sum(axis=0))
        if t > 0 and not lv.rebasing[t] and not np.array_equal(
                lv.tariff_multiplier_scale[t], lv.tariff_multiplier_scale[t - 1]):
            # a rebalancing between rebasings: renormalise on the last 12 months' mix
            w = slice(max(0, t - 12), t)
            multipliers = tariff.normalised_multipliers(
                classes.tariff_multiplier * lv.tariff_multiplier_scale[t],
                by_class["sales_gwh"][w].sum(axis=0))
        # deviations of cost at allowed losses from what the determined base recovers:
        # the fuel part goes to the FCA, the rest (capacity, other costs, sales mix) to QTA
        fuel_deviation = tariff.fuel_adjustment_pkr_per_kwh(
            ec_total, units, units_allowed, S, fuel_ref) * S * 1e-3
        book.schedule_fca(t, int(lv.fca_lag[t]), pass_through * fuel_deviation)
        base_recovers = determined * (multipliers * sales).sum(axis=1) * 1e-3
        book.accrue_qta(rr_allowed - base_recovers - fuel_deviation)
        period = int(lv.qta_period[t])
        if month % period == 0:
            book.close_period(t, period, int(lv.qta_lag[t]), pass_through)
        fca_rate, qta_rate = book.rates_pkr_per_kwh(t, S)
        class_tariff = notified[:, None] * multipliers + (fca_rate + qta_rate)[:, None]

        # ---- SEZ tariff package (MODEL.md §8): the SEZ class pays a fixed price; the gap
        # to its tariff is paid by the budget, by the other classes, or by nobody (debt)
        billed_share = np.broadcast_to(lv.billed_share[t], class_tariff.shape).copy()
        sez_tariff = class_tariff[:, sez_idx].copy()
        sez_price = sez_tariff.copy()
        package_gap = np.zeros(n_paths)  # Rs bn, SEZ tariff minus price, on SEZ sales
        funding = lv.sez_package_funding[t]
        if lv.sez_package_weight[t] > 0:
            usc = lv.sez_package_usc_per_kwh[t]
            price = usc * fx / 100 if np.isfinite(usc) else lv.sez_package_pkr_per_kwh[t]
            w = lv.sez_package_weight[t]
            if lv.sez_package_cap[t]:
                price = np.minimum(price, sez_tariff)
            sez_price = (1 - w) * sez_tariff + w * price
            package_gap = (sez_tariff - sez_price) * sales[:, sez_idx] * 1e-3
            if funding == "cross_subsidy":
                others = np.ones(len(classes.names), bool)
                others[sez_idx] = False
                others_sales = sales[:, others].sum(axis=1)
                surcharge = np.divide(package_gap, others_sales, out=np.zeros(n_paths),
                                      where=others_sales > 0) * 1e3
                class_tariff[:, others] += surcharge[:, None]
                class_tariff[:, sez_idx] = sez_price
            else:
                billed_share[:, sez_idx] = np.divide(sez_price, sez_tariff, out=np.ones(n_paths),
                                                     where=sez_tariff != 0)

        # ---- billing, collection, subsidy (MODEL.md §7)
        passed, billed, tds = settlement.bill(class_tariff, billed_share, sales)
        real_paid = class_tariff * billed_share / pk_cpi[:, None]
        if t == 0:
            reference_real = real_paid
        paid_x_sales[t] = real_paid * sales
        window_paid_x_sales = window_paid_x_sales + paid_x_sales[t]
        window_sales = window_sales + sales
        if t >= 12:  # keep the last 12 months (sales-weighted, MODEL.md §5)
            window_paid_x_sales = window_paid_x_sales - paid_x_sales[t - 12]
            window_sales = window_sales - by_class["sales_gwh"][t - 12]
        rr_passed, B = passed.sum(axis=1), billed.sum(axis=1)
        # a package gap is not tariff differential subsidy: it is booked below by funding
        package_in_tds = package_gap if funding in ("budget", "unfunded") else 0.0
        tds_due = tds.sum(axis=1) - package_in_tds
        recovery = np.minimum(lv.recovery[t] * np.power(np.maximum(tariff_ratio, 1e-9),
                                                        -classes.recovery_elasticity), 1.0)
        collected, arrears, receivables = settlement.collect(billed, recovery,
                                                             receivables, arrears_rate)
        # each month's TDS is queued for payment `lag` months later (the lag in force when
        # it falls due), so a change of lag neither drops nor repeats any month's due
        lag = int(lv.subsidy_lag[t])
        if t == 0:
            pre_start = (tds_due if sub.pre_start_due_bn_pkr_per_month is None else
                         per_path(sub.pre_start_due_bn_pkr_per_month, n_paths))
            subsidy_queue[:min(lag, T)] += pre_start
        if t + lag < T:
            subsidy_queue[t + lag] += tds_due
        if t == 0 or month == 7:
            paid_in_fy = np.zeros(n_paths)
        cap = (sub.budget_cap_bn_pkr_per_fy or {}).get(f"FY{fy}")
        tds_paid = settlement.subsidy_payment(subsidy_queue[t], lv.subsidy_payment[t],
                                              paid_in_fy, cap)
        paid_in_fy = paid_in_fy + tds_paid
        if funding == "budget":  # the budget pays an SEZ package in full, on time
            tds_due, tds_paid = tds_due + package_gap, tds_paid + package_gap
        unfunded_gap = package_gap if funding == "unfunded" else np.zeros(n_paths)
        recovery_ratio = np.divide(collected, B, out=np.ones(n_paths), where=B > 0)
        dss_rate = lv.dss_pkr_per_kwh[t] * (H > 0 if tf.dss_ends_when_phl_repaid else 1.0)
        dss_collected = dss_rate * S * 1e-3 * recovery_ratio
        budget_cppa, budget_phl = lv.budget_cppa_bn_pkr[t], lv.budget_phl_bn_pkr[t]

        # ---- one-off policy moves (MODEL.md §8): settlements, waivers, refinancing
        one_off_flow = np.zeros(n_paths)
        one_off_moves = np.zeros((n_paths, K))
        injection_cppa = injection_phl = 0.0
        for event in one_offs_by_month.get(t, ()):
            if event.kind == "injection_cppa":
                injection_cppa += event.amount_bn_pkr
                continue
            if event.kind == "injection_phl":
                injection_phl += event.amount_bn_pkr
                continue
            moved = debt.move_payables(P, event.creditors, event.amount_bn_pkr,
                                       raise_=event.kind == "settlement")
            P = P + moved
            one_off_moves = one_off_moves + moved
            if event.kind == "refinancing":
                H = H - moved.sum(axis=1)  # moved is negative: payables into PHL
            else:
                one_off_flow = one_off_flow + moved.sum(axis=1)
        one_off_flow = one_off_flow - injection_cppa - injection_phl

        # ---- PHL, LPS, cash to generators (MODEL.md §7)
        phl_interest, H, budget_used, dss_used = debt.phl_service(
            H, kibor, lv.phl_spread[t], budget_phl + injection_phl, dss_collected)
        lps = debt.late_payment_surcharge(P, kibor, lps_spread, lv.lps_waiver[t], lps_accrues)
        energy_invoices = ec @ group_to_creditor
        energy_invoices[:, creditors.index(NET_METERING)] += nm
        other_invoices = cp @ group_to_creditor
        other_invoices[:, creditors.index(TRANSMISSION)] += tx
        invoices = energy_invoices + other_invoices
        dues = P + lps + invoices
        cash_in = (collected - dm + tds_paid + budget_cppa + injection_cppa
                   + (budget_phl + injection_phl - budget_used) + (dss_collected - dss_used))
        to_account = plan.revolving_in * collected
        cash = cash_in - to_account + cash_reserve
        paid, paid_from_cash, account = settlement.allocate_by_rule(
            plan.rule, cash, dues, plan.priority, energy_invoices, invoices,
            account + to_account, plan.revolving_col, plan.revolving_share)
        P = dues - paid
        cash_reserve = cash - paid_from_cash
        cd = P.sum(axis=1) + G_fixed + H - cash_reserve - account

        # ---- what a kWh costs an SEZ manufacturer (MODEL.md §9); captive switching
        avail_total = available.sum(axis=1)
        utilisation = np.divide(generation.sum(axis=1), avail_total, out=np.zeros(n_paths),
                                where=avail_total > 0)
        sez_cost = sez_mod.cost_breakdown_pkr_per_kwh(
            ec_total, nm, cp_total, tx, utilisation, units, units_allowed, S,
            np.divide(dm, S, out=np.zeros(n_paths), where=S > 0) * 1e3,
            np.divide(rr_passed, S, out=np.zeros(n_paths), where=S > 0) * 1e3,
            sez_tariff, sez_price, dss_rate * np.ones(n_paths), s.sez.taxes_pct / 100)
        sez_usc = {f"sez_{c}_usc_per_kwh": sez_cost[c] / fx * 100
                   for c in (*sez_mod.COMPONENTS, "total")}
        sez_usc["sez_cost_usc_per_kwh"] = sez_usc["sez_total_usc_per_kwh"]
        sez_usc["sez_cost_pkr_per_kwh"] = sez_cost["total"]
        sez_usc["sez_captive_gwh"] = zone_gwh[:, t] * captive_share
        for name, value in sez_usc.items():
            if name in rec:
                rec[name][t] = value
        captive_share = sez_mod.captive_share_step(
            captive_share, sez_cost["total"] / fx * 100, captive_lcoe_usc[t],
            captive.switching_margin_pct / 100, captive.switch_speed_pct_per_month / 100,
            captive.max_share_pct / 100)

        # ---- rooftop solar grows with the tariff-to-solar-cost ratio (grid defection)
        avg_paid = np.divide(B, S, out=np.zeros(n_paths), where=S > 0) * 1e3
        ratio = avg_paid / solar_spec.lcoe_pkr_per_kwh
        if t == 0:
            ratio0 = ratio
        solar_mw = solar_mw + lv.solar_extra_mw_per_month[t] + demand.solar_additions_mw(
            solar_spec.additions_mw_per_year, ratio, ratio0, solar_spec.defection_elasticity)

        # ---- record
        causes = {
            "excess_losses": ppp + dm - rr_allowed,
            "tariff_gap": rr_allowed - rr_passed,
            "under_recovery": B - collected,
            "subsidy_shortfall": tds_due - tds_paid,
            "sez_package": unfunded_gap,
            "lps": lps.sum(axis=1),
            "phl_interest": phl_interest,
            "dss": -dss_collected,
            "budget_payments": per_path(0.0 - budget_cppa - budget_phl, n_paths),
            "policy_one_offs": one_off_flow,
        }
        for cause, value in causes.items():
            if f"flow_{cause}_bn_pkr" in rec:
                rec[f"flow_{cause}_bn_pkr"][t] = value
        row = {
            "cd_stock_bn_pkr": cd, "cd_flow_bn_pkr": cd - cd_prev,
            "payables_bn_pkr": P.sum(axis=1), "genco_fuel_payables_bn_pkr": G_fixed,
            "phl_debt_bn_pkr": H, "cppa_cash_bn_pkr": cash_reserve + account,
            "revolving_account_bn_pkr": account, "cppa_cash_in_bn_pkr": cash_in,
            "receivables_bn_pkr": receivables,
            "capacity_payments_bn_pkr": cp_total, "energy_payments_bn_pkr": ec_total,
            "transmission_bn_pkr": tx, "net_metering_bn_pkr": nm, "ppp_bn_pkr": ppp,
            "distribution_margin_bn_pkr": dm, "sector_cost_bn_pkr": ppp + dm,
            "revenue_requirement_allowed_bn_pkr": rr_allowed,
            "tariff_recovered_bn_pkr": rr_passed, "billed_bn_pkr": B,
            "collected_bn_pkr": collected, "arrears_recovered_bn_pkr": arrears,
            "tds_paid_bn_pkr": tds_paid,
            "dss_collected_bn_pkr": dss_collected, "units_purchased_gwh": units,
            "units_generated_gwh": generation.sum(axis=1), "units_sold_gwh": S,
            "units_allowed_gwh": units_allowed, "unserved_energy_gwh": unserved,
            "rooftop_solar_mw": solar_mw, "rooftop_solar_gwh": solar_gwh,
            "net_metering_export_gwh": export_used,
            "notified_base_tariff_pkr_per_kwh": notified,
            "fca_pkr_per_kwh": fca_rate, "qta_pkr_per_kwh": qta_rate,
            "fx_pkr_per_usd": fx, "kibor_pct": kibor * 100,
            "gdp_bn_pkr_per_year": exo.gdp_bn_pkr_per_year[:, t],
            "pk_cpi_index": pk_cpi, "tds_due_bn_pkr": tds_due,
            "sez_load_gwh": sales[:, sez_idx], "units_sold_excl_sez_gwh": S - sales[:, sez_idx],
            "sez_package_support_bn_pkr": package_gap,
        }
        for name, value in row.items():
            if name in rec:
                rec[name][t] = value
        by_class["sales_gwh"][t] = sales
        if not detail:
            cd_prev = cd
            continue
        by_class["tariff_pkr_per_kwh"][t] = class_tariff
        by_creditor["payables_bn_pkr"][t] = P
        by_creditor["paid_bn_pkr"][t] = paid
        by_creditor["lps_bn_pkr"][t] = lps
        by_creditor["invoice_energy_bn_pkr"][t] = energy_invoices
        by_creditor["invoice_other_bn_pkr"][t] = other_invoices
        by_creditor["one_off_bn_pkr"][t] = one_off_moves
        if not np.isfinite(cd).all():  # cheap per-month guard; the full scan names it
            _check_finite({k: v.T for k, v in rec.items()}, t, tl.labels[t])
        cd_prev = cd

    # the public view is path-major: (paths, T) and (paths, T, k)
    rec = {name: values.T for name, values in rec.items()}
    by_class = {name: values.transpose(1, 0, 2) for name, values in by_class.items()}
    by_creditor = {name: values.transpose(1, 0, 2) for name, values in by_creditor.items()}
    bad_months = [np.flatnonzero(~np.isfinite(v).all(axis=0)) for v in rec.values()]
    first_bad = min((int(b[0]) for b in bad_months if b.size), default=None)
    if first_bad is not None:
        _check_finite(rec, first_bad, tl.labels[first_bad])
    return Trajectories(tl, rec, by_class, by_creditor, classes.names, creditors, n_paths)


def _check_finite(rec: dict[str, np.ndarray], t: int, label: str) -> None:
    """Raise :class:`SimulationError` naming the first non-finite quantity of month t."""
    for name, values in rec.items():
        if not np.all(np.isfinite(values[:, t])):
            raise SimulationError(
                f"{name} became non-finite in {label}; check the inputs that drive it "
                "(e.g. a loss of 100%, zero sales, an extreme exchange rate)")


_SERIES = (
    "cd_stock_bn_pkr", "cd_flow_bn_pkr", *(f"flow_{c}_bn_pkr" for c in CAUSES),
    "payables_bn_pkr", "genco_fuel_payables_bn_pkr", "phl_debt_bn_pkr", "cppa_cash_bn_pkr",
    "receivables_bn_pkr", "revolving_account_bn_pkr", "cppa_cash_in_bn_pkr",
    "capacity_payments_bn_pkr", "energy_payments_bn_pkr",
    "transmission_bn_pkr", "net_metering_bn_pkr", "ppp_bn_pkr", "distribution_margin_bn_pkr",
    "sector_cost_bn_pkr", "revenue_requirement_allowed_bn_pkr", "tariff_recovered_bn_pkr",
    "billed_bn_pkr", "collected_bn_pkr", "arrears_recovered_bn_pkr", "tds_due_bn_pkr",
    "tds_paid_bn_pkr", "dss_collected_bn_pkr", "units_purchased_gwh", "units_generated_gwh",
    "units_sold_gwh", "units_allowed_gwh", "unserved_energy_gwh", "rooftop_solar_mw",
    "rooftop_solar_gwh", "net_metering_export_gwh", "notified_base_tariff_pkr_per_kwh",
    "fca_pkr_per_kwh", "qta_pkr_per_kwh", "fx_pkr_per_usd", "kibor_pct", "gdp_bn_pkr_per_year",
    "pk_cpi_index", "sez_load_gwh", "units_sold_excl_sez_gwh", "sez_captive_gwh",
    "sez_package_support_bn_pkr", "sez_cost_pkr_per_kwh", "sez_cost_usc_per_kwh",
    "sez_total_usc_per_kwh",
    *(f"sez_{c}_usc_per_kwh" for c in sez_mod.COMPONENTS),
)
#: Series the engine reads back while it runs (rebasing), always recorded.
_READ_BACK = {"units_purchased_gwh", "energy_payments_bn_pkr", "transmission_bn_pkr",
              "net_metering_bn_pkr", "capacity_payments_bn_pkr", "cd_stock_bn_pkr"}

_BY_CLASS = ("sales_gwh", "tariff_pkr_per_kwh")
_BY_CREDITOR = ("payables_bn_pkr", "paid_bn_pkr", "lps_bn_pkr", "invoice_energy_bn_pkr",
                "invoice_other_bn_pkr", "one_off_bn_pkr")
