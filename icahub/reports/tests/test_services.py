import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from icahub.registry.models import Convention, State
from icahub.reports import services
from icahub.reports.models import ReportVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def ccm():
    return Convention.objects.get(code="CCM")


@pytest.fixture
def lao():
    return State.objects.get(iso3="LAO")


def _annual(lao, ccm, year=2020):
    return services.report_start(state=lao, convention=ccm, kind="annual", reporting_year=year)


def test_annual_report_covers_the_calendar_year_and_is_due_30_april(lao, ccm):
    report = _annual(lao, ccm)

    assert (report.period_start, report.period_end) == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert report.due_date == dt.date(2021, 4, 30)
    assert services.current_draft(report).number == 1


def test_initial_report_is_due_180_days_after_entry_into_force(lao, ccm):
    report = services.report_start(state=lao, convention=ccm, kind="initial", reporting_year=2010)

    assert report.period_start == dt.date(2010, 8, 1)
    assert report.due_date == dt.date(2011, 1, 28)


def test_a_non_party_cannot_start_a_report(ccm):
    usa = State.objects.get(iso3="USA")

    with pytest.raises(ValidationError) as error:
        services.report_start(state=usa, convention=ccm, kind="annual", reporting_year=2020)

    assert "state" in error.value.message_dict


def test_a_year_before_entry_into_force_is_refused(ccm):
    irq = State.objects.get(iso3="IRQ")  # in force 1 November 2013

    with pytest.raises(ValidationError) as error:
        services.report_start(state=irq, convention=ccm, kind="annual", reporting_year=2012)

    assert "reporting_year" in error.value.message_dict


def test_a_second_report_for_the_same_year_is_a_conflict(lao, ccm):
    _annual(lao, ccm)

    with pytest.raises(ValidationError) as error:
        _annual(lao, ccm)

    assert error.value.error_dict["reporting_year"][0].code == "conflict"


def test_every_problem_in_the_forms_is_named_at_once(lao, ccm):
    draft = services.current_draft(_annual(lao, ccm))
    forms = {
        "B": {"tables": {"stockpiles": [{"type": "M26", "held": "ten", "destroyed": 1}]}},
        "F": {
            "tables": {
                "areas": [
                    {
                        "region": "Xieng Khouang",
                        "year": 2020,
                        "contaminated_m2": "-5",
                        "cleared_m2": 10,
                        "remaining_m2": 0,
                    }
                ]
            }
        },
        "Z": {},
    }

    with pytest.raises(ValidationError) as error:
        services.version_update(version=draft, forms=forms)

    errors = error.value.message_dict
    assert errors["forms.B.tables.stockpiles[1].held"] == ["Enter a whole number."]
    assert errors["forms.B.tables.stockpiles[1].remaining"] == ["This field is required."]
    assert errors["forms.F.tables.areas[1].contaminated_m2"] == ["Enter a number of zero or more."]
    assert "forms.Z.form" in errors
    draft.refresh_from_db()
    assert draft.forms == {}


def test_forms_are_stored_cleaned(lao, ccm):
    draft = services.current_draft(_annual(lao, ccm))

    services.version_update(
        version=draft,
        forms={
            "F": {
                "narrative": "Survey",
                "tables": {
                    "areas": [
                        {
                            "region": "Xieng Khouang",
                            "year": "2020",
                            "contaminated_m2": "1500.50",
                            "cleared_m2": 500,
                            "remaining_m2": "1000.5",
                        }
                    ]
                },
            }
        },
    )

    draft.refresh_from_db()
    row = draft.forms["F"]["tables"]["areas"][0]
    assert row == {
        "region": "Xieng Khouang",
        "year": 2020,
        "contaminated_m2": "1500.5",
        "cleared_m2": "500",
        "remaining_m2": "1000.5",
    }
    assert draft.forms["F"]["status"] == "changed"


def test_a_submitted_version_is_never_edited_in_place(lao, ccm, isu_user):
    report = _annual(lao, ccm)
    services.report_submit(report=report, user=isu_user, submitted_on=dt.date(2021, 4, 1))
    version = report.versions.get()

    with pytest.raises(ValidationError) as error:
        services.version_update(version=version, forms={"J": {"narrative": "changed"}})

    assert error.value.error_dict["status"][0].code == "conflict"


def test_an_amendment_is_a_new_version_and_the_differences_are_listed(lao, ccm, isu_user):
    report = _annual(lao, ccm)
    services.version_update(
        version=services.current_draft(report), forms={"J": {"narrative": "First"}}
    )
    first = services.report_submit(report=report, user=isu_user, submitted_on=dt.date(2021, 4, 1))

    draft = services.report_amend(report=report, user=isu_user)
    services.version_update(version=draft, forms={"J": {"narrative": "Second"}})
    second = services.report_submit(report=report, user=isu_user, submitted_on=dt.date(2021, 5, 1))

    assert (first.number, second.number, second.amends_id) == (1, 2, first.pk)
    first.refresh_from_db()
    assert first.forms["J"]["narrative"] == "First"
    assert services.version_differences(first, second) == [
        {"path": "forms.J.narrative", "old": "First", "new": "Second"}
    ]


def test_only_the_isu_records_a_past_submission_date(lao, ccm, lao_focal_point):
    report = _annual(lao, ccm)

    with pytest.raises(ValidationError) as error:
        services.report_submit(
            report=report, user=lao_focal_point, submitted_on=dt.date(2021, 4, 1)
        )

    assert "submitted_on" in error.value.message_dict
    services.report_submit(report=report, user=lao_focal_point)
    assert report.versions.get().submitted_on == timezone.localdate()


def test_next_annual_report_carries_forms_forward_as_unchanged(lao, ccm, isu_user):
    first = _annual(lao, ccm, 2019)
    services.version_update(
        version=services.current_draft(first),
        forms={
            "A": {"narrative": "Law 2012"},
            "B": {"status": "not_applicable"},
            "needs": {
                "tables": {
                    "needs": [{"area": "clearance", "modality": "financial", "title": "Survey"}]
                }
            },
        },
    )
    services.report_submit(report=first, user=isu_user, submitted_on=dt.date(2020, 4, 30))

    second = _annual(lao, ccm, 2020)

    forms = services.current_draft(second).forms
    assert forms["A"] == {"status": "unchanged", "narrative": "Law 2012", "last_reported": 2019}
    assert forms["B"] == {"status": "not_applicable"}
    assert "needs" not in forms


def test_publishing_needs_a_submitted_version(lao, ccm, isu_user):
    report = _annual(lao, ccm)
    draft = services.current_draft(report)

    with pytest.raises(ValidationError):
        services.version_publish(version=draft)

    version = services.report_submit(report=report, user=isu_user, submitted_on=dt.date(2021, 4, 1))
    services.version_publish(version=version)
    assert ReportVersion.objects.get(pk=version.pk).status == "published"


def test_a_need_with_a_budget_needs_its_currency(lao, ccm):
    draft = services.current_draft(_annual(lao, ccm))

    with pytest.raises(ValidationError) as error:
        services.version_update(
            version=draft,
            forms={
                "needs": {
                    "tables": {
                        "needs": [
                            {
                                "area": "clearance",
                                "modality": "financial",
                                "title": "Survey",
                                "budget_required": "250000",
                            }
                        ]
                    }
                }
            },
        )

    assert error.value.message_dict == {
        "forms.needs.tables.needs[1].currency": ["Required when budget_required is given."]
    }


def test_submitting_turns_the_voluntary_part_into_needs(lao, ccm, isu_user):
    from icahub.assistance.models import Need

    report = _annual(lao, ccm)
    services.version_update(
        version=services.current_draft(report),
        forms={
            "needs": {
                "tables": {
                    "needs": [
                        {
                            "area": "clearance",
                            "modality": "financial",
                            "title": "Survey",
                            "budget_required": "250000",
                            "currency": "usd",
                        }
                    ]
                }
            }
        },
    )

    version = services.report_submit(report=report, user=isu_user, submitted_on=dt.date(2021, 4, 1))

    need = Need.objects.get(source_report_version=version)
    assert (need.state.iso3, need.area, need.title, need.currency) == (
        "LAO",
        "clearance",
        "Survey",
        "USD",
    )
    assert list(version.needs.all()) == [need]
