"""Tests for icahub.obligations.rules: treaty dates, deadlines and extension rules.

Pure Python: runs without Django (``pytest -p no:django``).
"""

import calendar
import pickle
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from icahub.obligations import rules
from icahub.obligations.rules import (
    APMBC,
    CCM,
    RULES,
    ExtensionLimit,
    RuleError,
    add_months,
    add_years,
    annual_report_due,
    clearance_deadline,
    convention_rules,
    deadlines_for_deposit,
    entry_into_force,
    extension_limit,
    initial_report_due,
    latest_request_submission,
    membership_status,
    obligation_article,
    obligation_status,
    original_deadline,
    request_is_timely,
    stockpile_destruction_deadline,
    validate_extension,
)

END = date(2100, 12, 31)
CONVENTIONS = st.sampled_from([CCM, APMBC])
ANY_DATE = st.dates(min_value=date.min, max_value=date.max)
STATUS_ORDER = ["none", "signatory", "party_not_in_force", "party", "withdrawn"]
EXTENDABLE = [
    (CCM, "stockpile_destruction"),
    (CCM, "clearance"),
    (APMBC, "clearance"),
]


@st.composite
def convention_and_deposit(draw: st.DrawFn) -> tuple[str, date]:
    convention = draw(CONVENTIONS)
    opened = RULES[convention].opened_for_signature
    return convention, draw(st.dates(min_value=opened, max_value=END))


@st.composite
def convention_and_eif(draw: st.DrawFn) -> tuple[str, date]:
    convention = draw(CONVENTIONS)
    start = RULES[convention].entry_into_force
    return convention, draw(st.dates(min_value=start, max_value=END))


@st.composite
def convention_and_eif_month(draw: st.DrawFn) -> tuple[str, date]:
    # Art. 17 only ever yields the 1st of a month, so these are the EIFs that occur.
    convention, eif = draw(convention_and_eif())
    return convention, eif.replace(day=1)


# --- Real examples -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("convention", "deposited", "expected_eif"),
    [
        pytest.param(CCM, date(2016, 4, 19), date(2016, 10, 1), id="ccm-2016-04-19"),
        pytest.param(CCM, date(2009, 3, 18), date(2010, 8, 1), id="lao-pdr"),
        pytest.param(CCM, date(2009, 7, 8), date(2010, 8, 1), id="germany"),
        pytest.param(CCM, date(2011, 4, 6), date(2011, 10, 1), id="bulgaria"),
        pytest.param(CCM, date(2010, 11, 5), date(2011, 5, 1), id="lebanon"),
        pytest.param(CCM, date(2010, 9, 7), date(2011, 3, 1), id="bosnia-and-herzegovina"),
        pytest.param(CCM, date(2010, 12, 16), date(2011, 6, 1), id="chile"),
        pytest.param(CCM, date(2011, 9, 8), date(2012, 3, 1), id="afghanistan-ccm"),
        pytest.param(CCM, date(2012, 9, 26), date(2013, 3, 1), id="peru"),
        pytest.param(APMBC, date(1997, 12, 3), date(1999, 3, 1), id="canada-apmbc"),
        pytest.param(APMBC, date(2002, 9, 11), date(2003, 3, 1), id="afghanistan-apmbc"),
    ],
)
def test_entry_into_force_real_deposits(
    convention: str, deposited: date, expected_eif: date
) -> None:
    # given a deposit from the public record
    # when entry into force is computed under Art. 17
    result = entry_into_force(convention, deposited)

    # then it matches the published date
    assert result == expected_eif


@pytest.mark.parametrize(
    ("convention", "kind", "deposited", "expected"),
    [
        pytest.param(CCM, "clearance", date(2009, 3, 18), date(2020, 8, 1), id="lao-art4"),
        pytest.param(
            CCM, "stockpile_destruction", date(2011, 4, 6), date(2019, 10, 1), id="bulgaria-art3"
        ),
        pytest.param(CCM, "clearance", date(2010, 11, 5), date(2021, 5, 1), id="lebanon-art4"),
        pytest.param(CCM, "clearance", date(2010, 9, 7), date(2021, 3, 1), id="bih-art4"),
        pytest.param(
            CCM, "clearance", date(2011, 9, 8), date(2022, 3, 1), id="afghanistan-ccm-art4"
        ),
        pytest.param(
            CCM, "stockpile_destruction", date(2012, 9, 26), date(2021, 3, 1), id="peru-art3"
        ),
        pytest.param(
            APMBC,
            "stockpile_destruction",
            date(2002, 9, 11),
            date(2007, 3, 1),
            id="afghanistan-apmbc-art4",
        ),
        pytest.param(
            APMBC, "clearance", date(2002, 9, 11), date(2013, 3, 1), id="afghanistan-apmbc-art5"
        ),
    ],
)
def test_original_deadlines_real_examples(
    convention: str, kind: str, deposited: date, expected: date
) -> None:
    # given a state's entry into force derived from its deposit
    eif = entry_into_force(convention, deposited)

    # when the original deadline is computed
    result = original_deadline(convention, kind, eif)

    # then it matches the public record
    assert result == expected


@pytest.mark.parametrize(
    ("convention", "kind", "previous", "new", "request_number", "exceptional"),
    [
        pytest.param(
            CCM, "clearance", date(2020, 8, 1), date(2025, 8, 1), 1, False, id="lao-5-years"
        ),
        pytest.param(
            CCM, "clearance", date(2021, 5, 1), date(2026, 5, 1), 1, False, id="lebanon-5-years"
        ),
        pytest.param(
            CCM,
            "stockpile_destruction",
            date(2019, 10, 1),
            date(2022, 10, 1),
            1,
            False,
            id="bulgaria-first",
        ),
        pytest.param(
            CCM,
            "stockpile_destruction",
            date(2022, 10, 1),
            date(2023, 12, 31),
            2,
            True,
            id="bulgaria-second-exceptional",
        ),
        pytest.param(
            CCM,
            "stockpile_destruction",
            date(2021, 3, 1),
            date(2024, 4, 1),
            1,
            False,
            id="peru-first",
        ),
        pytest.param(
            CCM, "clearance", date(2021, 3, 1), date(2022, 9, 1), 1, False, id="bih-first"
        ),
        pytest.param(
            CCM, "clearance", date(2022, 9, 1), date(2023, 9, 1), 2, False, id="bih-second"
        ),
    ],
)
def test_real_extensions_are_valid(
    convention: str,
    kind: str,
    previous: date,
    new: date,
    request_number: int,
    exceptional: bool,
) -> None:
    # given an extension that was granted in practice
    # when it is validated
    # then no rule is violated
    validate_extension(convention, kind, previous, new, request_number, exceptional)


def test_bulgaria_second_stockpile_extension_needs_exceptional_circumstances() -> None:
    # given Bulgaria's first extended Art. 3 deadline
    previous = date(2022, 10, 1)

    # when a second request to 31 December 2023 omits exceptional circumstances
    with pytest.raises(RuleError) as excinfo:
        validate_extension(CCM, "stockpile_destruction", previous, date(2023, 12, 31), 2)

    # then Art. 3(3) refuses it
    assert excinfo.value.field == "new_deadline"
    assert excinfo.value.code == "exceptional_circumstances_required"


def test_lao_initial_report_due_180_days_after_entry_into_force() -> None:
    # given Lao PDR's entry into force
    eif = entry_into_force(CCM, date(2009, 3, 18))

    # when the Art. 7(1) initial report is due
    due = initial_report_due(eif)

    # then it is 28 January 2011
    assert due == date(2011, 1, 28)


def test_deadlines_for_deposit_bulgaria() -> None:
    # given Bulgaria's CCM deposit
    deposited = date(2011, 4, 6)

    # when all derived dates are computed
    result = deadlines_for_deposit(CCM, deposited)

    # then every key is present with the treaty dates
    assert result == {
        "entry_into_force": date(2011, 10, 1),
        "initial_report_due": date(2012, 3, 29),
        "stockpile_destruction_deadline": date(2019, 10, 1),
        "clearance_deadline": date(2021, 10, 1),
    }


# --- Entry into force edges ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("convention", "deposited"),
    [(CCM, date(2008, 12, 2)), (APMBC, date(1997, 12, 2)), (CCM, date(1990, 1, 1))],
)
def test_deposit_before_opening_for_signature_is_rejected(convention: str, deposited: date) -> None:
    # given a deposit before the convention opened for signature
    # when entry into force is computed
    with pytest.raises(RuleError) as excinfo:
        entry_into_force(convention, deposited)

    # then the deposit field is blamed
    assert excinfo.value.field == "deposited"
    assert excinfo.value.code == "before_opening_for_signature"
    assert "opened for signature" in str(excinfo.value)


@pytest.mark.parametrize(
    ("deposited", "expected"),
    [
        (date(2008, 12, 3), date(2010, 8, 1)),
        (date(2010, 2, 16), date(2010, 8, 1)),
        (date(2010, 2, 17), date(2010, 8, 1)),
        (date(2010, 2, 28), date(2010, 8, 1)),
        (date(2010, 3, 1), date(2010, 9, 1)),
        (date(2010, 7, 31), date(2011, 1, 1)),
    ],
)
def test_ccm_entry_into_force_around_threshold(deposited: date, expected: date) -> None:
    # given CCM deposits on the opening day, the 30th-deposit day and just after
    # when entry into force is computed
    result = entry_into_force(CCM, deposited)

    # then early deposits share the convention's date and later ones follow the 6-month rule
    assert result == expected


@pytest.mark.parametrize("convention", ["ccm", "", "CCW", None, 17])
def test_unknown_convention_is_rejected(convention: object) -> None:
    # given something that is not "CCM" or "APMBC"
    # when its rules are requested
    with pytest.raises(RuleError) as excinfo:
        convention_rules(convention)  # type: ignore[arg-type]

    # then the convention field is blamed
    assert excinfo.value.field == "convention"
    assert excinfo.value.code == "unknown_convention"


def test_convention_rules_table() -> None:
    # given the two conventions
    # when their rules are read
    ccm, apmbc = convention_rules(CCM), convention_rules(APMBC)

    # then the treaty constants are as in the texts
    assert (ccm.threshold_deposit_date, ccm.entry_into_force) == (
        date(2010, 2, 16),
        date(2010, 8, 1),
    )
    assert (apmbc.threshold_deposit_date, apmbc.entry_into_force) == (
        date(1998, 9, 16),
        date(1999, 3, 1),
    )
    assert (ccm.stockpile_years, ccm.clearance_years) == (8, 10)
    assert (apmbc.stockpile_years, apmbc.clearance_years) == (4, 10)
    assert (ccm.stockpile_article, ccm.clearance_article) == (3, 4)
    assert (apmbc.stockpile_article, apmbc.clearance_article) == (4, 5)
    assert set(RULES) == {CCM, APMBC}


def test_rule_error_carries_field_code_and_message_and_pickles() -> None:
    # given a rule error
    error = RuleError("deposited", "before_opening_for_signature", "Too early.")

    # when it is pickled and restored
    restored = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own object

    # then it is a ValueError with the same field, code and message
    assert isinstance(restored, ValueError)
    assert (restored.field, restored.code, str(restored)) == (
        "deposited",
        "before_opening_for_signature",
        "Too early.",
    )


def test_datetime_is_refused() -> None:
    # given a timezone-aware datetime where a date belongs
    moment = datetime(2016, 4, 19, 12, tzinfo=UTC)

    # when it is passed as a deposit date
    # then a TypeError names the field instead of a comparison failing later
    with pytest.raises(TypeError, match="deposited"):
        entry_into_force(CCM, moment)


# --- Calendar arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2012, 2, 29), 1, date(2013, 2, 28)),
        (date(2012, 2, 29), 4, date(2016, 2, 29)),
        (date(2012, 2, 29), -1, date(2011, 2, 28)),
        (date(2010, 8, 1), 10, date(2020, 8, 1)),
    ],
)
def test_add_years_examples(start: date, years: int, expected: date) -> None:
    # given a date and a number of years
    # when years are added
    # then 29 February falls back to 28 February in common years
    assert add_years(start, years) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2011, 1, 31), 1, date(2011, 2, 28)),
        (date(2012, 1, 31), 1, date(2012, 2, 29)),
        (date(2019, 11, 30), -9, date(2019, 2, 28)),
        (date(2016, 4, 1), 6, date(2016, 10, 1)),
        (date(2010, 12, 15), 1, date(2011, 1, 15)),
    ],
)
def test_add_months_examples(start: date, months: int, expected: date) -> None:
    # given a date and a number of months
    # when months are added
    # then the day is clamped to the target month's end
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("func", "start", "amount"),
    [
        (add_years, date.max, 1),
        (add_years, date.min, -1),
        (add_months, date(9999, 12, 1), 1),
        (add_months, date(1, 1, 31), -1),
    ],
)
def test_calendar_arithmetic_out_of_range(func: object, start: date, amount: int) -> None:
    # given a date at the edge of the representable range
    # when it is moved past the edge
    with pytest.raises(RuleError) as excinfo:
        func(start, amount)  # type: ignore[operator]

    # then a RuleError (a ValueError) reports it
    assert excinfo.value.code == "out_of_range"


@given(d=ANY_DATE, years=st.integers(min_value=-10_000, max_value=10_000))
def test_add_years_matches_add_months_or_raises(d: date, years: int) -> None:
    # given any date and any year offset
    # when years are added
    in_range = 1 <= d.year + years <= 9999

    # then it equals adding 12 months per year and keeps month and day (29 Feb -> 28 Feb)
    if not in_range:
        with pytest.raises(RuleError):
            add_years(d, years)
        return
    result = add_years(d, years)
    assert result == add_months(d, 12 * years)
    assert (result.year, result.month) == (d.year + years, d.month)
    assert result.day == d.day or (d.month, d.day, result.day) == (2, 29, 28)


@given(d=ANY_DATE, months=st.integers(min_value=-120_000, max_value=120_000))
def test_add_months_counts_months_and_clamps_day(d: date, months: int) -> None:
    # given any date and any month offset whose result is representable
    target = d.year * 12 + d.month - 1 + months
    assume(12 <= target < 10_000 * 12)

    # when months are added
    result = add_months(d, months)

    # then exactly that many calendar months pass and the day is kept or clamped to month end
    assert result.year * 12 + result.month - 1 == target
    assert result.day == min(d.day, calendar.monthrange(result.year, result.month)[1])


@given(a=ANY_DATE, b=ANY_DATE, months=st.integers(min_value=-24, max_value=24))
def test_add_months_is_monotone(a: date, b: date, months: int) -> None:
    # given two dates in order
    earlier, later = sorted((a, b))
    # (far enough from the calendar's ends that shifting by up to 24 months stays in range)
    assume(date(3, 1, 1) <= earlier and later <= date(9997, 12, 31))

    # when the same number of months is added to both
    # then their order is kept
    assert add_months(earlier, months) <= add_months(later, months)


@given(d=ANY_DATE, months=st.integers(min_value=-1200, max_value=1200))
def test_add_months_round_trip_never_moves_later(d: date, months: int) -> None:
    # given a date whose shifted value is representable
    assume(12 <= d.year * 12 + d.month - 1 + months < 10_000 * 12)

    # when months are added and then taken away again
    back = add_months(add_months(d, months), -months)

    # then the result is the original date, or earlier only when a month end clamped it
    assert back <= d
    if d.day <= 28:
        assert back == d


# --- Entry into force properties -------------------------------------------------------------


@given(case=convention_and_deposit())
def test_entry_into_force_is_first_of_month_after_deposit(case: tuple[str, date]) -> None:
    # given any deposit between opening for signature and 2100
    convention, deposited = case

    # when entry into force is computed
    eif = entry_into_force(convention, deposited)

    # then it is a 1st of the month, strictly after deposit, never before the convention's
    assert eif.day == 1
    assert eif > deposited
    assert eif >= RULES[convention].entry_into_force


@given(case=convention_and_deposit())
def test_entry_into_force_within_six_months_after_threshold(case: tuple[str, date]) -> None:
    # given a deposit after the threshold deposit
    convention, deposited = case
    assume(deposited > RULES[convention].threshold_deposit_date)

    # when entry into force is computed
    eif = entry_into_force(convention, deposited)

    # then it falls after five months and no later than six months from deposit
    assert add_months(deposited, 5) < eif <= add_months(deposited, 6)
    year, month0 = divmod(deposited.year * 12 + deposited.month - 1 + 6, 12)
    assert eif == date(year, month0 + 1, 1)


@given(convention=CONVENTIONS, data=st.data())
def test_entry_into_force_before_threshold_is_the_conventions(
    convention: str, data: st.DataObject
) -> None:
    # given a deposit on or before the threshold deposit
    conv = RULES[convention]
    deposited = data.draw(
        st.dates(min_value=conv.opened_for_signature, max_value=conv.threshold_deposit_date)
    )

    # when entry into force is computed
    # then it is the convention's own entry into force
    assert entry_into_force(convention, deposited) == RULES[convention].entry_into_force


@given(case=convention_and_deposit(), data=st.data())
def test_entry_into_force_is_monotone(case: tuple[str, date], data: st.DataObject) -> None:
    # given two deposits in order, both on or after opening for signature
    convention, first = case
    opened = RULES[convention].opened_for_signature
    second = data.draw(st.dates(min_value=opened, max_value=END))
    earlier, later = sorted((first, second))

    # when entry into force is computed for both
    # then the later deposit never enters into force earlier
    assert entry_into_force(convention, earlier) <= entry_into_force(convention, later)


@given(convention=CONVENTIONS, deposited=st.dates(max_value=date(1999, 12, 31)))
def test_every_deposit_before_opening_is_rejected(convention: str, deposited: date) -> None:
    # given a deposit before opening for signature
    assume(deposited < RULES[convention].opened_for_signature)

    # when entry into force is computed
    with pytest.raises(RuleError) as excinfo:
        entry_into_force(convention, deposited)

    # then it is rejected on the deposit field
    assert (excinfo.value.field, excinfo.value.code) == (
        "deposited",
        "before_opening_for_signature",
    )


# --- Reporting -------------------------------------------------------------------------------


@given(eif=st.dates(min_value=date(1999, 3, 1), max_value=END))
def test_initial_report_is_exactly_180_days_later(eif: date) -> None:
    # given any entry into force
    # when the Art. 7(1) initial report is due
    due = initial_report_due(eif)

    # then it is exactly 180 days later
    assert (due - eif).days == 180


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2023, date(2024, 4, 30)), (2010, date(2011, 4, 30)), (1999, date(2000, 4, 30))],
)
def test_annual_report_due_30_april_next_year(year: int, expected: date) -> None:
    # given a calendar year covered by an Art. 7(2) report
    # when its due date is computed
    # then it is 30 April of the following year
    assert annual_report_due(year) == expected


def test_annual_report_due_out_of_range() -> None:
    # given a reporting year whose following year is not representable
    # when its due date is computed
    with pytest.raises(RuleError) as excinfo:
        annual_report_due(9999)

    # then the reporting year is blamed
    assert (excinfo.value.field, excinfo.value.code) == ("reporting_year", "out_of_range")


# --- Deadlines -------------------------------------------------------------------------------


@given(a=convention_and_eif_month(), b=st.dates(min_value=date(1999, 3, 1), max_value=END))
def test_deadlines_strictly_increase_with_entry_into_force(a: tuple[str, date], b: date) -> None:
    # given two different entries into force (1st of a month, as Art. 17 yields) for one treaty
    convention, eif_a = a
    eif_b = b.replace(day=1)
    assume(eif_b >= RULES[convention].entry_into_force and eif_a != eif_b)
    earlier, later = sorted((eif_a, eif_b))

    # when the deadlines are computed
    # then the later entry into force gives strictly later deadlines
    assert stockpile_destruction_deadline(convention, earlier) < stockpile_destruction_deadline(
        convention, later
    )
    assert clearance_deadline(convention, earlier) < clearance_deadline(convention, later)
    assert initial_report_due(earlier) < initial_report_due(later)


@given(a=convention_and_eif(), b=st.dates(min_value=date(2010, 8, 1), max_value=END))
def test_deadlines_never_decrease_for_any_entry_into_force(a: tuple[str, date], b: date) -> None:
    # given any two entries into force, including 29 February
    convention, eif_a = a
    earlier, later = sorted((eif_a, b))
    assume(earlier >= RULES[convention].entry_into_force)

    # when the deadlines are computed
    # then they never go backwards (28 and 29 February may share a deadline)
    assert stockpile_destruction_deadline(convention, earlier) <= stockpile_destruction_deadline(
        convention, later
    )
    assert clearance_deadline(convention, earlier) <= clearance_deadline(convention, later)


@given(case=convention_and_eif())
def test_deadlines_are_the_treaty_periods(case: tuple[str, date]) -> None:
    # given any entry into force
    convention, eif = case
    conv = RULES[convention]

    # when the original deadlines are computed
    stockpile = original_deadline(convention, "stockpile_destruction", eif)
    clearance = original_deadline(convention, "clearance", eif)

    # then they are the treaty periods after it, and victim assistance has none
    assert stockpile == add_years(eif, conv.stockpile_years)
    assert clearance == add_years(eif, conv.clearance_years)
    assert original_deadline(convention, "victim_assistance", eif) is None


@given(case=convention_and_deposit())
def test_deadlines_for_deposit_agrees_with_single_rules(case: tuple[str, date]) -> None:
    # given any deposit
    convention, deposited = case

    # when all deadlines are computed at once
    result = deadlines_for_deposit(convention, deposited)

    # then they match the individual rules and the keys are exactly the documented ones
    eif = entry_into_force(convention, deposited)
    assert result == {
        "entry_into_force": eif,
        "initial_report_due": initial_report_due(eif),
        "stockpile_destruction_deadline": stockpile_destruction_deadline(convention, eif),
        "clearance_deadline": clearance_deadline(convention, eif),
    }


@pytest.mark.parametrize("convention", [CCM, APMBC])
def test_deadline_from_entry_into_force_before_convention_is_rejected(convention: str) -> None:
    # given an entry into force a day before the convention's own
    eif = RULES[convention].entry_into_force - timedelta(days=1)

    # when a deadline is computed
    with pytest.raises(RuleError) as excinfo:
        clearance_deadline(convention, eif)

    # then the entry into force is blamed
    assert (excinfo.value.field, excinfo.value.code) == (
        "entry_into_force",
        "before_convention_entry_into_force",
    )


@pytest.mark.parametrize(
    ("convention", "kind", "article"),
    [
        (CCM, "stockpile_destruction", 3),
        (CCM, "clearance", 4),
        (CCM, "victim_assistance", 5),
        (APMBC, "stockpile_destruction", 4),
        (APMBC, "clearance", 5),
        (APMBC, "victim_assistance", 6),
    ],
)
def test_obligation_article(convention: str, kind: str, article: int) -> None:
    # given a convention and an obligation kind
    # when its article is looked up
    # then it is the treaty article
    assert obligation_article(convention, kind) == article


@pytest.mark.parametrize(
    "call",
    [
        lambda: obligation_article(CCM, "risk_education"),
        lambda: original_deadline(APMBC, "Clearance", date(2003, 3, 1)),
        lambda: extension_limit(CCM, ""),
        lambda: validate_extension(CCM, "mines", date(2020, 1, 1), date(2021, 1, 1), 1),
    ],
)
def test_unknown_kind_is_rejected(call: object) -> None:
    # given a kind that is not one of the three obligations
    # when any rule is asked about it
    with pytest.raises(RuleError) as excinfo:
        call()  # type: ignore[operator]

    # then the kind field is blamed
    assert (excinfo.value.field, excinfo.value.code) == ("kind", "unknown_kind")


# --- Extensions ------------------------------------------------------------------------------


def test_extension_limits() -> None:
    # given the extension rules of both conventions
    # when they are looked up
    ccm_stockpile = extension_limit(CCM, "stockpile_destruction")
    ccm_clearance = extension_limit(CCM, "clearance")
    apmbc_clearance = extension_limit(APMBC, "clearance")

    # then they follow CCM Arts. 3(3), 4(5)/(8) and APMBC Art. 5(3)/(6)
    assert ccm_stockpile == ExtensionLimit(4, True, True, "CCM Art. 3(3)")
    assert ccm_clearance == ExtensionLimit(5, True, False, "CCM Art. 4(5)")
    assert apmbc_clearance == ExtensionLimit(10, True, False, "APMBC Art. 5(3)")
    assert extension_limit(APMBC, "stockpile_destruction") is None
    assert extension_limit(CCM, "victim_assistance") is None
    assert extension_limit(APMBC, "victim_assistance") is None


@pytest.mark.parametrize(
    ("convention", "kind"),
    [(APMBC, "stockpile_destruction"), (CCM, "victim_assistance"), (APMBC, "victim_assistance")],
)
def test_non_extendable_obligations_are_rejected(convention: str, kind: str) -> None:
    # given an obligation without an extension mechanism
    # when an extension is validated
    with pytest.raises(RuleError) as excinfo:
        validate_extension(convention, kind, date(2007, 3, 1), date(2008, 3, 1), 1)

    # then it is refused as not extendable
    assert (excinfo.value.field, excinfo.value.code) == ("new_deadline", "not_extendable")


def test_request_number_must_be_positive() -> None:
    # given a request number of zero
    # when an extension is validated
    with pytest.raises(RuleError) as excinfo:
        validate_extension(CCM, "clearance", date(2020, 8, 1), date(2021, 8, 1), 0)

    # then the request number is blamed
    assert (excinfo.value.field, excinfo.value.code) == ("request_number", "not_positive")


def test_non_renewable_limit_refuses_a_second_request(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a (hypothetical) rule allowing only one clearance extension
    once = replace(RULES[CCM].clearance_extension, renewable=False)  # type: ignore[type-var]
    monkeypatch.setitem(rules.RULES, CCM, replace(RULES[CCM], clearance_extension=once))

    # when a second request is validated
    with pytest.raises(RuleError) as excinfo:
        validate_extension(CCM, "clearance", date(2025, 8, 1), date(2026, 8, 1), 2)

    # then it is refused as not renewable
    assert (excinfo.value.field, excinfo.value.code) == ("new_deadline", "not_renewable")


@given(
    case=st.sampled_from(EXTENDABLE),
    previous=st.dates(min_value=date(2007, 3, 1), max_value=END),
    request_number=st.integers(min_value=1, max_value=5),
)
def test_extension_accepts_up_to_limit_and_rejects_a_day_beyond(
    case: tuple[str, str], previous: date, request_number: int
) -> None:
    # given an extendable obligation, its current deadline and the per-request ceiling
    convention, kind = case
    limit = extension_limit(convention, kind)
    assert limit is not None
    ceiling = add_years(previous, limit.max_years)

    # when extensions to the ceiling, a day after it, and to the current deadline are checked
    validate_extension(convention, kind, previous, ceiling, request_number, True)
    validate_extension(
        convention, kind, previous, previous + timedelta(days=1), request_number, True
    )
    with pytest.raises(RuleError) as beyond:
        validate_extension(
            convention, kind, previous, ceiling + timedelta(days=1), request_number, True
        )
    with pytest.raises(RuleError) as same:
        validate_extension(convention, kind, previous, previous, request_number, True)

    # then exactly the ceiling is allowed, a day more exceeds it, no change is not an extension
    assert (beyond.value.field, beyond.value.code) == ("new_deadline", "exceeds_limit")
    assert (same.value.field, same.value.code) == ("new_deadline", "not_after_previous")


@given(
    case=st.sampled_from(EXTENDABLE),
    previous=st.dates(min_value=date(2007, 3, 1), max_value=END),
    days=st.integers(min_value=1, max_value=10 * 366),
    request_number=st.integers(min_value=1, max_value=5),
    exceptional=st.booleans(),
)
def test_extension_validation_is_exactly_the_rule(
    case: tuple[str, str], previous: date, days: int, request_number: int, exceptional: bool
) -> None:
    # given any later deadline requested under an extendable obligation
    convention, kind = case
    limit = extension_limit(convention, kind)
    assert limit is not None
    new = previous + timedelta(days=days)

    # when it is validated
    try:
        validate_extension(convention, kind, previous, new, request_number, exceptional)
        code = None
    except RuleError as error:
        code = error.code

    # then it fails exactly when beyond the ceiling or missing exceptional circumstances
    if new > add_years(previous, limit.max_years):
        assert code == "exceeds_limit"
    elif request_number > 1 and limit.further_requests_need_exceptional_circumstances:
        assert code == (None if exceptional else "exceptional_circumstances_required")
    else:
        assert code is None


def test_extension_ceiling_beyond_date_max_does_not_overflow() -> None:
    # given a current deadline whose 10-year ceiling is past date.max
    previous = date(9995, 1, 1)

    # when the latest representable date is requested
    # then it is accepted rather than crashing
    validate_extension(APMBC, "clearance", previous, date.max, 1)


@pytest.mark.parametrize(
    ("meeting_opens", "latest"),
    [
        (date(2019, 9, 2), date(2018, 12, 2)),
        (date(2019, 11, 30), date(2019, 2, 28)),
        (date(2020, 11, 30), date(2020, 2, 29)),
    ],
)
def test_latest_request_submission_nine_months_before(meeting_opens: date, latest: date) -> None:
    # given a meeting's opening date
    # when the CCM Art. 4(6) submission cut-off is computed
    result = latest_request_submission(meeting_opens)

    # then it is nine months earlier, clamped to month end
    assert result == latest
    assert request_is_timely(latest, meeting_opens)
    assert not request_is_timely(latest + timedelta(days=1), meeting_opens)


@given(
    submitted=st.dates(min_value=date(2008, 12, 3), max_value=END),
    meeting_opens=st.dates(min_value=date(2010, 8, 1), max_value=END),
)
def test_request_is_timely_iff_at_least_nine_months_before(
    submitted: date, meeting_opens: date
) -> None:
    # given any submission and meeting dates
    # when timeliness is checked
    timely = request_is_timely(submitted, meeting_opens)

    # then it is timely exactly up to the cut-off, which is never less than nine months ahead
    latest = latest_request_submission(meeting_opens)
    assert timely == (submitted <= latest)
    assert add_months(latest, 9) <= meeting_opens


# --- Membership ------------------------------------------------------------------------------


def test_membership_status_of_a_state_that_withdrew() -> None:
    # given a CCM history modelled on Lithuania (withdrawal effective 6 March 2025)
    history = {
        "signed": date(2008, 12, 3),
        "deposited": date(2011, 3, 24),
        "entry_into_force": entry_into_force(CCM, date(2011, 3, 24)),
        "withdrawal_effective": date(2025, 3, 6),
    }

    # when the status is read on successive dates
    statuses = [
        membership_status(on=on, **history)
        for on in (
            date(2008, 12, 2),
            date(2008, 12, 3),
            date(2011, 3, 24),
            date(2011, 9, 1),
            date(2025, 3, 5),
            date(2025, 3, 6),
        )
    ]

    # then it moves through every stage in order
    assert statuses == [
        "none",
        "signatory",
        "party_not_in_force",
        "party",
        "party",
        "withdrawn",
    ]


def test_membership_status_accession_without_signature() -> None:
    # given an accession (no signature) with no entry into force recorded yet
    # when the status is read after deposit
    status = membership_status(
        on=date(2016, 5, 1),
        signed=None,
        deposited=date(2016, 4, 19),
        entry_into_force=None,
        withdrawal_effective=None,
    )

    # then the state is a party for which the convention is not yet in force
    assert status == "party_not_in_force"


@pytest.mark.parametrize(
    ("history", "field", "code"),
    [
        (
            {"signed": date(2010, 1, 2), "deposited": date(2010, 1, 1)},
            "deposited",
            "before_signature",
        ),
        ({"entry_into_force": date(2010, 8, 1)}, "entry_into_force", "without_deposit"),
        (
            {"deposited": date(2011, 3, 1), "withdrawal_effective": date(2011, 3, 1)},
            "withdrawal_effective",
            "not_after_deposit",
        ),
        ({"withdrawal_effective": date(2025, 3, 6)}, "withdrawal_effective", "without_deposit"),
        (
            {
                "deposited": date(2011, 3, 24),
                "entry_into_force": date(2011, 9, 1),
                "withdrawal_effective": date(2011, 6, 1),
            },
            "withdrawal_effective",
            "not_after_entry_into_force",
        ),
    ],
)
def test_inconsistent_membership_history_is_rejected(
    history: dict[str, date], field: str, code: str
) -> None:
    # given a history whose dates contradict each other
    arguments: dict[str, date | None] = {
        "signed": None,
        "deposited": None,
        "entry_into_force": None,
        "withdrawal_effective": None,
    }
    arguments.update(history)

    # when the status is read
    with pytest.raises(RuleError) as excinfo:
        membership_status(on=date(2030, 1, 1), **arguments)

    # then the offending field is blamed
    assert (excinfo.value.field, excinfo.value.code) == (field, code)


def test_succession_in_force_before_its_notification_is_a_party() -> None:
    # given South Sudan's APMBC succession: bound from 9 July 2011, notified 11 November 2011
    history = {
        "signed": None,
        "deposited": date(2011, 11, 11),
        "entry_into_force": date(2011, 7, 9),
        "withdrawal_effective": None,
    }

    # when its status is read between the two dates and after them
    between = membership_status(on=date(2011, 8, 1), **history)
    after = membership_status(on=date(2012, 1, 1), **history)

    # then it is a party on both dates
    assert (between, after) == ("party", "party")


@st.composite
def membership_history(draw: st.DrawFn) -> dict[str, date | None]:
    convention = draw(CONVENTIONS)
    opened = RULES[convention].opened_for_signature
    signed = draw(st.none() | st.dates(min_value=opened, max_value=date(2090, 1, 1)))
    deposited = draw(st.none() | st.dates(min_value=signed or opened, max_value=date(2095, 1, 1)))
    eif = None
    withdrawal = None
    if deposited is not None:
        eif = draw(st.none() | st.just(entry_into_force(convention, deposited)))
        if eif is not None:
            withdrawal = draw(
                st.none() | st.dates(min_value=eif + timedelta(days=1), max_value=END)
            )
    return {
        "signed": signed,
        "deposited": deposited,
        "entry_into_force": eif,
        "withdrawal_effective": withdrawal,
    }


@given(
    history=membership_history(),
    a=st.dates(min_value=date(1997, 1, 1), max_value=END),
    b=st.dates(min_value=date(1997, 1, 1), max_value=END),
)
def test_membership_status_only_moves_forward(
    history: dict[str, date | None], a: date, b: date
) -> None:
    # given any consistent history and two dates in order
    earlier, later = sorted((a, b))

    # when the status is read on both dates
    first = membership_status(on=earlier, **history)
    second = membership_status(on=later, **history)

    # then the status never goes back in none -> signatory -> ... -> withdrawn
    assert STATUS_ORDER.index(first) <= STATUS_ORDER.index(second)


@given(history=membership_history())
def test_membership_status_changes_on_each_milestone(history: dict[str, date | None]) -> None:
    # given any consistent history
    # when the status is read on each recorded milestone
    # then it is the stage that milestone opens
    expected = {
        "signed": "signatory",
        "deposited": "party_not_in_force",
        "entry_into_force": "party",
        "withdrawal_effective": "withdrawn",
    }
    for field, stage in expected.items():
        on = history[field]
        if on is None or (field == "signed" and history["deposited"] == on):
            continue
        assert membership_status(on=on, **history) == stage


# --- Obligation status -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "deadline", "completed_on", "declared", "expected"),
    [
        (date(2023, 7, 1), date(2023, 12, 31), date(2023, 6, 1), True, "completed"),
        (date(2023, 7, 1), date(2023, 12, 31), None, True, "completed"),
        (date(2023, 5, 1), date(2023, 12, 31), date(2023, 6, 1), True, "due_soon"),
        (date(2023, 7, 1), date(2023, 12, 31), date(2023, 6, 1), False, "due_soon"),
        (date(2023, 7, 1), None, None, False, "unknown"),
        (date(2021, 5, 2), date(2021, 5, 1), None, False, "overdue"),
        (date(2021, 5, 1), date(2021, 5, 1), None, False, "due_soon"),
        (date(2020, 5, 1), date(2021, 5, 1), None, False, "due_soon"),
        (date(2020, 4, 30), date(2021, 5, 1), None, False, "in_progress"),
        (date.max, date.max, None, False, "due_soon"),
    ],
)
def test_obligation_status_examples(
    on: date, deadline: date | None, completed_on: date | None, declared: bool, expected: str
) -> None:
    # given a deadline and what is known about completion
    # when the status on a date is computed
    status = obligation_status(
        on=on, current_deadline=deadline, completed_on=completed_on, completion_declared=declared
    )

    # then it is the documented status
    assert status == expected


@given(
    on=st.dates(min_value=date(1999, 3, 1), max_value=END),
    deadline=st.none() | st.dates(min_value=date(1999, 3, 1), max_value=END),
    completed_on=st.none() | st.dates(min_value=date(1999, 3, 1), max_value=END),
    declared=st.booleans(),
)
def test_obligation_status_follows_the_contract(
    on: date, deadline: date | None, completed_on: date | None, declared: bool
) -> None:
    # given any combination of deadline and completion
    # when the status is computed
    status = obligation_status(
        on=on, current_deadline=deadline, completed_on=completed_on, completion_declared=declared
    )

    # then it is the first matching rule of the contract
    if declared and (completed_on is None or completed_on <= on):
        assert status == "completed"
    elif deadline is None:
        assert status == "unknown"
    elif on > deadline:
        assert status == "overdue"
    elif deadline <= add_months(on, 12):
        assert status == "due_soon"
    else:
        assert status == "in_progress"


@given(
    deadline=st.dates(min_value=date(2000, 1, 1), max_value=END),
    a=st.dates(min_value=date(1999, 3, 1), max_value=END),
    b=st.dates(min_value=date(1999, 3, 1), max_value=END),
)
def test_open_obligation_status_only_moves_towards_overdue(
    deadline: date, a: date, b: date
) -> None:
    # given an open obligation and two dates in order
    order = ["in_progress", "due_soon", "overdue"]
    earlier, later = sorted((a, b))

    # when the status is read on both dates
    statuses = [
        obligation_status(
            on=on, current_deadline=deadline, completed_on=None, completion_declared=False
        )
        for on in (earlier, later)
    ]

    # then it never moves back from overdue towards in progress
    assert order.index(statuses[0]) <= order.index(statuses[1])
