"""Two people edit one need, one offer, a need's translation or the matching weights at once
(page or API): the second is refused."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from icahub.assistance import matching, services

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


# --- the matching weights (the ISU) --------------------------------------------------------

WEIGHTS_FORM = {
    "area": "3",
    "modality": "1",
    "geography": "1",
    "language": "1",
    "budget": "1",
    "urgency": "1",
    "past_cooperation": "1",
    "text": "1",
}


def test_second_save_of_the_weights_page_is_refused(isu_user, superuser):
    # given two ISU members on the weights page (the defaults, never changed: version 0)
    url = "/assistance/matching/"
    first, second = _signed_in(isu_user), _signed_in(superuser)
    version = first.get(url).context["form"]["lock_version"].value()
    assert version == second.get(url).context["form"]["lock_version"].value() == 0

    # when both save
    saved = first.post(url, {**WEIGHTS_FORM, "text": "4", "lock_version": version})
    refused = second.post(url, {**WEIGHTS_FORM, "text": "9", "lock_version": version})

    # then the first is kept, the second told, with its input still there
    assert saved.status_code == 302
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else saved this record while you were editing" in page
    assert 'value="9"' in page
    assert matching.weights_current()["text"] == 4.0
    assert matching.weights_version() == 1


def test_second_api_patch_of_the_weights_is_refused(isu_user, superuser):
    # given two API clients that read the weights
    first, second = APIClient(), APIClient()
    first.force_authenticate(isu_user)
    second.force_authenticate(superuser)
    version = first.get("/api/v1/matching/weights/").json()["lock_version"]

    # when both change them with that version, and a third sends none
    saved = first.patch(
        "/api/v1/matching/weights/", {"text": 4, "lock_version": version}, format="json"
    )
    refused = second.patch(
        "/api/v1/matching/weights/", {"text": 9, "lock_version": version}, format="json"
    )
    missing = second.patch("/api/v1/matching/weights/", {"text": 9}, format="json")

    # then only the first is kept
    assert saved.status_code == 200, saved.content
    assert saved.json()["lock_version"] == version + 1
    assert refused.status_code == 409
    assert missing.status_code == 400 and "lock_version" in missing.json()
    assert matching.weights_current()["text"] == 4.0


# --- a need's translations -----------------------------------------------------------------


def test_adding_a_language_someone_added_meanwhile_is_refused(lao_focal_point, isu_user, lao_need):
    # given the focal point and the ISU both adding a French translation
    url = f"/assistance/needs/{lao_need.pk}/translations/new/"
    first, second = _signed_in(lao_focal_point), _signed_in(isu_user)
    first.get(url)
    second.get(url)

    # when both save
    saved = first.post(url, {"language": "fr", "title": "Enquête", "lock_version": ""})
    refused = second.post(url, {"language": "fr", "title": "Relevé", "lock_version": ""})

    # then the first is kept; the second is told where to change it, its input kept
    assert saved.status_code == 302
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "A translation in this language has been saved already" in page
    assert 'value="Relevé"' in page
    assert [t.title for t in lao_need.translations.all()] == ["Enquête"]


def test_a_translation_is_changed_from_its_link_and_a_stale_change_refused(
    lao_focal_point, isu_user, lao_need
):
    # given a French translation, opened to be changed by two people from the need's page
    services.need_add_translation(need=lao_need, language="fr", title="Enquête")
    detail = _signed_in(lao_focal_point).get(f"/assistance/needs/{lao_need.pk}/")
    link = f"/assistance/needs/{lao_need.pk}/translations/new/?language=fr"
    assert f'href="{link}"' in detail.content.decode()
    first, second = _signed_in(lao_focal_point), _signed_in(isu_user)
    form = first.get(link)
    assert form.context["form"]["title"].value() == "Enquête"
    version = form.context["form"]["lock_version"].value()
    second.get(link)

    # when both save their change
    url = f"/assistance/needs/{lao_need.pk}/translations/new/"
    saved = first.post(url, {"language": "fr", "title": "Enquête 2", "lock_version": version})
    refused = second.post(url, {"language": "fr", "title": "Enquête 3", "lock_version": version})

    # then the first replaces the translation, the second is refused
    assert saved.status_code == 302
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else saved this record while you were editing" in page
    assert "<h1>Change a translation</h1>" in page
    assert [t.title for t in lao_need.translations.all()] == ["Enquête 2"]


def test_the_api_replaces_a_translation_only_when_told_which_version(isu_user, lao_need):
    api = APIClient()
    api.force_authenticate(isu_user)
    url = f"/api/v1/needs/{lao_need.pk}/translations/"
    added = api.post(url, {"language": "fr", "title": "Enquête"}, format="json")
    assert added.status_code == 201
    version = added.json()["translations"][0]["lock_version"]

    # when it is sent again without a version, then with the one read
    again = api.post(url, {"language": "fr", "title": "Autre"}, format="json")
    replaced = api.post(
        url, {"language": "fr", "title": "Autre", "lock_version": version}, format="json"
    )
    stale = api.post(
        url, {"language": "fr", "title": "Encore", "lock_version": version}, format="json"
    )

    # then only the one naming the current version replaces it
    assert again.status_code == 409 and "lock_version" in again.json()
    assert replaced.status_code == 201
    assert stale.status_code == 409
    assert [t.title for t in lao_need.translations.all()] == ["Autre"]
