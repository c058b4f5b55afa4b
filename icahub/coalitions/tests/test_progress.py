"""Remaining quantities read from Article 7 forms, and the projected completion date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icahub.coalitions.progress import project_completion, remaining_from_forms

D = Decimal


def test_clearance_remaining_sums_the_latest_year_of_the_areas_table():
    # given a CCM report whose form F gives two regions for 2024 and one older row
    forms = {
        "F": {
            "tables": {
                "areas": [
                    {"region": "A", "year": 2023, "remaining_m2": "900"},
                    {"region": "A", "year": 2024, "remaining_m2": "500"},
                    {"region": "B", "year": 2024, "remaining_m2": "250.5"},
                ]
            }
        }
    }

    # then the area remaining is the 2024 rows' sum
    assert remaining_from_forms("CCM", forms, "clearance") == D("750.5")


def test_apmbc_areas_are_in_form_c_and_stockpiles_in_form_b():
    forms = {
        "C": {"tables": {"areas": [{"region": "X", "remaining_m2": 100}]}},
        "B": {"tables": {"stockpiles": [{"type": "PMN", "remaining": 40}, {"remaining": 2}]}},
        "G": {"tables": {"stockpiles": [{"type": "PMN", "remaining": 9999}]}},
    }
    assert remaining_from_forms("APMBC", forms, "clearance") == D("100")
    # form G (mines destroyed) is not the stockpile still held
    assert remaining_from_forms("APMBC", forms, "stockpile_destruction") == D("42")


def test_no_quantity_when_the_report_gives_none():
    assert remaining_from_forms("CCM", {}, "clearance") is None
    assert remaining_from_forms("CCM", {"F": {"tables": {"areas": []}}}, "clearance") is None
    assert remaining_from_forms("CCM", {"F": {"status": "not_applicable"}}, "clearance") is None
    assert remaining_from_forms("CCM", {"B": "garbage"}, "stockpile_destruction") is None
    bad = {"F": {"tables": {"areas": [{"remaining_m2": "n/a"}, "x"]}}}
    assert remaining_from_forms("CCM", bad, "clearance") is None
    assert remaining_from_forms("CCM", {}, "victim_assistance") is None


def test_projection_at_the_rate_between_the_latest_reports():
    # given 1000 m² at the end of 2022 and 600 at the end of 2024 (200 a year)
    points = [(dt.date(2022, 12, 31), D(1000)), (dt.date(2024, 12, 31), D(600))]

    # when projected
    projection = project_completion(points, deadline=dt.date(2030, 8, 1))

    # then 600 more take three years: end of 2027, before the deadline
    assert projection.status == "projected"
    assert dt.date(2027, 12, 28) <= projection.completion <= dt.date(2028, 1, 5)
    assert projection.on_time is True
    assert D(199) < projection.rate_per_year < D(201)


def test_only_the_latest_three_reports_set_the_rate():
    # given fast progress long ago and slow progress recently
    points = [
        (dt.date(2018, 12, 31), D(10_000)),
        (dt.date(2019, 12, 31), D(1_000)),
        (dt.date(2020, 12, 31), D(900)),
        (dt.date(2021, 12, 31), D(800)),
    ]

    # then the rate is the recent 100 a year: 8 more years, after a 2025 deadline
    projection = project_completion(points, deadline=dt.date(2025, 8, 1))
    assert dt.date(2029, 12, 25) <= projection.completion <= dt.date(2030, 1, 5)
    assert projection.on_time is False


def test_cannot_project_without_two_points_or_without_progress():
    assert project_completion([]).status == "too_few_points"
    assert project_completion([(dt.date(2024, 1, 1), D(5))]).status == "too_few_points"
    flat = [(dt.date(2023, 1, 1), D(5)), (dt.date(2024, 1, 1), D(5))]
    assert project_completion(flat).status == "no_progress"
    rising = [(dt.date(2023, 1, 1), D(5)), (dt.date(2024, 1, 1), D(8))]
    assert project_completion(rising).status == "no_progress"
    same_day = [(dt.date(2024, 1, 1), D(8)), (dt.date(2024, 1, 1), D(5))]
    assert project_completion(same_day).status in {"no_progress", "projected"}


def test_nothing_remaining_is_completed():
    points = [(dt.date(2023, 1, 1), D(5)), (dt.date(2024, 1, 1), D(0))]
    assert project_completion(points).status == "completed"


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
            st.decimals(min_value=0, max_value=10**12, places=2),
        ),
        max_size=8,
    )
)
def test_a_projection_is_never_before_the_last_report(points):
    projection = project_completion(points)
    if projection.status == "projected":
        assert projection.completion >= max(day for day, _ in points)
