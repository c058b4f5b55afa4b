"""Two people change or delete one funding flow at once: the second is refused."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from icahub.funding.models import Flow
from icahub.funding.tests.conftest import make_flow

pytestmark = pytest.mark.django_db

FORM = {
    "giver_state": "NOR",
    "recipient_state": "LAO",
    "area": "clearance",
    "status": "expenditure",
    "amount": "1000",
    "currency": "USD",
    "value_date": "2024-03-01",
    "visibility": "private",
}


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_second_save_of_a_flow_is_refused_and_the_first_kept(donor_user, isu_user, nor, lao):
    # given Norway's donor and the ISU on the edit page of the same flow
    flow = make_flow(giver_state=nor, recipient_state=lao)
    url = f"/funding/flows/{flow.pk}/edit/"
    first, second = _signed_in(donor_user), _signed_in(isu_user)
    version = first.get(url).context["form"]["lock_version"].value()
    assert second.get(url).context["form"]["lock_version"].value() == version

    # when both save
    saved = first.post(url, {**FORM, "notes_on_use": "Donor", "lock_version": version})
    refused = second.post(url, {**FORM, "notes_on_use": "ISU", "lock_version": version})

    # then the first is kept; the second is told, with their input still on the page
    assert saved.status_code == 302
    assert refused.status_code == 409
    assert "Someone else saved this record while you were editing" in refused.content.decode()
    assert "ISU" in refused.content.decode()
    flow.refresh_from_db()
    assert (flow.notes_on_use, flow.lock_version) == ("Donor", version + 1)


def test_deleting_a_flow_changed_meanwhile_is_refused(donor_user, isu_user, nor, lao):
    # given the donor who opened the flow's page, then the ISU changed the flow
    flow = make_flow(giver_state=nor, recipient_state=lao)
    donor, isu = _signed_in(donor_user), _signed_in(isu_user)
    shown = donor.get(f"/funding/flows/{flow.pk}/").content.decode()
    assert f'name="lock_version" value="{flow.lock_version}"' in shown
    isu.post(
        f"/funding/flows/{flow.pk}/edit/",
        {**FORM, "notes_on_use": "Checked", "lock_version": flow.lock_version},
    )

    # when the donor presses "Delete the flow" on the page they had
    response = donor.post(
        f"/funding/flows/{flow.pk}/delete/", {"lock_version": flow.lock_version}, follow=True
    )

    # then the flow is kept and the page says why
    assert Flow.objects.filter(pk=flow.pk).exists()
    assert "nothing was deleted" in response.content.decode()


def test_second_api_patch_and_a_stale_delete_are_409(donor_user, isu_user, nor, lao):
    # given two API clients that read the same flow
    flow = make_flow(giver_state=nor, recipient_state=lao)
    first, second = APIClient(), APIClient()
    first.force_authenticate(donor_user)
    second.force_authenticate(isu_user)
    url = f"/api/v1/flows/{flow.pk}/"
    version = first.get(url).json()["lock_version"]

    # when both patch it, then the second tries to delete at the version it read
    saved = first.patch(url, {"notes_on_use": "Donor", "lock_version": version}, format="json")
    refused = second.patch(url, {"notes_on_use": "ISU", "lock_version": version}, format="json")
    stale_delete = second.delete(f"{url}?lock_version={version}")
    no_version = second.delete(url)

    # then the first is kept and the others are refused, naming lock_version
    assert saved.status_code == 200
    assert saved.json()["lock_version"] == version + 1
    assert refused.status_code == 409
    assert "lock_version" in refused.json()
    assert stale_delete.status_code == 409
    assert no_version.status_code == 400
    assert "lock_version" in no_version.json()
    flow.refresh_from_db()
    assert flow.notes_on_use == "Donor"
