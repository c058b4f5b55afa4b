"""Treaty rules for entry into force, reporting and time-bound obligations.

Pure functions over :class:`datetime.date`; no Django, no database. Each rule cites the
article it implements:

* Convention on Cluster Munitions (CCM, Oslo 2008): Art. 3 stockpile destruction, Art. 4
  clearance, Art. 5 victim assistance, Art. 7 transparency, Art. 17 entry into force.
* Anti-Personnel Mine Ban Convention (APMBC, Ottawa 1997): Art. 4 stockpile destruction,
  Art. 5 clearance, Art. 6(3) victim assistance, Art. 7 transparency, Art. 17 entry into force.

Every violated rule raises :class:`RuleError`, whose ``field`` and ``code`` let a form or an
API attach the message to the input that caused it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

CCM = "CCM"
APMBC = "APMBC"

STOCKPILE_DESTRUCTION = "stockpile_destruction"
CLEARANCE = "clearance"
VICTIM_ASSISTANCE = "victim_assistance"
KINDS: tuple[str, ...] = (STOCKPILE_DESTRUCTION, CLEARANCE, VICTIM_ASSISTANCE)

# Membership statuses in the order a state passes through them.
NONE = "none"
SIGNATORY = "signatory"
PARTY_NOT_IN_FORCE = "party_not_in_force"
PARTY = "party"
WITHDRAWN = "withdrawn"
MEMBERSHIP_STATUSES: tuple[str, ...] = (NONE, SIGNATORY, PARTY_NOT_IN_FORCE, PARTY, WITHDRAWN)

COMPLETED = "completed"
UNKNOWN = "unknown"
OVERDUE = "overdue"
DUE_SOON = "due_soon"
IN_PROGRESS = "in_progress"
OBLIGATION_STATUSES: tuple[str, ...] = (COMPLETED, UNKNOWN, OVERDUE, DUE_SOON, IN_PROGRESS)

INITIAL_REPORT_DAYS = 180
EXTENSION_REQUEST_LEAD_MONTHS = 9
DUE_SOON_MONTHS = 12


class RuleError(ValueError):
    """A treaty rule was violated.

    ``field`` names the offending input (e.g. ``"deposited"``), ``code`` is a stable
    machine-readable reason (e.g. ``"before_opening_for_signature"``) and ``str(error)`` is
    a human-readable message.
    """

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[RuleError], tuple[str, str, str]]:
        # The default reduce would call RuleError(message) and fail on unpickling.
        return (type(self), (self.field, self.code, self.message))


@dataclass(frozen=True)
class ExtensionLimit:
    """How far one extension request may move a deadline.

    ``max_years`` is counted from the deadline in force when the request is made.
    ``renewable`` says whether a further request may follow a granted one;
    ``further_requests_need_exceptional_circumstances`` says whether those further requests
    must invoke exceptional circumstances. ``article`` is the citation, e.g. "CCM Art. 3(3)".
    """

    max_years: int
    renewable: bool
    further_requests_need_exceptional_circumstances: bool
    article: str


@dataclass(frozen=True)
class ConventionRules:
    """The dates and periods one convention fixes (its Arts. 3-5/4-6 and 17)."""

    code: str
    name: str
    opened_for_signature: date
    threshold_instruments: int
    threshold_deposit_date: date
    entry_into_force: date
    stockpile_years: int
    clearance_years: int
    stockpile_article: int
    clearance_article: int
    victim_assistance_article: int
    stockpile_extension: ExtensionLimit | None
    clearance_extension: ExtensionLimit | None


RULES: dict[str, ConventionRules] = {
    CCM: ConventionRules(
        code=CCM,
        name="Convention on Cluster Munitions",
        opened_for_signature=date(2008, 12, 3),
        threshold_instruments=30,
        threshold_deposit_date=date(2010, 2, 16),
        entry_into_force=date(2010, 8, 1),
        stockpile_years=8,
        clearance_years=10,
        stockpile_article=3,
        clearance_article=4,
        victim_assistance_article=5,
        # Art. 3(3): up to 4 years; "in exceptional circumstances" additional extensions of
        # up to 4 years each.
        stockpile_extension=ExtensionLimit(
            max_years=4,
            renewable=True,
            further_requests_need_exceptional_circumstances=True,
            article="CCM Art. 3(3)",
        ),
        # Art. 4(5): up to 5 years; Art. 4(8): renewable by up to 5 years on a new request.
        clearance_extension=ExtensionLimit(
            max_years=5,
            renewable=True,
            further_requests_need_exceptional_circumstances=False,
            article="CCM Art. 4(5)",
        ),
    ),
    APMBC: ConventionRules(
        code=APMBC,
        name="Anti-Personnel Mine Ban Convention",
        opened_for_signature=date(1997, 12, 3),
        threshold_instruments=40,
        threshold_deposit_date=date(1998, 9, 16),
        entry_into_force=date(1999, 3, 1),
        stockpile_years=4,
        clearance_years=10,
        stockpile_article=4,
        clearance_article=5,
        victim_assistance_article=6,
        # Art. 4 provides no extension mechanism for stockpile destruction.
        stockpile_extension=None,
        # Art. 5(3): up to 10 years; Art. 5(6): renewable on a new request.
        clearance_extension=ExtensionLimit(
            max_years=10,
            renewable=True,
            further_requests_need_exceptional_circumstances=False,
            article="APMBC Art. 5(3)",
        ),
    ),
}


def _require_date(value: object, field: str) -> date:
    # datetime is a date subclass, but comparing one with a date raises TypeError deep inside
    # a rule; refuse it at the boundary with the field name instead.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{field} must be a datetime.date, not {type(value).__name__}")
    return value


def _out_of_range(d: date, what: str) -> RuleError:
    return RuleError("date", "out_of_range", f"{what} from {d.isoformat()} is out of range.")


def convention_rules(convention: str) -> ConventionRules:
    """Return the rules of ``convention`` ("CCM" or "APMBC", case-sensitive).

    Raises ``RuleError(field="convention", code="unknown_convention")`` for anything else.
    """
    if isinstance(convention, str) and convention in RULES:
        return RULES[convention]
    raise RuleError(
        "convention",
        "unknown_convention",
        f"Unknown convention {convention!r}; expected one of {', '.join(RULES)}.",
    )


def _require_kind(kind: str) -> str:
    if isinstance(kind, str) and kind in KINDS:
        return kind
    raise RuleError(
        "kind",
        "unknown_kind",
        f"Unknown obligation kind {kind!r}; expected one of {', '.join(KINDS)}.",
    )


def add_years(d: date, years: int) -> date:
    """Return the same day and month ``years`` later (or earlier, if negative).

    29 February becomes 28 February when the target year is not a leap year. Treaty periods
    run "not later than N years after" a date, so rounding down to the earlier day is the
    conservative reading: a deadline computed this way is never later than the treaty's.
    Equal to ``add_months(d, 12 * years)``.

    Raises ``RuleError(field="date", code="out_of_range")`` beyond ``date.min``/``date.max``.
    """
    _require_date(d, "d")
    year = d.year + years
    if not date.min.year <= year <= date.max.year:
        raise _out_of_range(d, f"{years} years")
    if d.month == 2 and d.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return d.replace(year=year)


def add_months(d: date, months: int) -> date:
    """Return the same day ``months`` later (or earlier), clamped to the end of the month.

    31 August plus one month is 30 September. For a deadline or a "latest submission" date the
    clamp moves the result earlier, never later, which is the conservative side.

    Raises ``RuleError(field="date", code="out_of_range")`` beyond ``date.min``/``date.max``.
    """
    _require_date(d, "d")
    year, month0 = divmod(d.year * 12 + (d.month - 1) + months, 12)
    if not date.min.year <= year <= date.max.year:
        raise _out_of_range(d, f"{months} months")
    month = month0 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def entry_into_force(convention: str, deposited: date) -> date:
    """Date the convention enters into force for a state depositing on ``deposited``.

    CCM Art. 17 and APMBC Art. 17: an instrument deposited on or before the threshold deposit
    (the 30th CCM instrument, 16 February 2010; the 40th APMBC instrument, 16 September 1998)
    takes effect with the convention itself (1 August 2010; 1 March 1999). A later instrument
    takes effect on the first day of the sixth month after the month of deposit
    (deposit 19 April 2016 -> 1 October 2016).

    The result is always the 1st of a month, strictly after ``deposited`` and never before the
    convention's own entry into force (deposits late in the threshold month give that date by
    the formula too; the guard keeps it true by construction).

    Raises ``RuleError(field="deposited", code="before_opening_for_signature")`` if the deposit
    predates the opening for signature (CCM 3 December 2008, APMBC 3 December 1997).
    """
    rules = convention_rules(convention)
    _require_date(deposited, "deposited")
    if deposited < rules.opened_for_signature:
        raise RuleError(
            "deposited",
            "before_opening_for_signature",
            f"The instrument cannot have been deposited on {deposited.isoformat()}: the "
            f"{rules.code} opened for signature on {rules.opened_for_signature.isoformat()}.",
        )
    if deposited <= rules.threshold_deposit_date:
        return rules.entry_into_force
    return max(add_months(deposited.replace(day=1), 6), rules.entry_into_force)


def initial_report_due(entry_into_force: date) -> date:
    """Due date of the initial transparency report: 180 days after entry into force.

    CCM Art. 7(1) and APMBC Art. 7(1): "not later than 180 days after" entry into force for
    that State Party (Lao PDR, in force 1 August 2010 -> 28 January 2011).
    """
    _require_date(entry_into_force, "entry_into_force")
    try:
        return entry_into_force + timedelta(days=INITIAL_REPORT_DAYS)
    except OverflowError:
        raise _out_of_range(entry_into_force, f"{INITIAL_REPORT_DAYS} days") from None


def annual_report_due(reporting_year: int) -> date:
    """Due date of the annual report covering calendar year ``reporting_year``.

    CCM Art. 7(2) and APMBC Art. 7(2): updated annually, covering the last calendar year, by
    30 April; so the report on 2023 is due 30 April 2024.

    Raises ``RuleError(field="reporting_year", code="out_of_range")`` when the due year is not
    representable.
    """
    if isinstance(reporting_year, bool) or not isinstance(reporting_year, int):
        raise TypeError(f"reporting_year must be an int, not {type(reporting_year).__name__}")
    due_year = reporting_year + 1
    if not date.min.year <= due_year <= date.max.year:
        raise RuleError(
            "reporting_year", "out_of_range", f"Reporting year {reporting_year} is out of range."
        )
    return date(due_year, 4, 30)


def _require_not_before_convention(rules: ConventionRules, eif: date) -> None:
    _require_date(eif, "entry_into_force")
    if eif < rules.entry_into_force:
        raise RuleError(
            "entry_into_force",
            "before_convention_entry_into_force",
            f"Entry into force {eif.isoformat()} is before the {rules.code} itself entered "
            f"into force on {rules.entry_into_force.isoformat()}.",
        )


def stockpile_destruction_deadline(convention: str, entry_into_force: date) -> date:
    """Original stockpile destruction deadline for a state.

    CCM Art. 3(2): not later than 8 years after entry into force for that State Party.
    APMBC Art. 4: not later than 4 years after entry into force for that State Party.

    Raises ``RuleError(field="entry_into_force", code="before_convention_entry_into_force")``
    when ``entry_into_force`` precedes the convention's own entry into force.
    """
    rules = convention_rules(convention)
    _require_not_before_convention(rules, entry_into_force)
    return add_years(entry_into_force, rules.stockpile_years)


def clearance_deadline(convention: str, entry_into_force: date) -> date:
    """Original clearance deadline for a state.

    CCM Art. 4(1)(a): not later than 10 years after entry into force for that State Party.
    (Art. 4(1)(b), contamination arising after entry into force, runs from the end of active
    hostilities and is not computed here.) APMBC Art. 5(1): not later than 10 years after
    entry into force for that State Party.

    Raises ``RuleError(field="entry_into_force", code="before_convention_entry_into_force")``
    when ``entry_into_force`` precedes the convention's own entry into force.
    """
    rules = convention_rules(convention)
    _require_not_before_convention(rules, entry_into_force)
    return add_years(entry_into_force, rules.clearance_years)


def obligation_article(convention: str, kind: str) -> int:
    """Article number that sets the obligation ``kind``.

    CCM: stockpile destruction Art. 3, clearance Art. 4, victim assistance Art. 5.
    APMBC: stockpile destruction Art. 4, clearance Art. 5, victim assistance Art. 6 (para. 3).

    Raises ``RuleError(field="kind", code="unknown_kind")`` for an unknown kind.
    """
    rules = convention_rules(convention)
    articles = {
        STOCKPILE_DESTRUCTION: rules.stockpile_article,
        CLEARANCE: rules.clearance_article,
        VICTIM_ASSISTANCE: rules.victim_assistance_article,
    }
    return articles[_require_kind(kind)]


def original_deadline(convention: str, kind: str, entry_into_force: date) -> date | None:
    """Original (unextended) deadline of obligation ``kind``, or None if it has none.

    Stockpile destruction: CCM Art. 3(2) / APMBC Art. 4. Clearance: CCM Art. 4(1)(a) /
    APMBC Art. 5(1). Victim assistance (CCM Art. 5, APMBC Art. 6(3)) is ongoing: None.

    Raises ``RuleError(field="kind", code="unknown_kind")`` for an unknown kind.
    """
    convention_rules(convention)
    kind = _require_kind(kind)
    if kind == STOCKPILE_DESTRUCTION:
        return stockpile_destruction_deadline(convention, entry_into_force)
    if kind == CLEARANCE:
        return clearance_deadline(convention, entry_into_force)
    _require_date(entry_into_force, "entry_into_force")
    return None


def extension_limit(convention: str, kind: str) -> ExtensionLimit | None:
    """How a deadline of obligation ``kind`` may be extended, or None if it may not.

    CCM stockpile destruction, Art. 3(3): up to 4 years per request; further requests only in
    exceptional circumstances. CCM clearance, Art. 4(5) and 4(8): up to 5 years per request,
    renewable. APMBC clearance, Art. 5(3) and 5(6): up to 10 years per request, renewable.
    APMBC stockpile destruction (Art. 4) has no extension mechanism, and victim assistance
    has no deadline to extend: None.

    Raises ``RuleError(field="kind", code="unknown_kind")`` for an unknown kind.
    """
    rules = convention_rules(convention)
    kind = _require_kind(kind)
    if kind == STOCKPILE_DESTRUCTION:
        return rules.stockpile_extension
    if kind == CLEARANCE:
        return rules.clearance_extension
    return None


def validate_extension(
    convention: str,
    kind: str,
    previous_deadline: date,
    new_deadline: date,
    request_number: int,
    exceptional_circumstances: bool = False,
) -> None:
    """Check that an extension request from ``previous_deadline`` to ``new_deadline`` is allowed.

    ``request_number`` is 1 for a state's first request on this obligation, 2 for the next and
    so on. The period is counted from the deadline in force when the request is made
    (CCM Art. 3(3), Art. 4(5) and 4(8); APMBC Art. 5(3) and 5(6)); ``new_deadline`` may be
    exactly ``add_years(previous_deadline, max_years)`` but not a day later. This checks the
    treaty ceiling only: the deciding meeting may grant less.

    Raises RuleError with ``field="new_deadline"`` and code:

    * ``"not_extendable"``: the obligation has no extension mechanism (APMBC Art. 4,
      victim assistance);
    * ``"not_renewable"``: a further request where the rule allows only one;
    * ``"not_after_previous"``: ``new_deadline`` is on or before ``previous_deadline``;
    * ``"exceeds_limit"``: ``new_deadline`` is beyond the per-request maximum;
    * ``"exceptional_circumstances_required"``: a second or later CCM Art. 3 request without
      exceptional circumstances.

    Also raises ``RuleError(field="request_number", code="not_positive")`` when
    ``request_number`` < 1, and the convention / kind errors of :func:`extension_limit`.
    """
    limit = extension_limit(convention, kind)
    _require_date(previous_deadline, "previous_deadline")
    _require_date(new_deadline, "new_deadline")
    if isinstance(request_number, bool) or not isinstance(request_number, int):
        raise TypeError(f"request_number must be an int, not {type(request_number).__name__}")
    if request_number < 1:
        raise RuleError(
            "request_number",
            "not_positive",
            f"Request number must be 1 or more, not {request_number}.",
        )
    if limit is None:
        raise RuleError(
            "new_deadline",
            "not_extendable",
            f"The {convention} {kind.replace('_', ' ')} obligation (Art. "
            f"{obligation_article(convention, kind)}) cannot be extended.",
        )
    if request_number > 1 and not limit.renewable:
        raise RuleError(
            "new_deadline",
            "not_renewable",
            f"Only one extension may be requested under {limit.article}.",
        )
    if new_deadline <= previous_deadline:
        raise RuleError(
            "new_deadline",
            "not_after_previous",
            f"The new deadline {new_deadline.isoformat()} must be after the current deadline "
            f"{previous_deadline.isoformat()}.",
        )
    try:
        ceiling = add_years(previous_deadline, limit.max_years)
    except RuleError:
        # The ceiling lies beyond date.max, so no representable date can exceed it.
        ceiling = date.max
    if new_deadline > ceiling:
        raise RuleError(
            "new_deadline",
            "exceeds_limit",
            f"{limit.article} allows at most {limit.max_years} years per request: the new "
            f"deadline can be {ceiling.isoformat()} at the latest, not "
            f"{new_deadline.isoformat()}.",
        )
    if (
        request_number > 1
        and limit.further_requests_need_exceptional_circumstances
        and not exceptional_circumstances
    ):
        raise RuleError(
            "new_deadline",
            "exceptional_circumstances_required",
            f"Under {limit.article} a further extension (request {request_number}) may only be "
            "granted in exceptional circumstances.",
        )


def latest_request_submission(meeting_opens: date) -> date:
    """Last day to submit an extension request to a meeting opening on ``meeting_opens``.

    CCM Art. 4(6): a request is submitted "a minimum of nine months prior to" the Meeting of
    States Parties or Review Conference that considers it. The month-end clamp of
    :func:`add_months` can only make the date earlier, i.e. stricter.
    """
    _require_date(meeting_opens, "meeting_opens")
    return add_months(meeting_opens, -EXTENSION_REQUEST_LEAD_MONTHS)


def request_is_timely(submitted: date, meeting_opens: date) -> bool:
    """Whether a request submitted on ``submitted`` meets CCM Art. 4(6)'s nine-month lead.

    Submitting on :func:`latest_request_submission` itself is timely.
    """
    _require_date(submitted, "submitted")
    return submitted <= latest_request_submission(meeting_opens)


def membership_status(
    *,
    on: date,
    signed: date | None,
    deposited: date | None,
    entry_into_force: date | None,
    withdrawal_effective: date | None,
) -> str:
    """A state's relation to a convention on date ``on``.

    Returns, checking in this order:

    * ``"withdrawn"`` if ``withdrawal_effective <= on`` (CCM Art. 20, APMBC Art. 20);
    * ``"party"`` if ``entry_into_force <= on`` (bound by the convention);
    * ``"party_not_in_force"`` if ``deposited <= on`` but entry into force is later or not
      recorded (CCM Art. 17(2), APMBC Art. 17(2));
    * ``"signatory"`` if ``signed <= on`` and nothing has been deposited by then;
    * ``"none"`` otherwise.

    As ``on`` advances the status never moves backwards in the sequence
    none -> signatory -> party_not_in_force -> party -> withdrawn, though it may skip steps
    (an acceding state never signs).

    Inconsistent histories raise RuleError: ``deposited`` before ``signed``
    (field "deposited", code "before_signature"); entry into force or withdrawal without a
    deposit (code "without_deposit"), withdrawal not after the deposit (code
    "not_after_deposit");
    withdrawal on or before entry into force (field "withdrawal_effective",
    code "not_after_entry_into_force"): only a State Party can withdraw, and withdrawal takes
    effect six months after notice (CCM Art. 20(2), APMBC Art. 20(2)).
    """
    _require_date(on, "on")
    for name, value in (
        ("signed", signed),
        ("deposited", deposited),
        ("entry_into_force", entry_into_force),
        ("withdrawal_effective", withdrawal_effective),
    ):
        if value is not None:
            _require_date(value, name)

    if signed is not None and deposited is not None and deposited < signed:
        raise RuleError(
            "deposited",
            "before_signature",
            f"Deposit {deposited.isoformat()} is before signature {signed.isoformat()}.",
        )
    for name, value in (
        ("entry_into_force", entry_into_force),
        ("withdrawal_effective", withdrawal_effective),
    ):
        if value is None:
            continue
        if deposited is None:
            raise RuleError(
                name, "without_deposit", f"{name} is set but no deposit date is recorded."
            )
        # A succession can bind a state from the date of succession, before its notification
        # is deposited (South Sudan, APMBC: in force 9 July 2011, deposited 11 November 2011),
        # so only a withdrawal must come after the deposit.
        if name == "withdrawal_effective" and value <= deposited:
            raise RuleError(
                name,
                "not_after_deposit",
                f"{name} {value.isoformat()} must be after deposit {deposited.isoformat()}.",
            )
    if (
        entry_into_force is not None
        and withdrawal_effective is not None
        and withdrawal_effective <= entry_into_force
    ):
        raise RuleError(
            "withdrawal_effective",
            "not_after_entry_into_force",
            f"Withdrawal {withdrawal_effective.isoformat()} must be after entry into force "
            f"{entry_into_force.isoformat()}.",
        )

    if withdrawal_effective is not None and withdrawal_effective <= on:
        return WITHDRAWN
    if entry_into_force is not None and entry_into_force <= on:
        return PARTY
    if deposited is not None and deposited <= on:
        return PARTY_NOT_IN_FORCE
    if signed is not None and signed <= on:
        return SIGNATORY
    return NONE


def obligation_status(
    *,
    on: date,
    current_deadline: date | None,
    completed_on: date | None,
    completion_declared: bool,
) -> str:
    """Status of a time-bound obligation (CCM Arts. 3-4, APMBC Arts. 4-5) on date ``on``.

    * ``"completed"``: completion declared and ``completed_on`` is unknown or not after ``on``;
    * ``"unknown"``: otherwise, when there is no current deadline;
    * ``"overdue"``: ``on`` is after ``current_deadline`` (the deadline day itself is on time:
      the treaties say "not later than");
    * ``"due_soon"``: the deadline falls within 12 months of ``on``;
    * ``"in_progress"``: otherwise.

    ``completed_on`` without a declaration does not count: completion is what the state
    declares to the States Parties (e.g. the declaration of compliance of CCM Art. 4(1)(c)),
    not what an operator reports.
    """
    _require_date(on, "on")
    if completed_on is not None:
        _require_date(completed_on, "completed_on")
    if completion_declared and (completed_on is None or completed_on <= on):
        return COMPLETED
    if current_deadline is None:
        return UNKNOWN
    _require_date(current_deadline, "current_deadline")
    if on > current_deadline:
        return OVERDUE
    try:
        horizon = add_months(on, DUE_SOON_MONTHS)
    except RuleError:
        horizon = date.max
    if current_deadline <= horizon:
        return DUE_SOON
    return IN_PROGRESS


def deadlines_for_deposit(convention: str, deposited: date) -> dict[str, date]:
    """All dates that follow from one deposit.

    Keys: ``entry_into_force`` (Art. 17), ``initial_report_due`` (Art. 7(1)),
    ``stockpile_destruction_deadline`` (CCM Art. 3(2) / APMBC Art. 4) and
    ``clearance_deadline`` (CCM Art. 4(1)(a) / APMBC Art. 5(1)).
    """
    eif = entry_into_force(convention, deposited)
    return {
        "entry_into_force": eif,
        "initial_report_due": initial_report_due(eif),
        "stockpile_destruction_deadline": stockpile_destruction_deadline(convention, eif),
        "clearance_deadline": clearance_deadline(convention, eif),
    }
