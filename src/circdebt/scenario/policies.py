"""Policy blocks and targets of a scenario (docs/model.md §17).

Each policy type is one table with a ``type`` key; :data:`Policy` is their union and
:data:`POLICY_TYPES` maps each type name to its table. How a policy changes the run is
in :mod:`circdebt.engine.policies`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from circdebt.scenario.fields import (
    NOT_A_FRACTION,
    Bn,
    Finite,
    GwhPerYear,
    MonthStr,
    Mw,
    Name,
    Percent,
    PerKwh,
    PositivePerKwh,
    Share,
    Strict,
    Text,
    UscPerKwh,
    refusal,
)
from circdebt.timeline import WINDOW_WORDS, YEARS_WORDS, is_fy, is_window


class PolicyBase(Strict):
    """Common keys of every policy block (docs/model.md §17).

    A policy takes effect in ``start`` and reaches full strength over
    ``phase_in_months`` (0: at once). Policies apply in the order they are listed.
    """

    name: Text = ""
    start: MonthStr
    phase_in_months: Annotated[int, Field(ge=0, le=600)] = 0
    source: Text = ""


class IppRenegotiation(PolicyBase):
    """Cut capacity prices of chosen groups, convert dollar indexation to rupees, waive LPS,
    reprofile debt.

    ``debt_reprofiling_months`` extends the debt maturity of the groups still repaying
    at ``start``: the debt-service part of their tariff is spread over the longer term,
    paid at r / (r + e) of its rate (r months were left, e are added) until the new
    maturity.
    """

    type: Literal["ipp_renegotiation"]
    groups: Annotated[list[Name], Field(min_length=1)]
    cpp_usd_cut_pct: Percent = 0.0
    cpp_pkr_cut_pct: Percent = 0.0
    usd_to_pkr_conversion_pct: Share = 0.0
    lps_waiver_pct: Share = 0.0
    accrued_lps_waiver_bn_pkr: Bn = 0.0
    debt_reprofiling_months: Annotated[int, Field(ge=0, le=600)] = 0


class IppTermination(PolicyBase):
    """Groups stop being paid and dispatched; an optional settlement is owed to them."""

    type: Literal["ipp_termination"]
    groups: Annotated[list[Name], Field(min_length=1)]
    settlement_bn_pkr: Bn = 0.0


class TakeAndPay(PolicyBase):
    """Groups are paid capacity only on the energy actually dispatched."""

    type: Literal["take_and_pay"]
    groups: Annotated[list[Name], Field(min_length=1)]


class LossReduction(PolicyBase):
    """Actual T&D losses glide to a target over the phase-in."""

    type: Literal["loss_reduction"]
    target_loss_pct: Share


class RecoveryImprovement(PolicyBase):
    """Recovery of chosen classes (all if none named) glides to a target."""

    type: Literal["recovery_improvement"]
    target_recovery_pct: Share
    classes: list[Name] = Field(default_factory=list)


class DiscoPrivatisation(PolicyBase):
    """After a delay, losses fall and recovery rises by given points over the phase-in."""

    type: Literal["disco_privatisation"]
    delay_months: Annotated[int, Field(ge=0, le=240)] = 0
    loss_reduction_pct_points: Percent = 0.0
    recovery_gain_pct_points: Percent = 0.0
    classes: list[Name] = Field(default_factory=list)


class SubsidyReform(PolicyBase):
    """Budget pays subsidies more fully or sooner; protected classes pay more of their tariff."""

    type: Literal["subsidy_reform"]
    payment_pct: Share | None = None
    lag_months: Annotated[int, Field(ge=0, le=36)] | None = None
    protected_billed_pct_of_determined: Share | None = None
    classes: list[Name] = Field(default_factory=list)


class TariffAutomation(PolicyBase):
    """Determined adjustments are notified (in full) and sooner; rebasing may move.

    Each parameter left out keeps its current value.
    """

    type: Literal["tariff_automation"]
    pass_through_pct: Share | None = None
    fca_lag_months: Annotated[int, Field(ge=0, le=24)] | None = None
    qta_lag_months: Annotated[int, Field(ge=0, le=24)] | None = None
    qta_period_months: Literal[1, 2, 3, 4, 6, 12] | None = None
    rebasing_month: Annotated[int, Field(ge=1, le=12)] | None = None


class Tranche(Strict):
    """A drawdown of a loan that pays producers' dues on a date (``month``)."""

    month: MonthStr
    amount_bn_pkr: Bn


class DebtRefinancing(PolicyBase):
    """A loan moves payables into PHL at a new rate, serviced by the DSS for its tenor.

    The payables it pays are ``amount_bn_pkr`` spread over the phase-in, or dated
    ``tranches``. With ``instalments``, PHL's whole debt is repaid as the loan contract
    says from the policy's start (docs/model.md §13): the DSS collected is held in PHL's
    account, and every ``instalment_every_months`` months from ``first_instalment`` PHL
    pays the interest accrued and an equal share of the principal left, within
    ``repayment_cap_bn_pkr_per_fy`` a fiscal year; what the account holds beyond the
    instalment flows on to CPPA-G. Without ``instalments`` the DSS services PHL every
    month as it is collected.
    """

    type: Literal["debt_refinancing"]
    amount_bn_pkr: Bn = 0.0
    tranches: list[Tranche] = Field(default_factory=list, max_length=120)
    creditors: list[Name] = Field(default_factory=list)
    phl_spread_pct: Annotated[float, Field(ge=-20.0, le=50.0)] | None = None
    dss_pkr_per_kwh: PerKwh | None = None
    tenor_months: Annotated[int, Field(ge=1, le=600)] | None = None
    instalments: Annotated[int, Field(ge=1, le=600)] | None = None
    instalment_every_months: Literal[1, 3, 6, 12] = 3
    first_instalment: MonthStr | None = None
    repayment_cap_bn_pkr_per_fy: Bn | None = None


class BudgetInjection(PolicyBase):
    """A one-off budget payment to CPPA-G or PHL, spread over the phase-in."""

    type: Literal["budget_injection"]
    amount_bn_pkr: Bn
    to: Literal["cppa", "phl"] = "cppa"


class NetMeteringReform(PolicyBase):
    """New buy-back rate; gross metering sells all rooftop output to the grid."""

    type: Literal["net_metering_reform"]
    buyback_pkr_per_kwh: PerKwh | None = None
    metering: Literal["net", "gross"] = "net"


class CaptiveToGrid(PolicyBase):
    """Captive industrial load moves to the grid on a ramp (added to a class's sales)."""

    type: Literal["captive_to_grid"]
    class_name: Name
    load_gwh_per_year: GwhPerYear


class SezTariffPackage(PolicyBase):
    """A fixed energy price for SEZ load (``mode = "cap"``: a ceiling, never above the
    SEZ tariff), its gap to the SEZ tariff funded by the budget, by the other consumers
    (cross-subsidy), or not at all (its own cause of debt)."""

    type: Literal["sez_tariff_package"]
    price_usc_per_kwh: UscPerKwh | None = None
    price_pkr_per_kwh: PositivePerKwh | None = None
    funding: Literal["budget", "cross_subsidy", "unfunded"]
    mode: Literal["fixed", "cap"] = "fixed"

    @model_validator(mode="after")
    def _one_price(self) -> SezTariffPackage:
        if (self.price_usc_per_kwh is None) == (self.price_pkr_per_kwh is None):
            raise ValueError("give exactly one of price_usc_per_kwh and price_pkr_per_kwh")
        return self


class IncrementalTariff(PolicyBase):
    """A lower price on the units chosen classes use above a reference consumption, from
    ``start`` to ``end`` (the last month in force; default: the horizon's end).

    Incremental units are a class's sales above ``reference_pct_of_last_year`` percent of
    its sales in the same month a year before (before the run: its trend sales then). They
    pay ``price_pkr_per_kwh`` (never more than the class tariff) and respond to it with
    ``price_elasticity`` (default: the class's own). The revenue given up is not
    recovered by tariff adjustments: it shows in the tariff gap (docs/policies.md).
    """

    type: Literal["incremental_tariff"]
    classes: Annotated[list[Name], Field(min_length=1)]
    price_pkr_per_kwh: PositivePerKwh
    end: MonthStr | None = None
    reference_pct_of_last_year: Annotated[float, Field(gt=0.0, le=200.0, allow_inf_nan=False),
                                          NOT_A_FRACTION] = 100.0
    price_elasticity: Annotated[float, Field(ge=-5.0, le=0.0, allow_inf_nan=False)] | None = None


class TariffRebalancing(PolicyBase):
    """Change the cross-subsidy: scale chosen classes' tariff multipliers by
    ``multiplier_change_pct``. Multipliers stay revenue neutral, so the other classes'
    tariffs move the other way (protected classes' share through the subsidy)."""

    type: Literal["tariff_rebalancing"]
    classes: Annotated[list[Name], Field(min_length=1)]
    multiplier_change_pct: Annotated[float, Field(gt=-100.0, le=1000.0, allow_inf_nan=False)]


class SolarSurge(PolicyBase):
    """Rooftop solar additions above the scenario's own (a risk case)."""

    type: Literal["solar_surge"]
    extra_additions_mw_per_year: Mw


class PaymentDispute(PolicyBase):
    """A class withholds a share of its bills while a dispute lasts (docs/model.md §10).

    From ``start`` to ``end`` (inclusive; none: to the horizon) the class pays
    ``withheld_pct`` less of what it would pay; the withheld amounts are disputed dues,
    receivables, not circular debt-reducing cash. In ``settled_in`` it pays
    ``settled_pct`` of the disputed dues outstanding (a settlement). K-Electric withheld
    its payments to CPPA-G in this way.
    """

    type: Literal["payment_dispute"]
    class_name: Name
    end: MonthStr | None = None
    withheld_pct: Share = 100.0
    settled_in: MonthStr | None = None
    settled_pct: Share = 100.0


Policy = Annotated[
    IppRenegotiation | IppTermination | TakeAndPay | LossReduction | RecoveryImprovement
    | DiscoPrivatisation | SubsidyReform | TariffAutomation | DebtRefinancing
    | BudgetInjection | NetMeteringReform | CaptiveToGrid | SolarSurge | SezTariffPackage
    | TariffRebalancing | IncrementalTariff | PaymentDispute,
    Field(discriminator="type"),
]



TargetColumn = Literal["cd_flow_bn_pkr", "cd_stock_bn_pkr", "cd_stock_pct_gdp",
                       "capacity_charge_pkr_per_kwh", "avg_tariff_pkr_per_kwh"]


def guess_window(text: str) -> str | None:
    """The window ``text`` was most likely meant to be (``"FY2026Q2"``, ``"fy26-q2"`` and
    ``"Q2 FY2026"`` -> ``"FY2026-Q2"``, ``"2030"`` -> ``"FY2030"``, ``"2025-12-31"`` ->
    ``"2025-12"``), or None."""
    t = re.sub(r"[\s_./]+", "-", text.strip().upper())
    year = r"(\d{4}|\d{2})"
    m = (re.fullmatch(rf"FY-?{year}(?:-?([QH]\d))?", t)
         or re.fullmatch(rf"{year}-?([QH]\d)", t))
    flipped = re.fullmatch(rf"([QH]\d)-?FY-?{year}", t)
    month = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", t)
    if m:
        y, part = m.group(1), m.group(2)
    elif flipped:
        y, part = flipped.group(2), flipped.group(1)
    elif month:
        guess = f"{month.group(1)}-{int(month.group(2)):02d}"
        return guess if is_window(guess) else None
    elif re.fullmatch(r"\d{4}", t):
        y, part = t, None
    else:
        return None
    guess = f"FY{'20' + y if len(y) == 2 else y}" + (f"-{part}" if part else "")
    return guess if is_window(guess) and guess != text else None


def _window(text: str) -> str:
    if not is_window(text):
        guess = guess_window(text)
        hint = f"did you mean {guess!r}?" if guess else \
            "quarters run Q1-Q4 and halves H1-H2" if re.fullmatch(r"FY\d{4}-[QH]\d", text) \
            else ""
        raise refusal(WINDOW_WORDS, repr(text), hint)
    return text


def _target_fy(text: str) -> str:
    if not is_fy(text):
        guess = text if is_window(text) else guess_window(text)
        hint = "" if guess is None else f"did you mean {guess!r}?" if is_fy(guess) else \
            f"did you mean window = {guess!r}? (fy takes a whole fiscal year)"
        raise refusal(f"a fiscal year 'FYyyyy' of {YEARS_WORDS}", repr(text), hint)
    return text


#: A fiscal year, quarter, half or month a target is set on (:func:`timeline.window_months`).
Window = Annotated[str, AfterValidator(_window)]
TargetFy = Annotated[str, AfterValidator(_target_fy)]


class Target(Strict):
    """A ceiling on a result over a window, e.g. a programme's circular-debt flow cap.

    The window is ``window`` (a fiscal year ``"FY2026"``, a quarter ``"FY2026-Q2"``, a
    half ``"FY2026-H1"`` or a month-end ``"2025-12"``) or ``fy`` (a fiscal year, as
    before windows): exactly one of them. A flow's value over the window is its sum over
    the window's months, a stock's its value at the window's last month-end
    (docs/model.md §18).
    """

    name: Text
    column: TargetColumn
    fy: TargetFy | None = None
    window: Window | None = Field(default=None, validate_default=True)
    max: Finite
    source: Text = ""

    @field_validator("window", mode="after")
    @classmethod
    def _exactly_one_window(cls, window: str | None, info: ValidationInfo) -> str | None:
        if "fy" not in info.data:  # fy itself is refused; its own problem says why
            return window
        fy = info.data["fy"]
        if window is None and fy is None:
            raise refusal("a required key, missing: the window the target is set on, e.g. "
                          "window = 'FY2026-Q2' (or fy = 'FY2026')")
        if window is not None and fy is not None:
            raise refusal("either window or fy, not both", f"window = {window!r} and "
                          f"fy = {fy!r}", f"keep window = {window!r} and drop fy"
                          if window != fy else "drop one of them")
        return window

    @property
    def period(self) -> str:
        """The window the target is set on: ``window``, or ``fy``."""
        return self.window or str(self.fy)


def _type_name(cls: type[PolicyBase]) -> str:
    """The ``type`` a policy table is written with (its Literal's value)."""
    return str(get_args(cls.model_fields["type"].annotation)[0])


POLICY_TYPES: dict[str, type[PolicyBase]] = {
    _type_name(cls): cls for cls in PolicyBase.__subclasses__()}
