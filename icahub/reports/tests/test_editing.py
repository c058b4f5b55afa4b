"""The draft-editing pages: start, fill forms step by step, submit."""

import pytest

from icahub.reports import services
from icahub.reports.models import Report

pytestmark = pytest.mark.django_db


def _version(report) -> dict:
    """The draft's version, as the edit page posts it back."""
    return {"lock_version": services.current_draft(report).lock_version}


def _management(prefix: str, total: int = 3) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def draft(client, lao_focal_point):
    client.force_login(lao_focal_point)
    response = client.post(
        "/reports/new/",
        {
            "state": "LAO",
            "convention": "CCM",
            "kind": "annual",
            "reporting_year": 2020,
            "language": "en",
        },
    )
    report = Report.objects.get(state__iso3="LAO", reporting_year=2020)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/reports/{report.pk}/edit/")
    return report


def test_the_task_list_shows_every_form_not_started(client, draft):
    page = client.get(f"/reports/{draft.pk}/edit/").content.decode()

    assert page.count("Not started") == 12  # contact + forms A-J + the voluntary part
    assert "Form F: Contaminated areas and clearance" in page


def test_a_focal_point_fills_form_f_and_the_task_is_completed(client, draft):
    data = {
        "form-status": "changed",
        "form-narrative": "Survey of Xieng Khouang",
        **_management("areas"),
        "areas-0-region": "Xieng Khouang",
        "areas-0-year": "2020",
        "areas-0-contaminated_m2": "1500.5",
        "areas-0-cleared_m2": "500",
        "areas-0-remaining_m2": "1000.5",
    }

    response = client.post(f"/reports/{draft.pk}/edit/F/", {**data, **_version(draft)})

    assert response.status_code == 302
    forms = services.current_draft(draft).forms
    assert forms["F"]["tables"]["areas"] == [
        {
            "region": "Xieng Khouang",
            "year": 2020,
            "contaminated_m2": "1500.5",
            "cleared_m2": "500",
            "remaining_m2": "1000.5",
        }
    ]
    assert "Completed" in client.get(f"/reports/{draft.pk}/edit/").content.decode()


def test_a_bad_row_is_named_in_the_summary_and_nothing_is_saved(client, draft):
    data = {
        "form-status": "changed",
        **_management("stockpiles"),
        "stockpiles-0-type": "M26",
        "stockpiles-0-held": "ten",
        "stockpiles-0-destroyed": "0",
        "stockpiles-0-remaining": "10",
    }

    response = client.post(f"/reports/{draft.pk}/edit/B/", {**data, **_version(draft)})

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_stockpiles-0-held"' in page
    assert "Enter a whole number." in page
    assert 'value="ten"' in page
    assert "B" not in services.current_draft(draft).forms


def test_needs_are_added_and_the_report_submitted(client, draft):
    client.post(
        f"/reports/{draft.pk}/edit/needs/",
        {
            **_management("needs"),
            "needs-0-area": "clearance",
            "needs-0-modality": "financial",
            "needs-0-title": "Survey equipment",
            "needs-0-budget_required": "250000",
            "needs-0-currency": "USD",
            **_version(draft),
        },
    )

    response = client.post(f"/reports/{draft.pk}/submit/", {})

    assert response.status_code == 302
    version = draft.versions.get()
    assert version.status == "submitted"
    assert [n.title for n in version.needs.all()] == ["Survey equipment"]


def test_another_states_focal_point_cannot_edit(client, draft, lbn_focal_point):
    client.force_login(lbn_focal_point)

    assert client.get(f"/reports/{draft.pk}/edit/").status_code == 403
    assert (
        client.post(f"/reports/{draft.pk}/edit/J/", {"form-status": "changed"}).status_code == 403
    )


def test_the_isu_backdates_a_submission_from_the_page(client, draft, isu_user):
    client.force_login(isu_user)

    client.post(f"/reports/{draft.pk}/submit/", {"submitted_on": "2021-04-20"})

    assert str(draft.versions.get().submitted_on) == "2021-04-20"


def test_a_submitted_report_is_amended_from_its_page(client, draft):
    client.post(f"/reports/{draft.pk}/submit/", {})

    page = client.get(f"/reports/{draft.pk}/").content.decode()
    response = client.post(f"/reports/{draft.pk}/amend/")

    assert "Amend this report" in page
    assert response.status_code == 302
    assert draft.versions.count() == 2
