"""The monthly loop: the month's story, told by the domain modules (docs/model.md §2).

An orchestrator that adds no economics of its own: every formula is a step function in
its domain module under :mod:`circdebt.model`, with its units and its source. The loop
calls them in the order of the month, carries the :class:`~circdebt.model.state.State`
from one month to the next and records what the caller keeps. The only Python loop is
over months; every array is over paths.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection

import numpy as np

from circdebt.engine import projection
from circdebt.engine.compile import Inputs, compile_inputs
from circdebt.engine.record import Recorder, Trajectories, month_series
from circdebt.model import (
    billing,
    cash,
    causes,
    costs,
    debt,
    demand,
    incremental,
    losses,
    oneoffs,
    service,
    sez,
    solar,
    subsidy,
    supply,
    tariff,
)
from circdebt.model.exogenous import ExogenousPaths
from circdebt.model.references import with_fuel_references
from circdebt.model.state import MonthRecord, State
from circdebt.scenario.schema import Scenario

#: Months of the past the loop keeps for the price window and for rebasing.
MEMORY_MONTHS = max(demand.PRICE_WINDOW_MONTHS, tariff.REBASING_WINDOW_MONTHS)


def initial_state(x: Inputs) -> State:
    """The state the day before the first month: the scenario's opening stocks."""
    P, C = x.n_paths, x.classes.n
    opening = x.initial
    cash_bn = np.zeros(P)
    return State(
        payables_bn=opening.payables_bn.copy(),
        genco_fuel_payables_bn=opening.genco_fuel_payables_bn.copy(),
        phl_debt_bn=opening.phl_debt_bn.copy(), cash_bn=cash_bn, account_bn=np.zeros(P),
        receivables_bn=opening.receivables_bn.copy(), solar_mw=x.solar.initial_mw.copy(),
        captive_share=np.zeros(P),
        cd_stock_bn=debt.cd_stock_bn(opening.payables_bn, opening.genco_fuel_payables_bn,
                                     opening.phl_debt_bn, cash_bn, np.zeros(P)),
        adjustments=tariff.AdjustmentBook.opening(P, **x.tariff.opening_bn), determination=None,
        subsidy_queue_bn=np.zeros((x.n_months, P)), subsidy_paid_in_fy_bn=np.zeros(P),
        price_sums=(np.zeros((P, C)), np.zeros((P, C))), reference_real_tariff=np.ones((P, C)),
        recent=deque(maxlen=MEMORY_MONTHS), subsidy_owed_bn=x.subsidy.initial_arrears_bn.copy(),
        phl_account_bn=np.zeros(P), phl_accrued_interest_bn=np.zeros(P),
        phl_repaid_in_fy_bn=np.zeros(P), disputed_bn=np.zeros(P))


def _underlying_year(x: Inputs, t: int) -> np.ndarray:
    """The sales the first determination projects: the classes' underlying demand
    (before price response and solar, §4) in the twelve months from ``t``, by calendar
    month. [GWh], (paths, 12, classes)."""
    c = x.classes
    sales = np.zeros((x.n_paths, 12, c.n))
    for k, month in enumerate(projection.calendar_months_from(x, t)):
        sales[:, month - 1, :] = demand.underlying_sales_gwh(
            c.base_sales_gwh_per_month, c.growth_per_year, c.seasonal_by_month[month - 1], t + k)
    return sales


def _determine(x: Inputs, s: State, t: int, multiplier: np.ndarray, actual_loss: np.ndarray,
               allowed_loss: np.ndarray, pass_through: np.ndarray | float) -> None:
    """The month's regulatory decisions (§9), written into ``s``: the first determination
    with the regulator's projection of the year ahead; in a rebasing month a new
    projection, the determined base and its notification, and the prior-year adjustment
    booked over the new year; otherwise any rebalancing of class multipliers."""
    lv, classes = x.levers, x.classes
    if s.determination is None:
        refs = tariff.initial_references(
            projection.project_year(x, t, _underlying_year(x, t), actual_loss, allowed_loss),
            projection.given_fuel_references(x, t), x.tariff.initial_fuel_reference_pkr_per_kwh)
        s.determination = tariff.initial_determination(
            x.tariff.initial_determined_pkr_per_kwh, refs, multiplier,
            classes.base_sales_gwh_per_month, x.n_paths)
    elif lv.rebasing[t]:
        projected_sales = tariff.projected_sales_from_window(
            s.window(tariff.REBASING_WINDOW_MONTHS), classes.seasonal_by_month,
            x.tariff.rebasing_sales_growth)
        refs = with_fuel_references(
            projection.project_year(x, t, projected_sales, actual_loss, allowed_loss),
            projection.given_fuel_references(x, t))
        s.determination = tariff.determine(s.determination, t, multiplier, False, [], refs,
                                           projected_sales.sum(axis=1), pass_through)
        s.adjustments.book_pya(t, refs.sales_weights(projection.calendar_months_from(x, t)),
                               pass_through)
    else:
        s.determination = tariff.determine(
            s.determination, t, multiplier, bool(x.tariff.multiplier_changed[t]),
            s.window(tariff.REBASING_WINDOW_MONTHS), None, None, pass_through)


def simulate(x: Inputs, *, detail: bool = True,
             keep: Collection[str] | None = None) -> Trajectories:
    """Run the compiled inputs month by month (docs/model.md §2).

    ``detail`` records per-class tariffs and per-creditor splits (the tables need them;
    many-path analyses that read only the series can skip them). ``keep`` records only
    these series (and the stock), all by default.
    """
    tl, lv, classes, plants, P = x.timeline, x.levers, x.classes, x.plants, x.n_paths
    s = initial_state(x)
    rec = Recorder(tl, P, classes.names, x.creditors.names, keep, detail)
    sez_col = classes.sez_column
    for t in range(tl.n_months):
        month, hours = int(tl.calendar_month[t]), float(tl.hours[t])
        fx, kibor = x.exo.fx_pkr_per_usd[:, t], x.exo.kibor[:, t]
        pk_cpi = x.exo.pk_cpi_index[:, t]

        # demand: sales respond to the real tariffs of the past year (§4); rooftop solar (§5)
        tariff_ratio = response = np.ones((P, classes.n))
        smoothed = None
        if t > 0:
            smoothed, tariff_ratio = demand.smoothed_real_tariff(*s.price_sums,
                                                                 s.reference_real_tariff)
            response = demand.price_response(smoothed, s.reference_real_tariff,
                                             classes.price_elasticity)
        sez_grid, sez_captive = sez.grid_and_captive_gwh(x.sez.load_gwh[:, t], s.captive_share)
        roof = solar.rooftop_month(s.solar_mw, x.solar.initial_mw, x.solar.capacity_factor,
                                   hours, lv.self_consumption[t], classes.solar_share)
        wanted = demand.sales_wanted_gwh(
            demand.underlying_sales_gwh(classes.base_sales_gwh_per_month, classes.growth_per_year,
                                        classes.seasonal_by_month[month - 1], t),
            response, roof.self_consumed_gwh, lv.extra_sales_gwh_per_month[t], sez_col, sez_grid)
        # an incremental-consumption tariff: units above a reference respond to its price (§9)
        year_ago = s.month_ago(12)
        reference = incremental.reference_sales_gwh(
            demand.underlying_sales_gwh(classes.base_sales_gwh_per_month, classes.growth_per_year,
                                        classes.seasonal_by_month[month - 1], t - 12)
            if year_ago is None else year_ago.sales_by_class_gwh,
            lv.incremental_reference_share[t])
        wanted_before = wanted
        wanted = incremental.induced_sales_gwh(wanted, reference, incremental.price_ratio(
            lv.incremental_price_pkr_per_kwh[t] / pk_cpi[:, None], smoothed,
            lv.incremental_weight[t]), np.where(np.isnan(lv.incremental_elasticity[t]),
                                                classes.price_elasticity,
                                                lv.incremental_elasticity[t]))

        # losses, dispatch and sales (§6, §7)
        loss_multiplier = losses.class_loss_multipliers(classes.loss_multiplier, P, sez_col,
                                                        x.sez.loss_multiplier[:, t])
        actual_loss = losses.class_loss_rates(
            losses.seasonal_loss(lv.loss_actual[t], float(lv.loss_points[t])), loss_multiplier)
        units_wanted = losses.units_for_sales_gwh(wanted, actual_loss)
        exports = solar.exports_used_gwh(roof.export_offered_gwh, units_wanted)
        fuel_index = x.fuel_by_month[t][:, x.fuel_of_group]
        plant = supply.dispatch_month(
            plants, losses.generation_for_units_gwh(units_wanted - exports, x.transmission_loss),
            fuel_index, pk_cpi, month, lv.active[t], hours)
        from_plants = losses.delivered_gwh(plant.generation_gwh.sum(axis=1), x.transmission_loss)
        units = exports + from_plants
        sales = demand.served_sales_gwh(wanted, units, units_wanted)
        sold = sales.sum(axis=1)
        allowed_loss = losses.class_loss_rates(lv.loss_allowed[t], loss_multiplier)
        units_allowed = losses.units_for_sales_gwh(sales, allowed_loss)

        # payments due (§7) and the sector's cost at the allowed loss (§8)
        capacity, energy = supply.payments_due(plants, plant, x.month_rates(t),
                                               x.contract_terms(t))
        tx = costs.transmission_bn(x.tariff.transmission_pkr_per_kwh, pk_cpi, units)
        nm = costs.net_metering_bn(lv.buyback_pkr_per_kwh[t], exports)
        dm = costs.distribution_margin_bn(x.tariff.distribution_margin_pkr_per_kwh, pk_cpi,
                                          sales, classes.dm_share)
        cost = costs.sector_cost(capacity, energy, tx, nm, dm, units, units_allowed)

        # the tariff: determination with its monthly references, adjustments (§9)
        pass_through = lv.pass_through[t]
        multiplier = classes.tariff_multiplier * lv.tariff_multiplier_scale[t]
        _determine(x, s, t, multiplier, actual_loss, allowed_loss, pass_through)
        assert s.determination is not None
        fuel = supply.fuel_cost_bn(plants, plant.generation_gwh, fuel_index)
        adj = tariff.adjust(s.adjustments, t, month, s.determination, fuel,
                            cost.capacity_bn + tx + nm + cost.energy_bn - fuel,
                            from_plants, units, units_allowed, sales,
                            cost.revenue_requirement_allowed_bn, pass_through,
                            int(lv.fca_lag[t]), int(lv.qta_period[t]), int(lv.qta_lag[t]))
        package = sez.package_month(
            tariff.class_tariffs_pkr_per_kwh(s.determination.notified_pkr_per_kwh,
                                             s.determination.multipliers,
                                             tariff.fca_by_class_pkr_per_kwh(
                                                 adj.fca_pkr_per_kwh,
                                                 classes.fca_exempt_negative,
                                                 classes.fca_exempt_all),
                                             adj.qta_pkr_per_kwh, adj.pya_pkr_per_kwh),
            lv.billed_share[t], sales, sez_col, float(lv.sez_package_weight[t]),
            float(lv.sez_package_pkr_per_kwh[t]), float(lv.sez_package_usc_per_kwh[t]), fx,
            bool(lv.sez_package_cap[t]), lv.sez_package_funding[t])

        inc = incremental.discount(package.class_tariff_pkr_per_kwh, sales, reference,
                                   lv.incremental_price_pkr_per_kwh[t], lv.incremental_weight[t])

        # billing, collection, the subsidy and the DSS (§10, §11, §13)
        bills = billing.bill(inc.class_tariff_pkr_per_kwh, package.billed_share, sales)
        real_paid = demand.real_tariff_paid(package.class_tariff_pkr_per_kwh,
                                            package.billed_share, pk_cpi)
        if t == 0:
            s.reference_real_tariff = real_paid
        paid_x_sales = real_paid * sales
        s.price_sums = demand.window_step(s.price_sums, s.month_ago(demand.PRICE_WINDOW_MONTHS),
                                          paid_x_sales, sales)
        recovered, billed = bills.recovered_by_tariff_bn.sum(axis=1), bills.billed_bn.sum(axis=1)
        previous_bills = bills.billed_bn if s.billed_by_class_bn is None \
            else s.billed_by_class_bn  # the month before the start: a steady state
        due = billing.collectable_bn(bills.billed_bn, previous_bills, lv.next_month_share[t])
        dispute = billing.dispute_month(
            due, billing.seasonal_recovery_rates(
                billing.recovery_rates(lv.recovery[t], tariff_ratio,
                                       classes.recovery_elasticity),
                float(lv.recovery_points[t])),
            lv.withheld[t], s.disputed_bn, float(lv.dispute_settled[t]))
        collection = billing.collect(bills.billed_bn, dispute.recovery, s.receivables_bn,
                                     x.arrears_monthly_rate, due, dispute.settled_bn)
        funding = sez.package_funding(bills.subsidy_due_bn.sum(axis=1), package.gap_bn,
                                      lv.sez_package_funding[t])
        tds = subsidy.pay_subsidy(s.subsidy_queue_bn, t, int(lv.subsidy_lag[t]),
                                  funding.subsidy_due_bn, x.subsidy.pre_start_due_bn,
                                  lv.subsidy_payment[t],
                                  s.subsidy_paid_in_fy_bn, bool(x.subsidy.fy_start[t]),
                                  x.subsidy.fy_cap_bn[t], funding.budget_bn,
                                  owed_bn=s.subsidy_owed_bn,
                                  release_bn=x.subsidy.release_bn[t]
                                  if lv.subsidy_on_calendar[t] else None)
        dss_rate = debt.dss_rate_pkr_per_kwh(lv.dss_pkr_per_kwh[t], s.phl_debt_bn,
                                             x.tariff.dss_ends_when_phl_repaid)
        dss = debt.dss_collected_bn(dss_rate, sold,
                                    billing.collection_ratio(collection.collected_bn, billed))
        budget_cppa, budget_phl = lv.budget_cppa_bn_pkr[t], lv.budget_phl_bn_pkr[t]

        # one-off moves, PHL, LPS and the cash that reaches the creditors (§12-§14)
        moves = oneoffs.apply_one_offs(x.one_offs[t], s.payables_bn)
        if lv.phl_on_schedule[t]:
            phl = debt.phl_instalment_service(
                s.phl_debt_bn + moves.phl_change_bn, s.phl_accrued_interest_bn,
                s.phl_account_bn, s.phl_repaid_in_fy_bn, kibor, lv.phl_spread[t],
                budget_phl + moves.injection_phl_bn, dss, int(lv.phl_instalments_left[t]),
                float(lv.phl_cap_bn_per_fy[t]), bool(tl.fy_starts[t]))
        else:
            serve_phl = (debt.phl_interest_only_service if lv.phl_interest_only[t]
                         else debt.phl_service)
            phl = serve_phl(s.phl_debt_bn + moves.phl_change_bn, kibor, lv.phl_spread[t],
                            budget_phl + moves.injection_phl_bn, dss)
        lps = debt.late_payment_surcharge(moves.payables_bn, kibor, x.creditors.lps_spread,
                                          lv.lps_waiver[t], x.creditors.lps_accrues)
        invoices = cash.invoices(capacity, energy, tx, nm, x.creditors.group_to_creditor,
                                 x.creditors.transmission_col, x.creditors.net_metering_col)
        cash_in = cash.cash_in_bn(
            collection.collected_bn, dm, tds.paid_bn, budget_cppa, moves.injection_cppa_bn,
            phl.budget_left_bn, phl.dss_left_bn, phl.interest_from_cppa_bn)
        paid = cash.pay_creditors(x.allocation, moves.payables_bn, lps, invoices, cash_in,
                                  s.cash_bn, s.account_bn, collection.collected_bn)
        cd = debt.cd_stock_bn(paid.payables_bn, s.genco_fuel_payables_bn, phl.debt_bn,
                              paid.cash_bn, paid.account_bn)

        # each class's cost of service and cross-subsidy (§9); what a kWh costs an SEZ
        # manufacturer (§15); rooftop solar grows (§5)
        cos = service.cost_of_service(
            cost.ppp_bn * cost.allowed_share, dm, sales,
            service.class_gross_up(allowed_loss, x.service.level_allowed_loss),
            service.class_dm_weight(classes.dm_share, x.service.level_dm_share, sales.shape))
        cross = service.cross_subsidy(inc.class_tariff_pkr_per_kwh, package.billed_share,
                                      cos.total_pkr_per_kwh, sales)
        sez_cost = sez.cost_breakdown_pkr_per_kwh(
            cost.energy_bn, nm, cost.capacity_bn, tx,
            sez.fleet_utilisation(plant.generation_gwh, plant.available_gwh), units,
            units_allowed, sold, sez.per_kwh_sold(dm, sold), sez.per_kwh_sold(recovered, sold),
            package.sez_tariff_pkr_per_kwh, package.sez_price_pkr_per_kwh, dss_rate * np.ones(P),
            x.sez.taxes_share, cos.total_pkr_per_kwh[:, sez_col],
            cos.distribution_pkr_per_kwh[:, sez_col])
        solar_ratio = solar.grid_to_solar_ratio(billed, sold, x.solar.lcoe_pkr_per_kwh)
        if s.solar_reference_ratio is None:
            s.solar_reference_ratio = solar_ratio
        solar_mw = solar.next_capacity_mw(
            s.solar_mw, lv.solar_extra_mw_per_month[t], x.solar.additions_mw_per_year,
            solar_ratio, s.solar_reference_ratio, x.solar.defection_elasticity)

        # the flow by cause (§16)
        flows = causes.flow_causes(
            sector_cost_bn=cost.ppp_bn + dm,
            revenue_requirement_allowed_bn=cost.revenue_requirement_allowed_bn,
            recovered_by_tariff_bn=recovered, seasonal_timing_bn=adj.seasonal_timing_bn,
            pending_adjustments_bn=adj.pending_adjustments_bn,
            prior_year_adjustment_bn=adj.prior_year_adjustment_bn, billed_bn=billed,
            collected_bn=collection.collected_bn, subsidy_due_bn=tds.due_bn,
            subsidy_paid_bn=tds.paid_bn, unfunded_package_bn=funding.unfunded_bn,
            lps_bn=lps.sum(axis=1), phl_interest_bn=phl.interest_bn,
            dss_collected_bn=phl.dss_applied_bn, budget_cppa_bn=budget_cppa,
            budget_phl_bn=budget_phl, one_offs_bn=moves.flow_bn,
            excess_losses_bn=losses.excess_losses_at_tariff_bn(
                units, units_allowed, recovered, sold) if x.loss_valuation == "tariff" else None)

        rec.write(t, month_series(
            flows=flows, stock=cd, previous_stock=s.cd_stock_bn, paid=paid,
            genco_fuel_payables_bn=s.genco_fuel_payables_bn, phl=phl, cash_in_bn=cash_in,
            collection=collection, cost=cost, transmission_bn=tx, net_metering_bn=nm,
            recovered_bn=recovered, billed_bn=billed, subsidy=tds, dss_collected_bn=dss,
            units_gwh=units, plant=plant, sales_gwh=sales, units_allowed_gwh=units_allowed,
            solar_mw=solar_mw, roof=roof, exports_gwh=exports, determination=s.determination,
            adjustments=adj, fx=fx, kibor=kibor, sofr=x.exo.sofr[:, t],
            gdp=x.exo.gdp_bn_pkr_per_year[:, t],
            pk_cpi=pk_cpi, sez_column=sez_col, package=package, sez_cost=sez_cost,
            sez_captive_gwh=sez_captive))
        rec.write(t, {"incremental_units_gwh": inc.units_gwh.sum(axis=1),
                      "incremental_induced_gwh": (wanted - wanted_before).sum(axis=1),
                      "incremental_discount_bn_pkr": inc.discount_bn.sum(axis=1),
                      "disputed_dues_bn_pkr": dispute.disputed_bn})
        rec.write_by_class(t, {"sales_gwh": sales,
                               "tariff_pkr_per_kwh": inc.class_tariff_pkr_per_kwh,
                               "cost_of_service_pkr_per_kwh": cos.total_pkr_per_kwh,
                               "cross_subsidy_pkr_per_kwh": cross.pkr_per_kwh,
                               "cross_subsidy_bn_pkr": cross.bn})
        rec.write_by_creditor(t, {
            "payables_bn_pkr": paid.payables_bn, "paid_bn_pkr": paid.paid_bn, "lps_bn_pkr": lps,
            "invoice_energy_bn_pkr": invoices.energy_bn, "invoice_other_bn_pkr": invoices.other_bn,
            "one_off_bn_pkr": moves.moves_bn})
        rec.check_finite(t)

        # what the month leaves to the next
        s.recent.append(MonthRecord(month, sales, paid_x_sales))
        s.captive_share = sez.captive_share_step(
            s.captive_share, sez.usc_per_kwh(sez_cost["total"], fx),
            x.sez.captive_lcoe_usc_per_kwh[t], x.sez.captive_margin, x.sez.captive_speed,
            x.sez.captive_max_share)
        s.solar_mw, s.payables_bn, s.phl_debt_bn = solar_mw, paid.payables_bn, phl.debt_bn
        s.cash_bn, s.account_bn = paid.cash_bn, paid.account_bn
        s.receivables_bn, s.subsidy_paid_in_fy_bn = collection.receivables_bn, tds.paid_in_fy_bn
        s.billed_by_class_bn, s.subsidy_owed_bn = bills.billed_bn, tds.owed_bn
        s.disputed_bn = dispute.disputed_bn
        if lv.phl_on_schedule[t]:
            s.phl_account_bn, s.phl_accrued_interest_bn = phl.account_bn, phl.accrued_interest_bn
            s.phl_repaid_in_fy_bn = phl.repaid_in_fy_bn
        s.cd_stock_bn = cd
        if t == x.anchor_t:  # published month-end stocks replace the run's (§2)
            payables, genco, phl_debt = x.anchor_bn
            s.payables_bn = debt.anchored_payables_bn(s.payables_bn, payables)
            s.genco_fuel_payables_bn = np.full(P, genco)
            s.phl_debt_bn = np.full(P, phl_debt)
            s.phl_accrued_interest_bn = np.minimum(s.phl_accrued_interest_bn, s.phl_debt_bn)
            s.cd_stock_bn = debt.cd_stock_bn(s.payables_bn, s.genco_fuel_payables_bn,
                                             s.phl_debt_bn, s.cash_bn, s.account_bn)
    traj = rec.trajectories()
    return traj if x.anchor_t < 0 else traj.after(x.anchor_t)


def simulate_scenario(scenario: Scenario, n_paths: int = 1, *, exo: ExogenousPaths | None = None,
                      sez_weights: np.ndarray | None = None, detail: bool = True,
                      keep: Collection[str] | None = None) -> Trajectories:
    """Compile a scenario for ``n_paths`` paths and run it: :func:`compile_inputs` then
    :func:`simulate`."""
    return simulate(compile_inputs(scenario, n_paths, exo, sez_weights), detail=detail,
                    keep=keep)
