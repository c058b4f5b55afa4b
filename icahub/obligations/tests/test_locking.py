"""Two people edit one obligation at once (page or API): the second save is refused."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from icahub.obligations.models import Obligation

pytestmark = pytest.mark.django_db


def _lao() -> Obligation:
    return Obligation.objects.get(state__iso3="LAO", convention__code="CCM", kind="clearance")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_second_save_of_the_edit_page_is_refused_and_the_first_kept(lao_focal_point, isu_user):
    # given the focal point and the ISU on the obligation's edit page
    url = f"/obligations/{_lao().pk}/edit/"
    first, second = _signed_in(lao_focal_point), _signed_in(isu_user)
    version = first.get(url).context["form"]["lock_version"].value()
    assert second.get(url).context["form"]["lock_version"].value() == version

    # when both save
    saved = first.post(url, {"notes": "Survey finished", "lock_version": version})
    refused = second.post(url, {"notes": "ISU note", "lock_version": version})

    # then the first is kept, the version moved on, and the second is told and keeps input
    assert saved.status_code == 302
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else saved this record while you were editing" in page
    assert f'href="{url}"' in page
    assert "ISU note" in page
    assert _lao().notes == "Survey finished"
    assert _lao().lock_version == version + 1


def test_the_same_extension_recorded_twice_at_once_is_recorded_once(isu_user, superuser):
    # given two ISU staff on the "record an extension" page of one obligation
    url = f"/obligations/{_lao().pk}/extensions/new/"
    first, second = _signed_in(isu_user), _signed_in(superuser)
    version = first.get(url).context["form"]["lock_version"].value()
    count = _lao().extensions.count()
    body = {"new_deadline": "2030-08-01", "decided_by": "13MSP (2025)", "lock_version": version}

    # when both record it
    recorded = first.post(url, body)
    refused = second.post(url, body)

    # then it is recorded once
    assert recorded.status_code == 302
    assert refused.status_code == 409
    assert _lao().extensions.count() == count + 1


def test_an_extension_moves_the_obligation_on_under_its_editor(isu_user):
    # given an editor who opened the obligation, then an extension recorded meanwhile
    client = _signed_in(isu_user)
    url = f"/obligations/{_lao().pk}/edit/"
    version = client.get(url).context["form"]["lock_version"].value()
    client.post(
        f"/obligations/{_lao().pk}/extensions/new/",
        {"new_deadline": "2030-08-01", "lock_version": version},
    )

    # when the editor saves the edit page they opened before
    response = client.post(url, {"notes": "Old page", "lock_version": version})

    # then the save is refused: they have not seen the new deadline
    assert response.status_code == 409
    assert _lao().notes == ""


def test_second_api_patch_is_refused_with_409_naming_lock_version(isu_user, lao_focal_point):
    # given two API clients that read the obligation
    first, second = APIClient(), APIClient()
    first.force_authenticate(lao_focal_point)
    second.force_authenticate(isu_user)
    url = f"/api/v1/obligations/{_lao().pk}/"
    version = first.get(url).json()["lock_version"]
    assert second.get(url).json()["lock_version"] == version

    # when both patch it with the version they read
    saved = first.patch(url, {"notes": "Survey", "lock_version": version}, format="json")
    refused = second.patch(url, {"notes": "Other", "lock_version": version}, format="json")

    # then the first is kept and answered with the new version; the second gets a 409
    assert saved.status_code == 200
    assert saved.json()["lock_version"] == version + 1
    assert refused.status_code == 409
    assert "Someone else saved this record" in refused.json()["lock_version"][0]
    assert _lao().notes == "Survey"


def test_an_api_patch_without_lock_version_is_a_400_naming_it(isu_user):
    # given an API client that does not send the version it edits
    api = APIClient()
    api.force_authenticate(isu_user)

    # when it patches
    response = api.patch(f"/api/v1/obligations/{_lao().pk}/", {"notes": "x"}, format="json")

    # then it is told which field is missing, and nothing changes
    assert response.status_code == 400
    assert response.json()["lock_version"] == ["This field is required."]
    assert _lao().notes == ""


def test_an_api_extension_with_a_stale_version_is_refused(isu_user):
    # given an extension recorded through the API at the current version
    api = APIClient()
    api.force_authenticate(isu_user)
    url = f"/api/v1/obligations/{_lao().pk}/extensions/"
    version = _lao().lock_version
    first = api.post(url, {"new_deadline": "2030-08-01", "lock_version": version}, format="json")

    # when a second client sends the same one with the version it read before
    second = api.post(url, {"new_deadline": "2030-08-01", "lock_version": version}, format="json")

    # then only the first is recorded
    assert first.status_code == 201
    assert second.status_code == 409
    assert "lock_version" in second.json()
