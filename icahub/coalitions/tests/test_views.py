"""Coalition pages per role: the public overview, the private workspace (404 to anyone but
members and the ISU), the forms, downloads and the invitation answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from icahub.coalitions import services
from icahub.coalitions.models import Coalition, CoalitionMember, Meeting
from icahub.coalitions.tests.conftest import ROLES, WORKSPACE_READERS, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace(coalition, norway, plan_need, lao_focal_point):
    """A meeting with an action item and a document in the coalition."""
    meeting = services.meeting_create(
        coalition=coalition,
        title="Kick-off",
        starts_at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC),
        place="Vientiane",
        minutes="Secret minutes",
    )
    services.action_item_create(meeting=meeting, text="Share the survey", owner=norway)
    document = services.document_upload(
        coalition=coalition,
        title="Budget",
        file=SimpleUploadedFile("budget.pdf", b"%PDF-1.4 budget\n%%EOF\n", "application/pdf"),
    )
    return {"coalition": coalition, "meeting": meeting, "document": document}


PRIVATE_READS = [
    "/coalitions/{c}/meetings/{m}/",
    "/coalitions/{c}/actions/",
    "/coalitions/{c}/actions/?format=csv",
    "/coalitions/{c}/actions/?format=xlsx",
    "/coalitions/{c}/gap/",
    "/coalitions/{c}/gap/?format=csv",
    "/coalitions/{c}/gap/?format=xlsx",
    "/coalitions/{c}/documents/{d}/",
]


@pytest.mark.parametrize("url", PRIVATE_READS)
@pytest.mark.parametrize("role", ROLES)
def test_private_pages_and_downloads_only_for_members_and_isu(request, workspace, role, url):
    # given a user of this role
    client = Client()
    login(client, request, role)

    # when they open a page of the workspace
    target = url.format(
        c=workspace["coalition"].pk, m=workspace["meeting"].pk, d=workspace["document"].pk
    )
    response = client.get(target)

    # then members and the ISU get it; to anyone else it does not exist
    assert response.status_code == (200 if role in WORKSPACE_READERS else 404)


@pytest.mark.parametrize("role", ROLES)
def test_the_overview_is_public_and_the_workspace_private(request, workspace, role):
    client = Client()
    login(client, request, role)

    response = client.get(f"/coalitions/{workspace['coalition'].pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Lao clearance" in page
    assert "Norway" in page  # an active member: public
    private = "Members, invitations and departures" in page
    assert private == (role in WORKSPACE_READERS)
    assert ("Kick-off" in page) == (role in WORKSPACE_READERS)
    # NPA is only invited: its name is private
    assert ("Norwegian People" in page) == (role in WORKSPACE_READERS)


def test_exports_hold_the_tables(request, workspace):
    client = Client()
    login(client, request, "member")
    coalition = workspace["coalition"]

    actions = client.get(f"/coalitions/{coalition.pk}/actions/?format=csv").content.decode()
    gap = client.get(f"/coalitions/{coalition.pk}/gap/?format=csv").content.decode()

    assert "Share the survey" in actions and "Norway" in actions
    assert "Survey of Xieng Khouang" in gap and "1000000.00" in gap


def test_the_gap_page_has_a_chart_and_its_table(request, workspace):
    client = Client()
    login(client, request, "lead")
    page = client.get(f"/coalitions/{workspace['coalition'].pk}/gap/").content.decode()
    assert "<svg" in page and "<caption>" in page
    assert "Survey of Xieng Khouang" in page


def test_the_document_is_sent_as_an_attachment(request, workspace):
    client = Client()
    login(client, request, "member")
    response = client.get(
        f"/coalitions/{workspace['coalition'].pk}/documents/{workspace['document'].pk}/"
    )
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 budget\n%%EOF\n"
    assert "no-store" in response["Cache-Control"]


def test_the_list_shows_my_coalitions_and_invitations(request, coalition):
    client = Client()
    login(client, request, "invited")
    page = client.get("/coalitions/").content.decode()
    assert "Accept the invitation to Lao clearance" in page
    assert "not an active member of any coalition" in page

    member = Client()
    login(member, request, "member")
    page = member.get("/coalitions/").content.decode()
    assert "No invitation is waiting for you" in page


def test_the_list_makes_a_bounded_number_of_queries(
    request, coalition, django_assert_max_num_queries, lao, ccm
):
    for index in range(5):
        services.coalition_create(lead_state=lao, convention=ccm, name=f"Extra {index}")
    client = Client()
    login(client, request, "member")
    with django_assert_max_num_queries(15):
        assert client.get("/coalitions/").status_code == 200


def test_an_invitation_is_accepted_from_the_list(request, coalition, npa_invitation):
    # given NPA's member signed in
    client = Client()
    login(client, request, "invited")

    # when they accept
    response = client.post(f"/coalitions/invitations/{npa_invitation.pk}/accept/")

    # then NPA is an active member and the workspace opens to them
    assert response.status_code == 302
    npa_invitation.refresh_from_db()
    assert npa_invitation.status == "active"
    assert client.get(f"/coalitions/{coalition.pk}/gap/").status_code == 200


def test_someone_else_cannot_answer_an_invitation(request, npa_invitation):
    client = Client()
    login(client, request, "member")
    assert client.post(f"/coalitions/invitations/{npa_invitation.pk}/accept/").status_code == 404
    assert client.post(f"/coalitions/invitations/{npa_invitation.pk}/decline/").status_code == 404
    npa_invitation.refresh_from_db()
    assert npa_invitation.status == "invited"


def test_declining(request, npa_invitation):
    client = Client()
    login(client, request, "invited")
    assert client.post(f"/coalitions/invitations/{npa_invitation.pk}/decline/").status_code == 302
    npa_invitation.refresh_from_db()
    assert npa_invitation.status == "declined"


def test_a_focal_point_creates_a_coalition_led_by_their_state(request, lao_focal_point):
    client = Client()
    login(client, request, "lead")
    response = client.post(
        "/coalitions/new/", {"name": "Clear Laos", "lead_state": "LAO", "convention": "CCM"}
    )
    assert response.status_code == 302
    coalition = Coalition.objects.get(name="Clear Laos")
    assert coalition.members.get().role == "lead"

    # and may not create one led by another state
    response = client.post(
        "/coalitions/new/", {"name": "Clear Lebanon", "lead_state": "LBN", "convention": "CCM"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Coalition.objects.filter(name="Clear Lebanon").exists()


def test_bad_input_comes_back_with_an_error_summary(request, coalition):
    client = Client()
    login(client, request, "lead")
    response = client.post(
        f"/coalitions/{coalition.pk}/meetings/new/",
        {"title": "No place", "starts_at": "2026-03-01T09:00"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and 'href="#id_place"' in page
    assert not Meeting.objects.exists()


def test_a_member_records_a_meeting_only_as_coordinating_partner(request, coalition, norway):
    client = Client()
    login(client, request, "member")
    data = {"title": "Donors", "starts_at": "2026-03-01T09:00", "place": "Oslo"}
    assert client.post(f"/coalitions/{coalition.pk}/meetings/new/", data).status_code == 403
    services.member_change_role(member=norway, role="coordinating_partner")
    client = Client()
    login(client, request, "member")
    assert client.post(f"/coalitions/{coalition.pk}/meetings/new/", data).status_code == 302


def test_a_member_records_its_own_commitment(request, coalition, norway, plan_need):
    client = Client()
    login(client, request, "member")
    response = client.post(
        f"/coalitions/{coalition.pk}/commitments/new/",
        {
            "member": norway.pk,
            "need": plan_need.pk,
            "amount": "1000",
            "currency": "usd",
            "value_date": "2026-02-01",
            "status": "committed",
        },
    )
    assert response.status_code == 302
    assert norway.commitments.get().usd_value == 1000


def test_a_member_cannot_commit_for_another_member(request, coalition, lao_member, plan_need):
    client = Client()
    login(client, request, "member")
    response = client.post(
        f"/coalitions/{coalition.pk}/commitments/new/",
        {
            "member": lao_member.pk,
            "need": plan_need.pk,
            "amount": "1000",
            "currency": "USD",
            "value_date": "2026-02-01",
            "status": "committed",
        },
    )
    assert response.status_code == 200
    assert 'href="#id_member"' in response.content.decode()
    assert not lao_member.commitments.exists()


def test_a_member_leaves(request, coalition, norway):
    client = Client()
    login(client, request, "member")
    norway.refresh_from_db()
    response = client.post(
        f"/coalitions/{coalition.pk}/members/{norway.pk}/remove/",
        {"lock_version": norway.lock_version},
    )
    assert response.status_code == 302
    norway.refresh_from_db()
    assert norway.status == "left"
    assert client.get(f"/coalitions/{coalition.pk}/gap/").status_code == 404


def test_the_lead_invites_from_the_page(request, coalition):
    client = Client()
    login(client, request, "lead")
    response = client.post(
        f"/coalitions/{coalition.pk}/members/invite/", {"state": "FRA", "role": "observer"}
    )
    assert response.status_code == 302
    assert CoalitionMember.objects.get(coalition=coalition, state__iso3="FRA").role == "observer"
    # inviting nobody is an error beside the field
    response = client.post(f"/coalitions/{coalition.pk}/members/invite/", {"role": "member"})
    assert 'href="#id_state"' in response.content.decode()


def test_a_closed_coalition_stays_readable_by_its_members_only(request, coalition):
    services.coalition_update(coalition=coalition, data={"status": "closed"})
    member = Client()
    login(member, request, "member")
    assert member.get(f"/coalitions/{coalition.pk}/gap/").status_code == 200
    outsider = Client()
    login(outsider, request, "other_state")
    assert outsider.get(f"/coalitions/{coalition.pk}/gap/").status_code == 404
    # and takes no new commitment
    assert member.get(f"/coalitions/{coalition.pk}/commitments/new/").status_code == 403


def test_the_gap_page_draws_the_reported_progress(request, coalition, lao, ccm, isu_user):
    # given Lao PDR's clearance obligation in the plan and two submitted reports
    from icahub.obligations.models import Obligation
    from icahub.reports import services as report_services

    clearance = Obligation.objects.get(state=lao, convention=ccm, kind="clearance")
    services.objective_save(coalition=coalition, title="Clear", obligations=[clearance])
    for year, remaining in ((2022, "1000"), (2023, "800")):
        report = report_services.report_start(
            state=lao, convention=ccm, kind="annual", reporting_year=year
        )
        version = report.versions.get()
        row = {
            "region": "X",
            "year": year,
            "contaminated_m2": remaining,
            "cleared_m2": "0",
            "remaining_m2": remaining,
        }
        version.forms = {"F": {"status": "changed", "tables": {"areas": [row]}}}
        version.save()
        report_services.report_submit(
            report=report, user=isu_user, submitted_on=dt.date(year + 1, 4, 1)
        )

    # when the lead opens the gap view
    client = Client()
    login(client, request, "lead")
    page = client.get(f"/coalitions/{coalition.pk}/gap/").content.decode()

    # then the progress is drawn and tabled, with a projected date
    assert "Contaminated area remaining, by reporting year" in page
    assert "Contaminated area remaining (m²), by Article 7 report" in page
    assert "Projected completion" in page and "Cannot project" not in page
