"""Two people edit one need or one offer at once (page or API): the second is refused."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


NEED_FORM = {
    "area": "clearance",
    "modality": "technical",
    "language": "en",
    "visibility": "states_parties",
    "status": "open",
}


def test_second_save_of_a_need_is_refused_and_the_first_kept(lao_focal_point, isu_user, lao_need):
    # given Lao PDR's focal point and the ISU on the need's edit page
    url = f"/assistance/needs/{lao_need.pk}/edit/"
    first, second = _signed_in(lao_focal_point), _signed_in(isu_user)
    version = first.get(url).context["form"]["lock_version"].value()
    assert second.get(url).context["form"]["lock_version"].value() == version

    # when both save
    saved = first.post(url, {**NEED_FORM, "title": "By the focal point", "lock_version": version})
    refused = second.post(url, {**NEED_FORM, "title": "By the ISU", "lock_version": version})

    # then the first is kept and the second is told, their input still on the page
    assert saved.status_code == 302
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else saved this record while you were editing" in page
    assert 'value="By the ISU"' in page
    lao_need.refresh_from_db()
    assert (lao_need.title, lao_need.lock_version) == ("By the focal point", version + 1)


def test_second_save_of_an_offer_is_refused(donor_user, isu_user, offers):
    # given Norway's donor and the ISU on the same offer's edit page
    offer = offers[("NOR", "states_parties")]
    url = f"/assistance/offers/{offer.pk}/edit/"
    first, second = _signed_in(donor_user), _signed_in(isu_user)
    version = first.get(url).context["form"]["lock_version"].value()
    body = {"areas": ["clearance"], "visibility": "public", "status": "open"}

    # when both save
    saved = first.post(url, {**body, "title": "Donor", "lock_version": version})
    refused = second.post(url, {**body, "title": "ISU", "lock_version": version})

    # then only the first is kept
    assert saved.status_code == 302
    assert refused.status_code == 409
    offer.refresh_from_db()
    assert (offer.title, offer.lock_version) == ("Donor", version + 1)


@pytest.mark.parametrize("kind", ["needs", "offers"])
def test_second_api_patch_is_refused_with_409(kind, isu_user, superuser, lao_need, offers):
    # given two API clients that read the same need (or offer)
    pk = lao_need.pk if kind == "needs" else offers[("NOR", "states_parties")].pk
    url = f"/api/v1/{kind}/{pk}/"
    first, second = APIClient(), APIClient()
    first.force_authenticate(isu_user)
    second.force_authenticate(superuser)
    version = first.get(url).json()["lock_version"]

    # when both patch it with the version they read, and a third sends none
    saved = first.patch(url, {"title": "First", "lock_version": version}, format="json")
    refused = second.patch(url, {"title": "Second", "lock_version": version}, format="json")
    missing = second.patch(url, {"title": "Third"}, format="json")

    # then the first is kept; the second is a 409 and the third a 400, both naming the field
    assert saved.status_code == 200
    assert saved.json()["lock_version"] == version + 1
    assert refused.status_code == 409
    assert "Someone else saved this record" in refused.json()["lock_version"][0]
    assert missing.status_code == 400
    assert "lock_version" in missing.json()
    assert first.get(url).json()["title"] == "First"
