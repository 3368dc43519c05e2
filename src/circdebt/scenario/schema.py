"""The scenario schema: what a scenario file may say, with units in every key.

A scenario is plain data. This module declares its shape with pydantic models so that
every file is checked strictly (unknown keys are errors, ranges are enforced) before
any computation starts. Reading files, ``extends`` and ``--set`` live in
:mod:`circdebt.io.reading`; cross-field rules (a plant naming a fuel index that does not
exist, an end before the start) live in :mod:`circdebt.scenario.consistency`; policy
blocks and targets in :mod:`circdebt.scenario.policies`.

Defaults: a default either has no effect (0, 100 %, off) or cites its source; one
that does neither is marked ASSUMPTION in its table's docstring. Conventions
(docs/model.md §21): keys end in their unit; percentages are given as percent.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from circdebt.scenario.contracts import CapacityComponent
from circdebt.scenario.distributions import Distribution
from circdebt.scenario.fields import (
    FUEL_INDEX_RANGE,
    FX_RANGE,
    GDP_RANGE,
    INFLATION_RANGE,
    KIBOR_RANGE,
    LOSS_RANGE,
    NOT_A_FRACTION,
    SOFR_RANGE,
    Bn,
    GwhPerYear,
    MonthlyPercents,
    MonthlyPoints,
    MonthlyProfile,
    MonthStr,
    Mw,
    Name,
    Percent,
    PerKwh,
    PerKwMonth,
    PositivePerKwh,
    ReleaseShares,
    Share,
    Strict,
    Text,
    UsdPerKwMonth,
    Weight,
)
from circdebt.scenario.policies import Policy, Target
from circdebt.scenario.series import Series

# the SEZ and tariff tables live in their own modules; re-exported here as the schema
from circdebt.scenario.sez import SEZ_CLASS as SEZ_CLASS
from circdebt.scenario.sez import Sez as Sez
from circdebt.scenario.sez import SezBenchmark as SezBenchmark
from circdebt.scenario.sez import SezCaptive as SezCaptive
from circdebt.scenario.sez import SezZone as SezZone
from circdebt.scenario.tariff import OpeningAdjustment as OpeningAdjustment
from circdebt.scenario.tariff import Subsidy as Subsidy
from circdebt.scenario.tariff import Tariff as Tariff
from circdebt.timeline import DEFAULT_FY_START_MONTH


class TimeSpan(Strict):
    """First and last month simulated, inclusive (``"YYYY-MM"``), and the month the
    fiscal year starts in (docs/model.md §1).

    Default ``fiscal_year_start_month = 7``: the Government of Pakistan's fiscal year runs
    July to June (Finance Division, Budget in Brief). 1 gives calendar years (Ghana), 4
    April-March years (India, South Africa). Fiscal years are named after the calendar
    year they end in.
    """

    start: MonthStr
    end: MonthStr
    fiscal_year_start_month: Annotated[int, Field(ge=1, le=12)] = DEFAULT_FY_START_MONTH


class FuelIndex(Strict):
    """A fuel price index, 1.0 at the start month unless the schedule says otherwise.

    ``currency = "usd"`` means the fuel is priced in dollars: its rupee cost moves with
    the index *and* with the exchange rate.
    """

    currency: Literal["usd", "pkr"]
    index: Annotated[Series, FUEL_INDEX_RANGE] = 1.0


class FxShock(Strict):
    """Exchange-rate risk around the scenario's path: geometric Brownian motion with
    ``volatility_pct_per_year`` and, each month with ``jump_probability_pct_per_month``,
    a devaluation of ``jump_mean_pct`` (sd ``jump_sd_pct``) that persists."""

    volatility_pct_per_year: Annotated[float, Field(ge=0.0, le=200.0)] = 0.0
    jump_probability_pct_per_month: Percent = 0.0
    jump_mean_pct: Annotated[float, Field(ge=-90.0, le=500.0)] = 0.0
    jump_sd_pct: Annotated[float, Field(ge=0.0, le=500.0)] = 0.0


class RateShock(Strict):
    """Interest-rate risk: a mean-reverting (Ornstein-Uhlenbeck) deviation from the path,
    in percentage points, floored so the rate never goes below zero.

    Default ``mean_reversion_per_year = 1``: ASSUMPTION (a deviation decays by about 60%
    in a year); it matters only with a volatility.
    """

    volatility_pct_points_per_year: Annotated[float, Field(ge=0.0, le=50.0)] = 0.0
    mean_reversion_per_year: Annotated[float, Field(ge=0.0, le=50.0)] = 1.0


class PriceShock(Strict):
    """Price risk: geometric Brownian motion around the path (no drift of its own)."""

    volatility_pct_per_year: Annotated[float, Field(ge=0.0, le=300.0)] = 0.0


class Shocks(Strict):
    """Stochastic forms of the exogenous paths, used by Monte Carlo runs only."""

    fx_pkr_per_usd: FxShock | None = None
    kibor_pct: RateShock | None = None
    sofr_pct: RateShock | None = None
    fuels: dict[Name, PriceShock] = Field(default_factory=dict)


class Exogenous(Strict):
    """Paths the model takes as given (docs/model.md §3); ``shocks`` make them stochastic.

    ``sofr_pct`` is the US dollar benchmark (SOFR, LIBOR before its cessation in 2023) on
    which foreign-loan interest floats. It has no default: a scenario whose plant groups
    carry foreign debt interest must give it (scenario/consistency.py); without it the
    path is 0 and no capacity price reads it.
    """

    fx_pkr_per_usd: Annotated[Series, FX_RANGE]
    kibor_pct: Annotated[Series, KIBOR_RANGE]
    sofr_pct: Annotated[Series, SOFR_RANGE] | None = None
    pk_cpi_inflation_pct_per_year: Annotated[Series, INFLATION_RANGE]
    us_cpi_inflation_pct_per_year: Annotated[Series, INFLATION_RANGE]
    gdp_bn_pkr_per_year: Annotated[Series, GDP_RANGE]
    fuels: dict[Name, FuelIndex] = Field(default_factory=dict)
    shocks: Shocks = Shocks()


class PlantGroup(Strict):
    """A group of plants with one contract form (docs/model.md §7).

    The capacity price is given either by contract component or by the legacy keys,
    never both (scenario/consistency.py refuses a group with non-zero prices under
    both). Components, at start-month values, each with its own index:
    ``roe_usd_per_kw_month`` (return on dollar equity, x fx); ``local_roe_pkr_per_kw_month``
    (a return on equity fixed in rupees, no index: the rupee RoE of revised IPP and GPP
    contracts); ``foreign_debt_principal_usd_per_kw_month`` (x fx, until maturity) and
    ``foreign_debt_interest_usd_per_kw_month`` (x outstanding principal share x
    (SOFR_t + spread) / (SOFR_0 + spread) x fx, ``foreign_debt_spread_pct``);
    ``local_debt_principal_pkr_per_kw_month`` (until maturity) and
    ``local_debt_interest_pkr_per_kw_month`` (x outstanding share x (KIBOR_t + spread) /
    (KIBOR_0 + spread), ``local_debt_spread_pct``); ``foreign_om_usd_per_kw_month`` (x US
    CPI x fx); ``local_om_pkr_per_kw_month`` (x PK CPI); ``insurance_usd_per_kw_month``
    (x fx: a percent of the dollar EPC cost). Principal is repaid in equal instalments
    from the start month to ``debt_maturity``, which debt components require.

    Legacy keys (the earlier, broader indexation, kept with their meaning): the whole of
    ``cpp_usd_per_kw_month`` follows fx x US CPI, its ``cpp_usd_debt_share_pct`` ending
    at ``debt_maturity``; ``cpp_pkr_per_kw_month`` follows PK CPI, its
    ``cpp_pkr_debt_share_pct`` KIBOR instead, ending at maturity.

    ``contract``: ``take_or_pay`` pays capacity on availability, ``take_and_pay`` only on
    the dispatched share of available energy, ``hybrid`` pays each component named in
    ``paid_on_availability_pct`` that percent on availability and the rest on the
    dispatched share (components only). A group is paid and dispatched from
    ``commissioning`` (if given) until ``contract_expiry``.

    Defaults: ``contract = "take_or_pay"``, the form of the IPP contracts under the 1994,
    2002 and 2015 power policies (PPIB standardised PPA, 2006: capacity paid on declared
    availability); ``local_debt_spread_pct = 3``: NEPRA's upfront tariffs allow local
    financing at KIBOR plus 300 basis points (NEPRA upfront tariff for MSW projects, as
    reported by The News, 13 July 2018); ``foreign_debt_spread_pct = 4.5``: ASSUMPTION,
    the spread over LIBOR commonly reported for CPEC power loans (not checked against a
    determination's text); it matters only through (SOFR_t + s) / (SOFR_0 + s), and
    Pakistan's 2024 request to China was to cut it (The Express Tribune via Daily Waadi,
    https://dailywaadi.com/?p=5090). Availability 100%
    and no capacity-factor profile mean no limit beyond the capacity itself.
    """

    name: Name
    creditor: Name
    fuel: Name | None = None
    capacity_mw: Mw
    availability_pct: Share = 100.0
    must_run: bool = False
    monthly_capacity_factor_pct: MonthlyPercents | None = None
    contract: Literal["take_or_pay", "take_and_pay", "hybrid"] = "take_or_pay"
    paid_on_availability_pct: dict[CapacityComponent, Percent] = Field(default_factory=dict)
    cpp_usd_per_kw_month: UsdPerKwMonth = 0.0
    cpp_usd_debt_share_pct: Share = 0.0
    cpp_pkr_per_kw_month: PerKwMonth = 0.0
    cpp_pkr_debt_share_pct: Share = 0.0
    roe_usd_per_kw_month: UsdPerKwMonth = 0.0
    local_roe_pkr_per_kw_month: PerKwMonth = 0.0
    foreign_debt_principal_usd_per_kw_month: UsdPerKwMonth = 0.0
    foreign_debt_interest_usd_per_kw_month: UsdPerKwMonth = 0.0
    foreign_debt_spread_pct: Annotated[float, Field(gt=0.0, le=50.0)] = 4.5
    local_debt_principal_pkr_per_kw_month: PerKwMonth = 0.0
    local_debt_interest_pkr_per_kw_month: PerKwMonth = 0.0
    foreign_om_usd_per_kw_month: UsdPerKwMonth = 0.0
    local_om_pkr_per_kw_month: PerKwMonth = 0.0
    insurance_usd_per_kw_month: UsdPerKwMonth = 0.0
    local_debt_spread_pct: Annotated[float, Field(ge=-10.0, le=50.0)] = 3.0
    commissioning: MonthStr | None = None
    debt_maturity: MonthStr | None = None
    contract_expiry: MonthStr | None = None
    fuel_cost_pkr_per_kwh: PerKwh = 0.0
    vom_pkr_per_kwh: PerKwh = 0.0


class Supply(Strict):
    """The generators and the transmission system (docs/model.md §6, §7).

    ``transmission_loss_pct`` is the share of generation lost in transmission before the
    distribution companies receive it (NTDC's losses; the T&D losses under [losses] are
    the distribution companies' own). Default 0: no effect.
    """

    transmission_pkr_per_kwh: PerKwh = 0.0
    transmission_loss_pct: Annotated[float, Field(ge=0.0, le=30.0, allow_inf_nan=False),
                                     NOT_A_FRACTION] = 0.0
    plants: Annotated[list[PlantGroup], Field(min_length=1, max_length=200)]


class ConsumerClass(Strict):
    """A consumer class (docs/model.md §4, §9).

    ``seasonal_profile`` gives relative monthly sales January..December; it is
    normalised to average 1. ``billed_pct_of_determined`` below 100 makes the class
    protected: the rest of its determined tariff is the tariff differential subsidy.
    ``loss_multiplier`` scales the system loss rate for this class's sales (bulk
    supply at high voltage loses less: units purchased for it are S / (1 - L x m)).
    ``distribution_margin_pct`` is the share of the distribution margin its sales carry
    (0 for a bulk buyer that does not use the DISCOs' networks). ``voltage`` names the
    ``[[cost_of_service.voltage_levels]]`` level it is supplied at, which sets its cost of
    service (docs/model.md §9); without one, its cost of service uses its own allowed
    loss (system allowed loss x ``loss_multiplier``) and ``distribution_margin_pct``.
    ``recovery_elasticity``
    e lowers recovery as the real tariff rises: recovery x (tariff / first month's) ** -e,
    on the same 12-month sales-weighted real tariff as the price response, at most 100%.
    ``fca_exemption`` says which fuel charge adjustments the class is not charged:
    ``"negative"`` (NEPRA has not passed negative FCAs to non-ToU domestic consumers up to
    300 units since June 2015, nor to agriculture since November 2010; Business Recorder,
    27 February 2025), ``"all"`` (lifeline consumers), or ``"none"`` (the default: no
    effect). An exempt class's share of an FCA is charged to nobody (docs/model.md §9).
    """

    name: Name
    base_sales_gwh_per_year: GwhPerYear
    growth_pct_per_year: Annotated[float, Field(gt=-100.0, le=100.0)] = 0.0
    seasonal_profile: MonthlyProfile | None = None
    price_elasticity: Annotated[float, Field(ge=-5.0, le=0.0)] = 0.0
    tariff_multiplier: Annotated[float, Field(gt=0.0, le=10.0)] = 1.0
    billed_pct_of_determined: Share = 100.0
    recovery_pct: Share = 100.0
    loss_multiplier: Annotated[float, Field(ge=0.0, le=3.0)] = 1.0
    distribution_margin_pct: Share = 100.0
    recovery_elasticity: Annotated[float, Field(ge=0.0, le=5.0)] = 0.0
    voltage: Name | None = None
    fca_exemption: Literal["none", "negative", "all"] = "none"

    @field_validator("seasonal_profile")
    @classmethod
    def _profile_not_all_zero(cls, profile: list[float] | None) -> list[float] | None:
        if profile is not None and sum(profile) <= 0:
            raise ValueError("seasonal_profile must have at least one positive month")
        return profile


class RooftopSolar(Strict):
    """Behind-the-meter solar and net metering (docs/model.md §5).

    Class base sales are net of the rooftop solar installed at the start; only solar
    added after the start lowers them further. Additions per year scale with (grid
    tariff / solar cost) relative to the start, raised to ``defection_elasticity``.

    Defaults: ``capacity_factor_pct = 16``: ASSUMPTION, about 1,400 kWh per kWp a year,
    the low end of Pakistan's photovoltaic potential (World Bank / ESMAP Global Solar
    Atlas, 4-4.5 kWh/kWp a day); ``self_consumption_pct = 60`` and ``lcoe_pkr_per_kwh =
    10``: ASSUMPTIONS, which matter only when rooftop capacity is given (none by
    default).
    """

    capacity_mw: Mw = 0.0
    additions_mw_per_year: Mw = 0.0
    capacity_factor_pct: Share = 16.0
    self_consumption_pct: Share = 60.0
    buyback_pkr_per_kwh: PerKwh = 0.0
    lcoe_pkr_per_kwh: PositivePerKwh = 10.0
    defection_elasticity: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    class_shares_pct: dict[Name, Percent] = Field(default_factory=dict)


class VoltageLevel(Strict):
    """A supply voltage level for the cost of service (docs/model.md §9).

    ``allowed_loss_pct``: the losses allowed from the generation end down to this level,
    in percent of the units bought for it (a unit sold here costs PPP per unit purchased
    / (1 - loss)); ``distribution_margin_pct``: the weight per kWh of the distribution
    margin carried by sales at this level (0 for supply at the transmission level, 100
    for the low-voltage network). Both are relative: the allocation over classes is
    scaled so that the classes' costs of service add up to the revenue requirement at
    the allowed loss.
    """

    name: Name
    allowed_loss_pct: Annotated[float, Field(ge=0.0, lt=100.0, allow_inf_nan=False),
                                NOT_A_FRACTION]
    distribution_margin_pct: Share = 100.0
    source: Text = ""


class CostOfService(Strict):
    """Voltage levels at which classes take supply (docs/model.md §9); none by default."""

    voltage_levels: Annotated[list[VoltageLevel], Field(max_length=20)] = Field(
        default_factory=list)


class Demand(Strict):
    classes: Annotated[list[ConsumerClass], Field(min_length=1, max_length=50)]
    rooftop_solar: RooftopSolar = RooftopSolar()



class Losses(Strict):
    """T&D losses as a percent of units purchased: actual, and allowed by the regulator.

    ``actual_by_month_pct_points`` adds points to the actual loss by calendar month
    (January first): losses are a larger share of a summer month's units. ``valuation``
    says how the ``excess_losses`` cause values the units lost above the allowed loss:
    ``"cost"`` at the power purchase price of the units (docs/model.md §16), or
    ``"tariff"`` at the month's average tariff, as the Power Division's cause tables do
    (the difference moves to the ``tariff_gap`` line; the flow is the same).
    Defaults: no seasonality, ``"cost"``.
    """

    actual_pct: Annotated[Series, LOSS_RANGE, NOT_A_FRACTION]
    allowed_pct: Annotated[Series, LOSS_RANGE, NOT_A_FRACTION]
    actual_by_month_pct_points: MonthlyPoints | None = None
    valuation: Literal["cost", "tariff"] = "cost"


class Collection(Strict):
    """When consumers' bills turn into cash (docs/model.md §10).

    ``next_month_share_pct`` of each month's bills is collected in the following month
    (the billing-to-collection lag: bills issued in a month fall due about two weeks
    later); ``recovery_by_month_pct_points`` adds points to every class's recovery by
    calendar month (January first): recovery dips on large summer bills and peaks in the
    fiscal year's last month. Defaults: collected in the month billed, no seasonality.
    """

    next_month_share_pct: Share = 0.0
    recovery_by_month_pct_points: MonthlyPoints | None = None


class EventSettings(Strict):
    """Timing of the payment chain for the event-driven engine (``--engine events``).

    ``collection_profile`` weights the days of a month (day 1 first; the weights of a
    month's days are normalised); empty means flat. Payment runs happen on
    ``payment_days`` (a day past a month's end means its last day). An invoice is
    issued at the end of the month it is for and falls due ``payment_terms_days``
    later; LPS accrues once it is ``grace_days`` past due (``grace_days_by_creditor``
    overrides by creditor class). The budget releases the subsidy every
    ``subsidy_release_every_months`` months on ``subsidy_release_day``. Payables at the
    start are taken as issued evenly over the previous ``initial_payables_age_months``.

    Defaults reproduce the monthly engine (month-end payment runs, no terms, no grace,
    monthly releases); ``initial_payables_age_months = 12``: ASSUMPTION.
    """

    collection_profile: list[Weight] = Field(default_factory=list, max_length=31)
    payment_days: Annotated[list[Annotated[int, Field(ge=1, le=31)]],
                            Field(min_length=1, max_length=31)] = [31]
    payment_terms_days: Annotated[int, Field(ge=0, le=365)] = 0
    grace_days: Annotated[int, Field(ge=0, le=365)] = 0
    grace_days_by_creditor: dict[Name, Annotated[int, Field(ge=0, le=365)]] = Field(
        default_factory=dict)
    subsidy_release_every_months: Annotated[int, Field(ge=1, le=12)] = 1
    subsidy_release_day: Annotated[int, Field(ge=1, le=31)] = 31
    initial_payables_age_months: Annotated[int, Field(ge=1, le=120)] = 12


class Settlement(Strict):
    """How CPPA-G's cash is shared among creditor classes (docs/model.md §14).

    ``pro_rata`` to dues; ``priority``: the listed creditor classes in order first;
    ``fuel_first``: the month's energy invoices first, then the rest pro-rata;
    ``cpec_revolving``: a ring-fenced account, funded with ``revolving_collection_share_pct``
    of collections, pays ``revolving_invoice_share_pct`` of each invoice of
    ``revolving_creditor`` first. Net-metering credits are always paid first.

    Default ``allocation = "pro_rata"``: ASSUMPTION (CPPA-G publishes no payment rule;
    pro-rata to dues treats creditors alike). No arrears are recovered by default.
    """

    allocation: Literal["pro_rata", "priority", "fuel_first", "cpec_revolving"] = "pro_rata"
    priority: list[Name] = Field(default_factory=list)
    revolving_creditor: Name = "cpec_ipp"
    revolving_collection_share_pct: Percent = 0.0
    revolving_invoice_share_pct: Share = 0.0
    arrears_recovery_pct_per_year: Percent = 0.0
    events: EventSettings = EventSettings()


class LpsTerms(Strict):
    """Late-payment surcharge on overdue payables: KIBOR + spread, a share waived.

    Default ``spread_pct = 2``: the standard PPA's late-payment rate of KIBOR plus 2%
    (PPIB standardised PPA, 2006); scenarios set each creditor class's own (CPEC
    contracts carry more).
    """

    spread_pct: Annotated[float, Field(ge=-20.0, le=50.0)] = 2.0
    waiver_pct: Share = 0.0


class Debt(Strict):
    """LPS terms by creditor class and the debt parked in PHL (docs/model.md §13).

    ``phl_dss_held``: PHL's lenders hold the DSS collected (they deduct it at source)
    and apply it only on the instalment dates of a loan schedule (a ``debt_refinancing``
    policy's ``instalments``), while PHL's interest accrues; by default the DSS services
    PHL every month as it is collected. ``phl_interest_only``: off a loan schedule the
    DSS pays PHL's interest only, CPPA-G pays what it does not cover out of its cash and
    DSS beyond the interest flows on to CPPA-G; the principal moves only with budget
    payments and refinancing (PHL before the 2025 facility).
    """

    lps: dict[Name, LpsTerms] = Field(default_factory=dict)
    phl_spread_pct: Annotated[float, Field(ge=-20.0, le=50.0)] = 0.0
    phl_dss_held: bool = False
    phl_interest_only: bool = False


class Budget(Strict):
    """Budget payments outside the tariff subsidy, by fiscal year.

    ``release_by_month_pct`` shares each fiscal year's amounts among calendar months
    (January first, summing to 100); default: a twelfth each month.
    """

    cppa_payments_bn_pkr_per_fy: dict[str, Bn] = Field(default_factory=dict)
    phl_payments_bn_pkr_per_fy: dict[str, Bn] = Field(default_factory=dict)
    release_by_month_pct: ReleaseShares | None = None


class Initial(Strict):
    """Stocks at the start (the day before the first month)."""

    payables_bn_pkr: dict[Name, Bn] = Field(default_factory=dict)
    genco_fuel_payables_bn_pkr: Bn = 0.0
    phl_debt_bn_pkr: Bn = 0.0
    receivables_bn_pkr: Bn = 0.0
    #: tariff subsidy fallen due and not yet released (paid from a release calendar)
    subsidy_arrears_bn_pkr: Bn = 0.0


class Scenario(Strict):
    """A whole scenario, as resolved after ``extends`` and ``--set``."""

    name: Name
    description: Text = ""
    time: TimeSpan
    exogenous: Exogenous
    supply: Supply
    demand: Demand
    losses: Losses
    tariff: Tariff
    subsidy: Subsidy = Subsidy()
    collection: Collection = Collection()
    settlement: Settlement = Settlement()
    debt: Debt = Debt()
    budget: Budget = Budget()
    initial: Initial = Initial()
    sez: Sez = Sez()
    cost_of_service: CostOfService = CostOfService()
    policies: list[Policy] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    uncertainty: dict[str, Distribution] = Field(default_factory=dict)
