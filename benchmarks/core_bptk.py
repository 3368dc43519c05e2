"""The core scenario in BPTK-Py's SD DSL, run on its Rust engine.

Runs in its own interpreter (BPTK-Py 3.3+, which ships the Rust engine, needs Python >=
3.12; the project's venv is 3.11): ``benchmarks/.venv-bptk/bin/python core_bptk.py
PARAMS.json FX.npy OUT.npy [--repeats=N] [--arrayed]``. Reads the core parameters (from
core_common.core_params) and circdebt's exchange-rate paths, writes the CD stock paths
(paths, T) and prints the timings as JSON.

Two ways to run many paths, both with the model serialised and loaded into the Rust
engine once:
- scalar (default): one model; for each path the fx lookup table is replaced
  (``set_points``) and the model simulated again (360 steps in Rust per call);
- ``--arrayed``: the model's path-dependent elements are vectors over paths, the way the
  PySD peer uses a subscript; BPTK's serialiser flattens every cell into an entity of its
  own, so this is one simulate() call for all paths.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from BPTK_Py import Model
from BPTK_Py import sd_functions as sd

DAYS = [(1, 31), (2, 28), (3, 31), (4, 30), (5, 31), (6, 30), (7, 31), (8, 31), (9, 30),
        (10, 31), (11, 30), (12, 31)]


def build(p: dict, n_paths: int | None = None, fx_paths: np.ndarray | None = None) -> Model:
    """The core model. With ``n_paths``, path-dependent elements are vectors over paths and
    each path reads its own fx table ``fx_<i>``; otherwise it is scalar and reads ``fx``."""
    m = Model(starttime=0, stoptime=p["n_months"] - 1, dt=1, name="core")
    T = p["n_months"]
    arrayed = n_paths is not None

    def const(name, value):
        c = m.constant(name)
        c.equation = float(value)
        return c

    def conv(name, equation=None):
        c = m.converter(name)
        if equation is not None:
            c.equation = equation
        return c

    def vec(name, kind="converter"):
        """An element that depends on the path: a vector over paths when arrayed.

        Flows are biflows: a plain BPTK flow is a uniflow and never goes below zero."""
        e = {"converter": m.converter, "stock": m.stock, "flow": m.biflow}[kind](name)
        if arrayed:
            e.setup_vector(n_paths, 0.0)
        return e

    def per_path(element, make):
        """Set ``element``'s equation from ``make(i, get)``, where get(x) is x's cell."""
        if arrayed:
            for i in range(n_paths):
                element[i] = make(i, lambda x, i=i: x[i] if hasattr(x, "setup_vector") and
                                  x._elements.vector_size() else x)
        else:
            element.equation = make(None, lambda x: x)

    t = sd.time()
    offset = p["start_calendar_month"] - 1
    calendar_month = conv("calendar_month", (t + offset) % 12 + 1)
    calendar_year = conv("calendar_year", p["start_year"] + sd.floor((t + offset) / 12))
    m.points["days"] = DAYS
    m.points["seasonal"] = [(i + 1, v) for i, v in enumerate(p["seasonal"])]
    leap_feb = sd.If(sd.And(calendar_month == 2, calendar_year % 4 == 0), 1.0, 0.0)
    hours = conv("hours_in_month", 24.0 * (sd.lookup(calendar_month, "days") + leap_feb))
    seasonal = conv("seasonal_factor", sd.lookup(calendar_month, "seasonal"))

    # PK CPI index: 1 in the first month, x factor each month
    pk_cpi = m.stock("pk_cpi_index")
    pk_cpi.initial_value = 1.0
    cpi_growth = m.biflow("pk_cpi_growth")
    cpi_growth.equation = pk_cpi * (p["pk_cpi_monthly_factor"] - 1.0)
    pk_cpi.equation = cpi_growth

    # exchange rate from data: one lookup table per path
    fx = vec("fx")
    if arrayed:
        for i in range(n_paths):
            m.points[f"fx_{i}"] = [(float(k), float(v)) for k, v in enumerate(fx_paths[i])]
            fx[i] = sd.lookup(t, f"fx_{i}")
    else:
        m.points["fx"] = [(float(k), 0.0) for k in range(T)]
        fx.equation = sd.lookup(t, "fx")
    fuel_index = vec("fuel_index")
    if arrayed:
        for i in range(n_paths):
            fuel_index[i] = fx[i] / sd.lookup(0.0, f"fx_{i}")
    else:
        fuel_index.equation = fx / sd.lookup(0.0, "fx")

    # demand and dispatch
    growth_base = const("sales_growth_base", 1.0 + p["sales_growth"])
    wanted = conv("wanted_sales", p["base_sales_gwh_per_month"]
                  * growth_base ** (t / 12.0) * seasonal)
    units_wanted = conv("units_wanted", wanted / (1.0 - p["loss_actual"]))
    available = conv("available_energy", p["capacity_mw"] * p["availability"] * hours / 1000.0)
    generation = conv("generation", sd.min(sd.max(units_wanted, 0.0), available))
    served = conv("served_share", sd.safediv(generation, units_wanted))
    sales = conv("sales", wanted * served)
    units_allowed = conv("units_allowed", sales / (1.0 - p["loss_allowed"]))
    allowed_share = conv("allowed_share", sd.safediv(units_allowed, generation))
    dm = conv("distribution_margin", p["dm_rate"] * pk_cpi * sales * 0.001)

    # payments
    epp, cp, ec, rr = vec("energy_price"), vec("capacity_payment"), vec("energy_payment"), \
        vec("rr_allowed")
    per_path(epp, lambda i, g: p["fuel_cost"] * g(fuel_index) + p["vom"] * pk_cpi)
    per_path(cp, lambda i, g: p["capacity_mw"] * (p["cpp_usd"] * g(fx) + p["cpp_pkr"] * pk_cpi)
             * 1e-6)
    per_path(ec, lambda i, g: generation * g(epp) * 0.001)
    per_path(rr, lambda i, g: (g(cp) + g(ec)) * allowed_share + dm)

    # rebasing from the trailing 12 months (accumulators reset at each rebasing)
    rebasing = conv("rebasing_now", sd.If(sd.And(calendar_month == p["rebasing_month"], t > 0),
                                          1.0, 0.0))

    def accumulator(name, inflow, path_dependent=False):
        stock = vec(name, "stock") if path_dependent else m.stock(name)
        flow = vec(name + "_net", "flow") if path_dependent else m.biflow(name + "_net")
        if path_dependent:
            if arrayed:
                for i in range(n_paths):
                    stock[i].initial_value = 0.0
            else:
                stock.initial_value = 0.0
            per_path(flow, lambda i, g: g(inflow) - rebasing * g(stock))
            per_path(stock, lambda i, g: g(flow))
        else:
            stock.initial_value = 0.0
            flow.equation = inflow - rebasing * stock
            stock.equation = flow
        return stock

    trailing_sales = accumulator("trailing_sales", sales)
    trailing_seasonal = accumulator("trailing_seasonal", seasonal)

    def held(name, new_value, initial, condition):
        """Sample and hold: ``new_value`` when ``condition`` is 1, else last month's value."""
        e = vec(name)
        per_path(e, lambda i, g: sd.If(condition == 1.0, g(new_value),
                                       sd.previous(m, g(e), initial)))
        return e

    def held_scalar(name, new_value, initial, condition):
        e = m.converter(name)
        e.equation = sd.If(condition == 1.0, new_value, sd.previous(m, e, initial))
        return e

    # the determination (docs/model.md §9): the first month's and each rebasing's projection
    # of the twelve months ahead at the determination month's prices; the plant never
    # binds, so a projected month's generation is its projected units, and the references
    # are closed forms of the projected sales
    determining = conv("determining", sd.If(sd.Or(t == 0, rebasing == 1.0), 1.0, 0.0))
    annual = conv("projected_annual_sales", sd.safediv(trailing_sales * 12.0, trailing_seasonal)
                  * (1.0 + p["rebasing_sales_growth"]))
    annual_held = held_scalar("determination_annual_sales", annual, 0.0, rebasing)
    rebased = held_scalar("rebased_once", 1.0, 0.0, rebasing)
    # the first determination projects the underlying demand of the twelve months from the
    # start, which in the first year is the month's own wanted sales; its total is a constant
    first_total = sum(p["base_sales_gwh_per_month"] * (1.0 + p["sales_growth"]) ** (k / 12.0)
                      * p["seasonal"][(offset + k) % 12] for k in range(12))
    season_total = float(sum(p["seasonal"]))
    s_month = conv("projected_sales_this_month", sd.If(
        rebased == 1.0, annual_held / 12.0 * seasonal, wanted))
    s_total = conv("projected_total_sales", sd.If(
        rebased == 1.0, annual_held / 12.0 * season_total, first_total))
    u_month = conv("projected_units_this_month", s_month / (1.0 - p["loss_actual"]))
    a_month = conv("projected_allowed_this_month", s_month / (1.0 - p["loss_allowed"]))
    u_total = conv("projected_total_units", s_total / (1.0 - p["loss_actual"]))
    a_total = conv("projected_total_allowed", s_total / (1.0 - p["loss_allowed"]))
    cpi0 = held_scalar("determination_pk_cpi", pk_cpi, 1.0, determining)
    cp0 = held("determination_capacity_payment", cp, 0.0, determining)
    new_fuel = vec("new_fuel_reference")
    per_path(new_fuel, lambda i, g: sd.If(
        t == 0, p["fuel_cost"] * g(fuel_index) * sd.safediv(
            p["initial_fuel_reference"], p["fuel_cost"] * g(fuel_index) * a_total / s_total),
        p["fuel_cost"] * g(fuel_index)))
    fuel_ref = held("fuel_reference", new_fuel, 0.0, determining)
    nonfuel_ref, year_nonfuel, uniform, requirement, timing = (
        vec("nonfuel_reference_this_month"), vec("year_nonfuel_reference"),
        vec("uniform_tariff"), vec("reference_requirement_this_month"),
        vec("timing_this_month"))
    per_path(nonfuel_ref, lambda i, g: (g(cp0) + p["vom"] * cpi0 * 0.001 * u_month)
             * (a_month / u_month))
    per_path(year_nonfuel, lambda i, g: (12.0 * g(cp0) + p["vom"] * cpi0 * 0.001 * u_total)
             * (a_total / u_total))
    per_path(uniform, lambda i, g: (g(fuel_ref) * a_total * 0.001 + g(year_nonfuel)
                                    + p["dm_rate"] * cpi0 * 0.001 * s_total) / s_total * 1000.0)
    per_path(requirement, lambda i, g: g(fuel_ref) * a_month * 0.001 + g(nonfuel_ref)
             + p["dm_rate"] * cpi0 * 0.001 * s_month)
    per_path(timing, lambda i, g: g(requirement) - g(uniform) * s_month * 0.001)

    determined = held("determined_tariff", uniform, p["initial_determined"], rebasing)
    notified = vec("notified_tariff")
    per_path(notified, lambda i, g: sd.If(
        rebasing == 1.0,
        sd.previous(m, g(notified), p["initial_determined"])
        + p["pass_through"] * (g(uniform) - sd.previous(m, g(notified), p["initial_determined"])),
        sd.previous(m, g(notified), p["initial_determined"])))

    # FCA (fuel cost per kWh delivered against the reference, on the allowed units) and QTA
    # (the non-fuel bill in the allowed share against the month's reference)
    fuel_dev, fca = vec("fuel_deviation"), vec("fca_amount")
    per_path(fuel_dev, lambda i, g: (p["fuel_cost"] * g(fuel_index) - g(fuel_ref))
             * units_allowed * 0.001)
    per_path(fca, lambda i, g: p["pass_through"] * sd.delay(m, g(fuel_dev), p["fca_lag"], 0.0))
    closes = conv("quarter_closes", sd.If(calendar_month % p["qta_period"] == 0, 1.0, 0.0))
    qta_dev = vec("qta_deviation")
    per_path(qta_dev, lambda i, g: (g(cp) + p["vom"] * pk_cpi * generation * 0.001)
             * allowed_share - g(nonfuel_ref))
    qta_open = vec("qta_open", "stock")
    qta_open_net = vec("qta_open_net", "flow")
    if arrayed:
        for i in range(n_paths):
            qta_open[i].initial_value = 0.0
    else:
        qta_open.initial_value = 0.0
    per_path(qta_open_net, lambda i, g: g(qta_dev) - closes * (g(qta_open) + g(qta_dev)))
    per_path(qta_open, lambda i, g: g(qta_open_net))
    qta_close_amount = vec("qta_close_amount")
    per_path(qta_close_amount, lambda i, g: p["pass_through"] * (g(qta_open) + g(qta_dev))
             / p["qta_period"])
    qta_held = held("qta_held", qta_close_amount, 0.0, closes)
    qta = vec("qta_amount")
    per_path(qta, lambda i, g: sd.delay(m, g(qta_held), p["qta_lag"], 0.0))

    # the prior-year adjustment: the residual beyond the planned timing since the last
    # rebasing, booked at the rebasing over the new year by projected-sales weights
    residual = vec("residual_month")
    per_path(residual, lambda i, g: g(rr) - g(fuel_dev) - g(qta_dev)
             - g(determined) * sales * 0.001 - g(timing))
    pya_residual = accumulator("pya_residual", residual, path_dependent=True)
    pya_close = vec("pya_close_amount")
    per_path(pya_close, lambda i, g: p["pass_through"] * g(pya_residual))
    pya_booked = held("pya_booked", pya_close, 0.0, rebasing)
    pya = vec("pya_amount")
    per_path(pya, lambda i, g: g(pya_booked) * sd.safediv(s_month, s_total))

    # billing, collection, subsidy
    tariff, passed, billed, tds_due, collected, tds_paid = (
        vec("class_tariff"), vec("passed"), vec("billed"), vec("tds_due"), vec("collected"),
        vec("tds_paid"))
    per_path(tariff, lambda i, g: g(notified) + (sd.safediv(g(fca), sales) * 1000.0
                                                 + (sd.safediv(g(qta), sales) * 1000.0
                                                    + sd.safediv(g(pya), sales) * 1000.0)))
    per_path(passed, lambda i, g: g(tariff) * sales * 0.001)
    per_path(billed, lambda i, g: g(passed) * p["billed_share"])
    per_path(tds_due, lambda i, g: g(passed) - g(billed))
    per_path(collected, lambda i, g: g(billed) * p["recovery"])
    per_path(tds_paid, lambda i, g: p["subsidy_payment"]
             * sd.delay(m, g(tds_due), p["subsidy_lag"], p["pre_start_due"]))

    # PHL, LPS, cash
    phl = m.stock("phl_debt")
    phl.initial_value = p["phl0"]
    phl_interest = m.biflow("phl_interest")
    phl_interest.equation = phl * p["phl_rate"] / 12.0
    phl.equation = phl_interest
    payables, cppa_cash = vec("payables", "stock"), vec("cppa_cash", "stock")
    if arrayed:
        for i in range(n_paths):
            payables[i].initial_value = p["payables0"]
            cppa_cash[i].initial_value = 0.0
    else:
        payables.initial_value = p["payables0"]
        cppa_cash.initial_value = 0.0
    lps, dues, cash, paid, pay_net, cash_net, cd = (
        vec("lps"), vec("dues"), vec("cash_available"), vec("paid"),
        vec("payables_net", "flow"), vec("cppa_cash_net", "flow"), vec("cd_stock"))
    per_path(lps, lambda i, g: g(payables) * p["lps_rate"] / 12.0)
    per_path(dues, lambda i, g: g(payables) + g(lps) + g(cp) + g(ec))
    per_path(cash, lambda i, g: g(collected) - dm + g(tds_paid) + g(cppa_cash))
    per_path(paid, lambda i, g: sd.min(sd.max(g(cash), 0.0), g(dues)))
    per_path(pay_net, lambda i, g: g(lps) + g(cp) + g(ec) - g(paid))
    per_path(payables, lambda i, g: g(pay_net))
    per_path(cash_net, lambda i, g: g(collected) - dm + g(tds_paid) - g(paid))
    per_path(cppa_cash, lambda i, g: g(cash_net))
    per_path(cd, lambda i, g: (g(dues) - g(paid)) + p["genco0"] + (phl + phl_interest)
             - (g(cash) - g(paid)))
    return m


def frame_to_array(raw: dict, name: str, T: int) -> np.ndarray:
    """One result series as an array over months (the engine keys results by time text)."""
    series = {float(k): v for k, v in raw[name].items()}
    return np.array([series[float(k)] for k in range(T)])


def best_of(fn, repeats: int) -> tuple[float, float, object]:
    """(best wall seconds, best CPU seconds, result) over ``repeats`` calls."""
    wall = cpu = float("inf")
    result = None
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu, result


def run_scalar(p: dict, fx_paths: np.ndarray, repeats: int = 1) -> tuple[np.ndarray, dict]:
    from BPTK_Py._rust_engine import RustSdEngine

    T = p["n_months"]
    t0 = time.perf_counter()
    model = build(p)
    rust = RustSdEngine().load_model(model.to_json())
    load = time.perf_counter() - t0

    def run():
        out = np.empty_like(fx_paths)
        for i, path in enumerate(fx_paths):
            rust.set_points("fx", [(float(k), float(v)) for k, v in enumerate(path)])
            out[i] = frame_to_array(rust.simulate(["cd_stock"]), "cd_stock", T)
        return out

    wall, cpu, out = best_of(run, repeats)
    return out, {"load_seconds": load, "run_seconds": wall, "run_cpu_seconds": cpu,
                 "mode": "scalar model, set_points + simulate per path"}


def run_arrayed(p: dict, fx_paths: np.ndarray, repeats: int = 1) -> tuple[np.ndarray, dict]:
    from BPTK_Py._rust_engine import RustSdEngine

    n, T = fx_paths.shape
    t0 = time.perf_counter()
    model = build(p, n_paths=n, fx_paths=fx_paths)
    rust = RustSdEngine().load_model(model.to_json())
    load = time.perf_counter() - t0
    names = [f"cd_stock[{i}]" for i in range(n)]

    def run():
        raw = rust.simulate(names)
        return np.array([frame_to_array(raw, name, T) for name in names])

    wall, cpu, out = best_of(run, repeats)
    return out, {"load_seconds": load, "run_seconds": wall, "run_cpu_seconds": cpu,
                 "mode": "arrayed model (paths as a vector), one simulate"}


def main() -> None:
    params_file, fx_file, out_file = sys.argv[1:4]
    arrayed = "--arrayed" in sys.argv[4:]
    repeats = next((int(a.split("=")[1]) for a in sys.argv[4:] if a.startswith("--repeats=")), 1)
    with open(params_file) as f:
        p = json.load(f)
    fx_paths = np.load(fx_file)
    out, timing = (run_arrayed if arrayed else run_scalar)(p, fx_paths, repeats)
    np.save(out_file, out)
    import BPTK_Py
    from BPTK_Py import _rust_engine
    timing.update(paths=int(fx_paths.shape[0]), months=int(fx_paths.shape[1]),
                  bptk_version=BPTK_Py.__version__ if hasattr(BPTK_Py, "__version__") else "?",
                  rust_engine_version=str(_rust_engine.version()),
                  python=sys.version.split()[0])
    print(json.dumps(timing))


if __name__ == "__main__":
    main()
