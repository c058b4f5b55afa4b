"""Two people edit one draft report at once (page or API): the second save is refused."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from icahub.reports import services
from icahub.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(lao_focal_point) -> Report:
    from icahub.registry.models import Convention, State

    return services.report_start(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        kind="annual",
        reporting_year=2024,
        user=lao_focal_point,
    )


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_second_save_of_a_form_is_refused_and_the_first_kept(draft, lao_focal_point, isu_user):
    # given the focal point and the ISU on form J of the same draft
    url = f"/reports/{draft.pk}/edit/J/"
    first, second = _signed_in(lao_focal_point), _signed_in(isu_user)
    version = first.get(url).context["lock_version"]
    assert second.get(url).context["lock_version"] == version

    # when both save
    body = {"form-status": "changed", "lock_version": version}
    saved = first.post(url, {**body, "form-narrative": "By the focal point"})
    refused = second.post(url, {**body, "form-narrative": "By the ISU"})

    # then the first is kept; the second is told, with a reload link and its text kept
    assert saved.status_code == 302
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else saved this record while you were editing" in page
    assert f'href="{url}"' in page
    assert "By the ISU" in page
    assert services.current_draft(draft).forms["J"]["narrative"] == "By the focal point"
    assert services.current_draft(draft).lock_version == version + 1


def test_contacts_saved_meanwhile_refuse_a_stale_contacts_page(draft, lao_focal_point):
    # given the contacts page opened, then another form of the draft saved meanwhile
    client = _signed_in(lao_focal_point)
    url = f"/reports/{draft.pk}/edit/contacts/"
    version = client.get(url).context["form"]["lock_version"].value()
    services.version_update(version=services.current_draft(draft), data={"language": "fr"})

    # when the contacts page is saved
    response = client.post(
        url, {"language": "en", "contact_name": "Ms Focal", "lock_version": version}
    )

    # then it is refused and the other save stays
    assert response.status_code == 409
    assert services.current_draft(draft).language == "fr"


def test_second_api_patch_of_a_draft_is_409(draft, lao_focal_point, isu_user):
    # given two API clients that read the draft
    first, second = APIClient(), APIClient()
    first.force_authenticate(lao_focal_point)
    second.force_authenticate(isu_user)
    url = f"/api/v1/reports/{draft.pk}/"
    version = first.get(url).json()["lock_version"]

    # when both patch it
    saved = first.patch(url, {"language": "fr", "lock_version": version}, format="json")
    refused = second.patch(url, {"language": "es", "lock_version": version}, format="json")
    missing = second.patch(url, {"language": "es"}, format="json")

    # then the first is kept; the second is a 409 and the one without a version a 400
    assert saved.status_code == 200 and saved.json()["lock_version"] == version + 1
    assert refused.status_code == 409 and "lock_version" in refused.json()
    assert missing.status_code == 400 and "lock_version" in missing.json()
    assert services.current_draft(draft).language == "fr"
