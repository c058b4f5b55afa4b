"""Two people change one coalition record at once (page or API): the second is refused."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from icahub.coalitions import services
from icahub.coalitions.models import Coalition, CoalitionMember
from icahub.coalitions.tests.conftest import login

pytestmark = pytest.mark.django_db


def _page(request, role: str) -> Client:
    client = Client()
    login(client, request, role)
    return client


def _version(record) -> int:
    return type(record).objects.values_list("lock_version", flat=True).get(pk=record.pk)


def test_second_save_of_the_coalition_is_refused_and_the_first_kept(request, coalition):
    # given the lead state's focal point and the ISU on the coalition's edit page
    url = f"/coalitions/{coalition.pk}/edit/"
    first, second = _page(request, "lead"), _page(request, "isu")
    version = first.get(url).context["form"]["lock_version"].value()
    assert second.get(url).context["form"]["lock_version"].value() == version

    # when both save
    saved = first.post(url, {"name": "By the lead", "status": "active", "lock_version": version})
    refused = second.post(url, {"name": "By the ISU", "status": "active", "lock_version": version})

    # then the first is kept; the second is told and keeps its input
    assert saved.status_code == 302
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else saved this record while you were editing" in page
    assert 'value="By the ISU"' in page
    assert Coalition.objects.get(pk=coalition.pk).name == "By the lead"
    assert _version(coalition) == version + 1


def test_second_save_of_a_meeting_is_refused(request, coalition):
    # given a meeting, open in two browsers
    meeting = services.meeting_create(
        coalition=coalition, title="Kick-off", starts_at="2026-03-01T09:00Z", place="Vientiane"
    )
    url = f"/coalitions/{coalition.pk}/meetings/{meeting.pk}/edit/"
    first, second = _page(request, "lead"), _page(request, "isu")
    version = first.get(url).context["form"]["lock_version"].value()
    body = {"starts_at": "2026-03-01T09:00", "place": "Vientiane", "lock_version": version}

    # when both save
    saved = first.post(url, {**body, "title": "Kick-off (lead)"})
    refused = second.post(url, {**body, "title": "Kick-off (ISU)"})

    # then only the first is kept
    assert saved.status_code == 302
    assert refused.status_code == 409
    meeting.refresh_from_db()
    assert meeting.title == "Kick-off (lead)"


def test_removing_a_member_whose_role_changed_meanwhile_is_refused(request, coalition, norway):
    # given the ISU's page showing Norway, then the lead changes Norway's role
    version = _version(norway)
    services.member_change_role(member=norway, role="observer", expected_version=version)

    # when the ISU presses "Remove" on the page it had
    response = _page(request, "isu").post(
        f"/coalitions/{coalition.pk}/members/{norway.pk}/remove/",
        {"lock_version": version},
        follow=True,
    )

    # then Norway is still a member and the page says why
    assert CoalitionMember.objects.get(pk=norway.pk).status == "active"
    assert "nothing was deleted" in response.content.decode()


def test_second_api_patch_is_409_and_a_stale_member_delete_too(request, coalition, norway):
    # given two API clients that read the coalition and Norway's membership
    lead, isu = APIClient(), APIClient()
    login(lead, request, "lead")
    login(isu, request, "isu")
    url = f"/api/v1/coalitions/{coalition.pk}/"
    version = lead.get(url).json()["lock_version"]
    member_url = f"/api/v1/coalitions/{coalition.pk}/members/{norway.pk}/"
    member_version = _version(norway)

    # when both patch the coalition, and then the lead changes the role and the ISU removes
    saved = lead.patch(url, {"description": "Lead", "lock_version": version}, format="json")
    refused = isu.patch(url, {"description": "ISU", "lock_version": version}, format="json")
    role = lead.patch(
        member_url, {"role": "observer", "lock_version": member_version}, format="json"
    )
    removal = isu.delete(f"{member_url}?lock_version={member_version}")

    # then the first of each pair is kept and the second is a 409 naming lock_version
    assert saved.status_code == 200
    assert saved.json()["lock_version"] == version + 1
    assert refused.status_code == 409 and "lock_version" in refused.json()
    assert role.status_code == 200 and role.json()["lock_version"] == member_version + 1
    assert removal.status_code == 409 and "lock_version" in removal.json()
    assert Coalition.objects.get(pk=coalition.pk).description == "Lead"
    assert CoalitionMember.objects.get(pk=norway.pk).status == "active"
