"""Writes to coalitions: creation, invitations, membership, plan, meetings, documents and
commitments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from icahub.assistance import services as assistance_services
from icahub.coalitions import services
from icahub.coalitions.models import (
    Coalition,
    CoalitionMember,
    Commitment,
    Document,
    documents_root,
)
from icahub.funding.models import ExchangeRate
from icahub.funding.services import flow_create
from icahub.notifications.models import Notification
from icahub.obligations.models import Obligation
from icahub.registry.models import Convention, State

pytestmark = pytest.mark.django_db


def test_creating_makes_the_lead_state_an_active_lead_member(lao, ccm, lao_focal_point):
    # when a Lao focal point creates a coalition
    coalition = services.coalition_create(
        lead_state=lao, convention=ccm, name="  Lao clearance ", user=lao_focal_point
    )

    # then Lao PDR is its active lead member, and the creator is recorded
    member = coalition.members.get()
    assert (member.state, member.role, member.status) == (lao, "lead", "active")
    assert coalition.name == "Lao clearance"
    assert coalition.created_by == lao_focal_point
    assert coalition.history.count() == 1


def test_the_lead_state_must_be_a_party_of_the_convention(lbn_focal_point):
    # given Lebanon, not a party to the APMBC
    lbn = State.objects.get(iso3="LBN")
    apmbc = Convention.objects.get(code="APMBC")

    # then a coalition it would lead under the APMBC is refused, naming the field
    with pytest.raises(ValidationError) as error:
        services.coalition_create(lead_state=lbn, convention=apmbc, name="X")
    assert "lead_state" in error.value.message_dict
    assert not Coalition.objects.exists()


def test_an_empty_name_is_refused_and_nothing_is_written(lao, ccm):
    with pytest.raises(ValidationError) as error:
        services.coalition_create(lead_state=lao, convention=ccm, name="   ")
    assert "name" in error.value.message_dict
    assert not Coalition.objects.exists() and not CoalitionMember.objects.exists()


def test_an_invitation_mails_the_invited_partys_users_after_commit(
    django_capture_on_commit_callbacks, lao, ccm, npa, partner_user, donor_user
):
    # given a coalition, and NPA's member with an e-mail address
    partner_user.email = "npa@example.org"
    partner_user.save()
    coalition = services.coalition_create(lead_state=lao, convention=ccm, name="Lao clearance")

    # when NPA is invited
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        member = services.member_invite(coalition=coalition, organisation=npa, role="member")
    # then no mail leaves before the commit
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    # then NPA's user (and no one else) got one mail naming the coalition, and the same
    # notice in the app
    assert member.status == "invited"
    assert [message.to for message in mail.outbox] == [["npa@example.org"]]
    assert "Lao clearance" in mail.outbox[0].subject
    notices = Notification.objects.filter(recipient=partner_user)
    assert [notice.url for notice in notices] == ["/coalitions/"]
    assert not Notification.objects.exclude(recipient=partner_user).exists()


def test_a_party_cannot_be_invited_twice_but_again_after_declining(coalition, npa_invitation, npa):
    with pytest.raises(ValidationError) as error:
        services.member_invite(coalition=coalition, organisation=npa)
    assert "organisation" in error.value.message_dict

    services.invitation_decline(member=npa_invitation)
    again = services.member_invite(coalition=coalition, organisation=npa, role="observer")
    assert again.pk == npa_invitation.pk
    assert (again.status, again.role, again.responded_at) == ("invited", "observer", None)


def test_invite_exactly_one_party_with_an_invitable_role(coalition, nor, npa):
    with pytest.raises(ValidationError) as error:
        services.member_invite(coalition=coalition, state=nor, organisation=npa)
    assert "state" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.member_invite(
            coalition=coalition, state=State.objects.get(iso3="FRA"), role="lead"
        )
    assert "role" in error.value.message_dict


def test_an_invitation_is_answered_once(npa_invitation):
    services.invitation_accept(member=npa_invitation)
    npa_invitation.refresh_from_db()
    assert npa_invitation.status == "active" and npa_invitation.responded_at is not None
    with pytest.raises(ValidationError) as error:
        services.invitation_decline(member=npa_invitation)
    assert "status" in error.value.message_dict


def test_the_lead_cannot_leave_or_change_role_but_a_member_can(lao_member, norway):
    with pytest.raises(ValidationError):
        services.member_leave(member=lao_member)
    with pytest.raises(ValidationError) as error:
        services.member_change_role(member=lao_member, role="member")
    assert "role" in error.value.message_dict

    services.member_change_role(member=norway, role="coordinating_partner")
    norway.refresh_from_db()
    assert norway.role == "coordinating_partner"
    services.member_leave(member=norway)
    norway.refresh_from_db()
    assert norway.status == "left"


def test_a_closed_coalition_takes_no_invitation(coalition):
    services.coalition_update(coalition=coalition, data={"status": "closed"})
    with pytest.raises(ValidationError) as error:
        services.member_invite(coalition=coalition, state=State.objects.get(iso3="FRA"))
    assert "coalition" in error.value.message_dict


def test_the_plan_links_only_the_lead_states_obligations_and_needs(coalition, lbn_focal_point):
    # given an Iraqi obligation and a Lebanese need
    iraq = Obligation.objects.filter(state__iso3="IRQ").first()
    lebanon_need = assistance_services.need_create(
        state=State.objects.get(iso3="LBN"),
        convention=Convention.objects.get(code="CCM"),
        area="clearance",
        modality="technical",
        title="Lebanon",
    )

    # then neither may be linked, each error naming its field
    with pytest.raises(ValidationError) as error:
        services.objective_save(
            coalition=coalition, title="X", obligations=[iraq], needs=[lebanon_need]
        )
    assert set(error.value.message_dict) == {"obligations", "needs"}
    assert not coalition.objectives.exists()

    # and the lead state's own clearance obligation may
    lao = Obligation.objects.get(state__iso3="LAO", kind="clearance")
    objective = services.objective_save(coalition=coalition, title="Clear", obligations=[lao])
    assert list(objective.obligations.all()) == [lao]


def test_a_meeting_needs_a_place_or_a_link(coalition):
    when = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as error:
        services.meeting_create(coalition=coalition, title="Kick-off", starts_at=when)
    assert "place" in error.value.message_dict
    meeting = services.meeting_create(
        coalition=coalition,
        title="Kick-off",
        starts_at=when,
        online_link="https://meet.example.org/x",
    )
    assert meeting.pk


def test_an_action_item_is_owned_by_an_active_member(coalition, norway, npa_invitation):
    meeting = services.meeting_create(
        coalition=coalition,
        title="Kick-off",
        starts_at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC),
        place="Vientiane",
    )
    with pytest.raises(ValidationError) as error:
        services.action_item_create(meeting=meeting, text="Budget", owner=npa_invitation)
    assert "owner" in error.value.message_dict
    item = services.action_item_create(
        meeting=meeting, text="Budget", owner=norway, due_date=dt.date(2026, 4, 1)
    )
    services.action_item_set_status(item=item, status="done")
    item.refresh_from_db()
    assert item.status == "done"
    with pytest.raises(ValidationError):
        services.action_item_set_status(item=item, status="maybe")


def _pdf(name="plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf")


def test_a_document_is_kept_outside_media_root_under_a_generated_name(coalition, settings):
    # when a PDF is uploaded
    document = services.document_upload(coalition=coalition, title="Plan", file=_pdf())

    # then it is stored in the private root, not under MEDIA_ROOT, with no public URL
    path = document.file.path
    assert path.startswith(str(documents_root()))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert "plan" not in path.rsplit("/", 1)[-1]
    assert document.original_name == "plan.pdf"
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018


def test_a_document_is_refused_by_its_content(coalition):
    renamed = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 executable", "application/pdf")
    with pytest.raises(ValidationError) as error:
        services.document_upload(coalition=coalition, title="Plan", file=renamed)
    assert "file" in error.value.message_dict
    empty = SimpleUploadedFile("plan.pdf", b"", "application/pdf")
    with pytest.raises(ValidationError):
        services.document_upload(coalition=coalition, title="Plan", file=empty)
    too_big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "application/pdf")
    with pytest.raises(ValidationError):
        services.document_upload(coalition=coalition, title="Plan", file=too_big)
    assert not Document.objects.exists()


def test_a_commitment_is_valued_in_usd_and_names_a_need_of_the_plan(
    coalition, norway, plan_need, lao, ccm
):
    # given a NOK rate
    ExchangeRate.objects.create(
        currency="NOK", valid_from=dt.date(2026, 1, 1), usd_per_unit=Decimal("0.1"), source="t"
    )

    # when Norway commits 500,000 NOK
    commitment = services.commitment_create(
        coalition=coalition,
        member=norway,
        need=plan_need,
        amount=Decimal("500000"),
        currency="nok",
        value_date=dt.date(2026, 2, 1),
    )

    # then it is valued at 50,000 USD
    assert (commitment.currency, commitment.usd_value) == ("NOK", Decimal("50000.00"))

    # and a need outside the plan is refused
    other = assistance_services.need_create(
        state=lao, convention=ccm, area="clearance", modality="financial", title="Other"
    )
    with pytest.raises(ValidationError) as error:
        services.commitment_create(
            coalition=coalition,
            member=norway,
            need=other,
            amount=Decimal("1"),
            currency="USD",
            value_date=dt.date(2026, 2, 1),
        )
    assert "need" in error.value.message_dict


def test_an_invited_party_or_an_observer_cannot_commit(
    coalition, npa_invitation, norway, plan_need
):
    values = {
        "coalition": coalition,
        "need": plan_need,
        "amount": Decimal("1"),
        "currency": "USD",
        "value_date": dt.date(2026, 2, 1),
    }
    with pytest.raises(ValidationError) as error:
        services.commitment_create(member=npa_invitation, **values)
    assert "member" in error.value.message_dict
    services.member_change_role(member=norway, role="observer")
    with pytest.raises(ValidationError):
        services.commitment_create(member=norway, **values)
    assert not Commitment.objects.exists()


def test_fulfilling_a_commitment_names_a_flow_of_the_same_giver_and_need(
    coalition, norway, plan_need, nor
):
    commitment = services.commitment_create(
        coalition=coalition,
        member=norway,
        need=plan_need,
        amount=Decimal("100"),
        currency="USD",
        value_date=dt.date(2026, 2, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.commitment_update(commitment=commitment, data={"status": "fulfilled"})
    assert "flow" in error.value.message_dict

    other_giver = flow_create(
        giver_state=State.objects.get(iso3="FRA"),
        need=plan_need,
        status="commitment",
        amount=Decimal("100"),
        currency="USD",
        value_date=dt.date(2026, 3, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.commitment_update(
            commitment=commitment, data={"status": "fulfilled", "flow": other_giver}
        )
    assert "flow" in error.value.message_dict

    own = flow_create(
        giver_state=nor,
        need=plan_need,
        status="commitment",
        amount=Decimal("100"),
        currency="USD",
        value_date=dt.date(2026, 3, 1),
    )
    services.commitment_update(commitment=commitment, data={"status": "fulfilled", "flow": own})
    commitment.refresh_from_db()
    assert (commitment.status, commitment.flow) == ("fulfilled", own)
