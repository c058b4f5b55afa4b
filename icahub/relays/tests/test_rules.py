import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icahub.relays import rules


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (dt.date(2026, 3, 2), dt.date(2026, 3, 9)),  # Monday -> next Monday
        (dt.date(2026, 3, 6), dt.date(2026, 3, 13)),  # Friday -> next Friday (weekend skipped)
        (dt.date(2026, 3, 7), dt.date(2026, 3, 13)),  # Saturday -> Friday
        (dt.date(2026, 3, 8), dt.date(2026, 3, 13)),  # Sunday -> Friday
        (dt.date(2026, 3, 4), dt.date(2026, 3, 11)),  # Wednesday -> next Wednesday
        (dt.date(2026, 12, 24), dt.date(2026, 12, 31)),  # holidays are not skipped
    ],
)
def test_objection_deadline_counts_five_working_days(start, expected):
    assert rules.objection_deadline(start) == expected


def test_zero_working_days_is_the_same_day_and_negative_is_refused():
    assert rules.add_working_days(dt.date(2026, 3, 7), 0) == dt.date(2026, 3, 7)
    with pytest.raises(ValueError):
        rules.add_working_days(dt.date(2026, 3, 7), -1)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)), st.integers(1, 30))
def test_working_days_land_on_a_weekday_with_exactly_n_working_days_between(start, days):
    end = rules.add_working_days(start, days)
    assert rules.is_working_day(end)
    between = [start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(1 for day in between if rules.is_working_day(day)) == days


def test_objection_is_open_up_to_and_including_the_deadline():
    deadline = dt.date(2026, 3, 9)
    assert rules.objection_open(deadline, deadline)
    assert not rules.objection_open(deadline, deadline + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        (dt.date(2026, 3, 10), dt.date(2027, 3, 10)),
        (dt.date(2028, 2, 29), dt.date(2029, 2, 28)),
        (dt.date(2026, 1, 31), dt.date(2027, 1, 31)),
    ],
)
def test_follow_up_is_due_twelve_months_after_sending(sent, due):
    assert rules.follow_up_due(sent) == due


def test_add_months_clamps_to_the_end_of_the_month():
    assert rules.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert rules.add_months(dt.date(2026, 3, 15), -12) == dt.date(2025, 3, 15)
