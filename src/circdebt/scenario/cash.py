"""The scenario's cash tables: collection, settlement, debt, budget, opening stocks and
the re-anchoring to published month-end stocks (docs/model.md §2, §10-§14).

Re-exported by :mod:`circdebt.scenario.schema`, the schema's one entry point.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from circdebt.scenario.fields import (
    Bn,
    MonthlyPoints,
    MonthStr,
    Name,
    Percent,
    ReleaseShares,
    Share,
    Strict,
    Text,
    Weight,
)


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


class Anchor(Strict):
    """Re-anchor a run to published month-end stocks (docs/model.md §2).

    The run is simulated from ``time.start`` (so tariffs, adjustments and queues carry
    their history), and at the end of ``month`` its stocks are set to these published
    values: payables spread over creditor classes in the run's own proportions. Results
    start the month after. ``circdebt run --start YYYY-MM`` fills the table from the
    packaged record.
    """

    month: MonthStr
    payables_bn_pkr: Bn
    genco_fuel_payables_bn_pkr: Bn
    phl_debt_bn_pkr: Bn
    source: Text = ""
