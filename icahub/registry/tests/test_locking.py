"""Two people edit one state or organisation at once: the second save is refused."""

import pytest
from django.test import Client

from icahub.registry import services
from icahub.registry.models import Organisation, State
from icahub.versioning import ConcurrentEditError

pytestmark = pytest.mark.django_db


def _hidden_version(response) -> int:
    return response.context["form"]["lock_version"].value()


def test_second_save_of_a_state_is_refused_and_the_first_kept(lao_focal_point, isu_user):
    # given two users who opened the edit page of Lao PDR's details
    first, second = Client(), Client()
    first.force_login(lao_focal_point)
    second.force_login(isu_user)
    first_version = _hidden_version(first.get("/states/LAO/edit/"))
    second_version = _hidden_version(second.get("/states/LAO/edit/"))
    assert first_version == second_version == 0

    # when both save, the first one first
    saved = first.post(
        "/states/LAO/edit/", {"mine_action_authority": "NRA", "lock_version": first_version}
    )
    refused = second.post(
        "/states/LAO/edit/",
        {"mine_action_authority": "UXO Lao", "notes": "Mine", "lock_version": second_version},
    )

    # then the first save went through and moved the version on
    assert saved.status_code == 302
    lao = State.objects.get(iso3="LAO")
    assert lao.mine_action_authority == "NRA"
    assert lao.notes == ""
    assert lao.lock_version == 1
    # and the second was refused with the error summary, a reload link and their input kept
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "There is a problem" in page
    assert "Someone else saved this record while you were editing" in page
    assert "your changes were not saved" in page
    assert 'href="/states/LAO/edit/"' in page
    assert 'value="UXO Lao"' in page


def test_a_refused_editor_who_reloads_can_save(lao_focal_point):
    # given a save refused because the state moved on
    client = Client()
    client.force_login(lao_focal_point)
    services.state_update(state=State.objects.get(iso3="LAO"), data={"notes": "ISU note"})
    refused = client.post("/states/LAO/edit/", {"notes": "Mine", "lock_version": 0})
    assert refused.status_code == 409

    # when they reload and save again
    version = _hidden_version(client.get("/states/LAO/edit/"))
    saved = client.post("/states/LAO/edit/", {"notes": "Mine", "lock_version": version})

    # then it goes through
    assert saved.status_code == 302
    assert State.objects.get(iso3="LAO").notes == "Mine"


def test_a_form_posted_without_its_version_is_refused(lao_focal_point):
    # given an old page or a hand-made request that does not say which version it edits
    client = Client()
    client.force_login(lao_focal_point)

    # when it is posted
    response = client.post("/states/LAO/edit/", {"notes": "Blind overwrite"})

    # then nothing is written
    assert "Someone else saved this record" in response.content.decode()
    assert State.objects.get(iso3="LAO").notes == ""


def test_second_save_of_an_organisation_is_refused(partner_user, isu_user):
    # given the partner and the ISU on the same organisation's edit page
    npa = Organisation.objects.get(acronym="NPA")
    url = f"/organisations/{npa.pk}/edit/"
    first, second = Client(), Client()
    first.force_login(partner_user)
    second.force_login(isu_user)
    version = _hidden_version(first.get(url))
    assert _hidden_version(second.get(url)) == version
    body = {"acronym": "NPA", "kind": "operator", "lock_version": version}

    # when both save
    saved = first.post(url, {**body, "description": "By the partner"})
    refused = second.post(url, {**body, "description": "By the ISU"})

    # then only the first is kept
    assert saved.status_code == 302
    assert refused.status_code == 409
    npa.refresh_from_db()
    assert npa.description == "By the partner"
    assert npa.lock_version == version + 1


def test_the_service_refuses_a_stale_version_and_writes_nothing():
    # given a state read at version 0, then saved by someone else
    lao = State.objects.get(iso3="LAO")
    services.state_update(state=State.objects.get(iso3="LAO"), data={"notes": "First"})

    # when the stale copy is saved with the version it read
    with pytest.raises(ConcurrentEditError) as refused:
        services.state_update(state=lao, data={"notes": "Second"}, expected_version=0)

    # then the error names lock_version with the conflict code, and the first save stays
    assert refused.value.error_dict["lock_version"][0].code == "conflict"
    assert State.objects.get(iso3="LAO").notes == "First"
    assert State.objects.get(iso3="LAO").lock_version == 1
