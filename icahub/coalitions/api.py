"""Country Coalitions API. A coalition's existence (name, lead state, convention, status,
active members) is public; its workspace (all memberships, plan, meetings, commitments,
gap) answers 404 to anyone but its active members and the ISU. Writes check their
permission in ``permissions.py`` (403 for a member without the right)."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from icahub.assistance.api import StrictInput
from icahub.assistance.models import Need
from icahub.coalitions import selectors, services
from icahub.coalitions.models import (
    ActionItem,
    ActionStatus,
    Coalition,
    CoalitionMember,
    CoalitionStatus,
    Commitment,
    CommitmentStatus,
    Meeting,
    MemberRole,
    Objective,
)
from icahub.coalitions.permissions import speaks_for
from icahub.funding.models import Flow
from icahub.obligations.models import Obligation
from icahub.registry.api import convention_from_code, state_from_iso3
from icahub.registry.models import Organisation
from icahub.versioning import LOCK_VERSION_PARAMETER, VersionedInput, expected_version_from_query
from icahub.web.api_fields import IdField, IsoDateField

PK = r"(?P<pk>[0-9]+)"
MEMBER = r"(?P<member_pk>[0-9]+)"
MEETING = r"(?P<meeting_pk>[0-9]+)"
ROLE_CHOICES = [role.value for role in services.INVITABLE_ROLES]


def _require(request, perm: str, obj: object = None) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(f"Your account does not have the permission '{perm}'.")


def _workspace(request, pk: int) -> Coalition:
    return selectors.workspace_get(user=request.user, pk=pk)


# --- outputs --------------------------------------------------------------------------------


class MemberOutput(serializers.ModelSerializer):
    state = serializers.CharField(source="state.iso3", allow_null=True, default=None)
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)
    name = serializers.CharField(source="party")

    class Meta:
        model = CoalitionMember
        fields = [
            "id",
            "state",
            "organisation",
            "name",
            "role",
            "status",
            "responded_at",
            "lock_version",
        ]


class PublicMemberOutput(MemberOutput):
    class Meta(MemberOutput.Meta):
        fields = ["id", "state", "organisation", "name", "role"]


class CoalitionOutput(serializers.ModelSerializer):
    lead_state = serializers.CharField(source="lead_state.iso3")
    convention = serializers.CharField(source="convention.code")
    members = serializers.SerializerMethodField()

    class Meta:
        model = Coalition
        fields = [
            "id",
            "name",
            "lead_state",
            "convention",
            "description",
            "status",
            "members",
            "lock_version",
        ]

    def get_members(self, coalition) -> list[dict]:
        if self.context.get("workspace"):
            return MemberOutput(selectors.all_members(coalition), many=True).data
        return PublicMemberOutput(selectors.public_members(coalition), many=True).data


class ObjectiveOutput(serializers.ModelSerializer):
    obligations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    needs = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Objective
        fields = ["id", "title", "description", "target_date", "obligations", "needs"]


class ActionItemOutput(serializers.ModelSerializer):
    owner = serializers.IntegerField(source="owner_id")
    owner_name = serializers.CharField(source="owner.party")

    class Meta:
        model = ActionItem
        fields = ["id", "text", "owner", "owner_name", "due_date", "status"]


class MeetingOutput(serializers.ModelSerializer):
    action_items = ActionItemOutput(many=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "starts_at",
            "place",
            "online_link",
            "agenda",
            "minutes",
            "decisions",
            "action_items",
        ]


class CommitmentOutput(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.party")
    need = serializers.IntegerField(source="need_id")
    flow = serializers.IntegerField(source="flow_id", allow_null=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "member",
            "member_name",
            "need",
            "amount",
            "currency",
            "value_date",
            "usd_value",
            "description",
            "status",
            "flow",
        ]


def _coalition_body(request, coalition: Coalition) -> dict:
    workspace = request.user.has_perm("coalitions.view_workspace", coalition)
    return CoalitionOutput(coalition, context={"workspace": workspace}).data


# --- coalitions -----------------------------------------------------------------------------


class CoalitionCreateInput(StrictInput):
    name = serializers.CharField(max_length=200)
    lead_state = serializers.CharField(
        required=False, help_text="ISO alpha-3 code; default: your own state"
    )
    convention = serializers.CharField(help_text="CCM or APMBC")
    description = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_lead_state(self, value: str):
        return state_from_iso3(value)

    def validate_convention(self, value: str):
        return convention_from_code(value)


class CoalitionUpdateInput(VersionedInput, StrictInput):
    read_only_names = frozenset({"id", "lead_state", "convention", "members"})

    name = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=CoalitionStatus.choices)


class CoalitionListApi(APIView):
    @extend_schema(responses=CoalitionOutput(many=True))
    def get(self, request):
        coalitions = selectors.coalition_list()
        return Response([_coalition_body(request, c) for c in coalitions])

    @extend_schema(request=CoalitionCreateInput, responses={201: CoalitionOutput})
    def post(self, request):
        _require(request, "coalitions.add_coalition", None)
        data = CoalitionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "lead_state" not in values:
            if request.user.state_id is None:
                raise serializers.ValidationError({"lead_state": ["Give the lead state."]})
            values["lead_state"] = request.user.state
        _require(request, "coalitions.add_coalition", Coalition(lead_state=values["lead_state"]))
        coalition = services.coalition_create(**values, user=request.user)
        coalition = selectors.coalition_get(pk=coalition.pk)
        return Response(_coalition_body(request, coalition), status=status.HTTP_201_CREATED)


class CoalitionDetailApi(APIView):
    @extend_schema(responses=CoalitionOutput)
    def get(self, request, pk: int):
        return Response(_coalition_body(request, selectors.coalition_get(pk=pk)))

    @extend_schema(request=CoalitionUpdateInput, responses=CoalitionOutput)
    def patch(self, request, pk: int):
        coalition = _workspace(request, pk)
        _require(request, "coalitions.change_coalition", coalition)
        data = CoalitionUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = values.pop("lock_version")
        services.coalition_update(coalition=coalition, data=values, expected_version=expected)
        return Response(_coalition_body(request, selectors.coalition_get(pk=pk)))


# --- members and invitations ----------------------------------------------------------------


class InviteInput(StrictInput):
    state = serializers.CharField(required=False, help_text="ISO alpha-3 code")
    organisation = serializers.IntegerField(required=False, help_text="Organisation id")
    role = serializers.ChoiceField(choices=ROLE_CHOICES, default=MemberRole.MEMBER)

    def validate_state(self, value: str):
        return state_from_iso3(value)

    def validate_organisation(self, value: int):
        organisation = Organisation.objects.filter(pk=value).first()
        if organisation is None:
            raise serializers.ValidationError(f"Unknown organisation {value}.")
        return organisation


class RoleInput(VersionedInput, StrictInput):
    role = serializers.ChoiceField(choices=ROLE_CHOICES)


class MemberListApi(APIView):
    @extend_schema(responses=MemberOutput(many=True))
    def get(self, request, pk: int):
        coalition = _workspace(request, pk)
        return Response(MemberOutput(selectors.all_members(coalition), many=True).data)

    @extend_schema(request=InviteInput, responses={201: MemberOutput})
    def post(self, request, pk: int):
        coalition = _workspace(request, pk)
        _require(request, "coalitions.invite_member", coalition)
        data = InviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_invite(
            coalition=coalition, user=request.user, **data.validated_data
        )
        return Response(MemberOutput(member).data, status=status.HTTP_201_CREATED)


class MemberDetailApi(APIView):
    @extend_schema(request=RoleInput, responses=MemberOutput)
    def patch(self, request, pk: int, member_pk: int):
        coalition = _workspace(request, pk)
        _require(request, "coalitions.change_coalition", coalition)
        member = get_object_or_404(CoalitionMember, coalition=coalition, pk=member_pk)
        data = RoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_change_role(
            member=member,
            role=data.validated_data["role"],
            expected_version=data.validated_data["lock_version"],
        )
        return Response(MemberOutput(member).data)

    # The membership is kept and returned (status "left"): 200 with a body, not 204.
    @extend_schema(request=None, parameters=[LOCK_VERSION_PARAMETER], responses={200: MemberOutput})
    def delete(self, request, pk: int, member_pk: int):
        """Remove a member or withdraw an invitation (ISU, lead state), or leave (the
        member's own users). The membership is kept with the status "left"."""
        coalition = _workspace(request, pk)
        member = get_object_or_404(CoalitionMember, coalition=coalition, pk=member_pk)
        if not (
            request.user.has_perm("coalitions.change_coalition", coalition)
            or speaks_for(request.user, member)
        ):
            raise PermissionDenied("Your account may not remove this member.")
        member = services.member_leave(
            member=member, expected_version=expected_version_from_query(request)
        )
        return Response(MemberOutput(member).data)


class InvitationOutput(MemberOutput):
    coalition = serializers.IntegerField(source="coalition_id")
    coalition_name = serializers.CharField(source="coalition.name")

    class Meta(MemberOutput.Meta):
        fields = ["id", "coalition", "coalition_name", *MemberOutput.Meta.fields[1:]]


class InvitationListApi(APIView):
    @extend_schema(responses=InvitationOutput(many=True))
    def get(self, request):
        """Invitations waiting for an answer from the caller's state or organisation."""
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        return Response(
            InvitationOutput(selectors.pending_invitations(request.user), many=True).data
        )


class _InvitationAnswerApi(APIView):
    accept = True

    @extend_schema(request=None, responses=MemberOutput)
    def post(self, request, member_pk: int):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        member = selectors.invitation_get(user=request.user, pk=member_pk)
        if not request.user.has_perm("coalitions.answer_invitation", member):
            raise Http404
        if self.accept:
            member = services.invitation_accept(member=member)
        else:
            member = services.invitation_decline(member=member)
        return Response(MemberOutput(member).data)


class InvitationAcceptApi(_InvitationAnswerApi):
    accept = True


class InvitationDeclineApi(_InvitationAnswerApi):
    accept = False


# --- plan, meetings, commitments, gap -------------------------------------------------------


class ObjectiveInput(StrictInput):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    target_date = IsoDateField(required=False, allow_null=True, default=None)
    obligations = serializers.ListField(
        child=IdField(), required=False, default=list, help_text="Obligation ids"
    )
    needs = serializers.ListField(
        child=IdField(), required=False, default=list, help_text="Need ids"
    )

    def _records(self, model, ids: list[int], name: str):
        found = {record.pk: record for record in model.objects.filter(pk__in=ids)}
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError(f"Unknown {name}: {', '.join(missing)}.")
        return [found[pk] for pk in ids]

    def validate_obligations(self, value):
        return self._records(Obligation, value, "obligation(s)")

    def validate_needs(self, value):
        return self._records(Need, value, "need(s)")


class ObjectiveListApi(APIView):
    @extend_schema(responses=ObjectiveOutput(many=True))
    def get(self, request, pk: int):
        coalition = _workspace(request, pk)
        return Response(ObjectiveOutput(selectors.objectives(coalition), many=True).data)

    @extend_schema(request=ObjectiveInput, responses={201: ObjectiveOutput})
    def post(self, request, pk: int):
        coalition = _workspace(request, pk)
        _require(request, "coalitions.change_coalition", coalition)
        data = ObjectiveInput(data=request.data)
        data.is_valid(raise_exception=True)
        objective = services.objective_save(coalition=coalition, **data.validated_data)
        return Response(ObjectiveOutput(objective).data, status=status.HTTP_201_CREATED)


class MeetingInput(StrictInput):
    title = serializers.CharField(max_length=300)
    starts_at = serializers.DateTimeField(help_text="ISO 8601, e.g. 2026-03-31T14:00:00Z")
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    online_link = serializers.URLField(required=False, allow_blank=True, default="")
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    decisions = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingListApi(APIView):
    @extend_schema(responses=MeetingOutput(many=True))
    def get(self, request, pk: int):
        coalition = _workspace(request, pk)
        return Response(MeetingOutput(selectors.meetings(coalition), many=True).data)

    @extend_schema(request=MeetingInput, responses={201: MeetingOutput})
    def post(self, request, pk: int):
        coalition = _workspace(request, pk)
        _require(request, "coalitions.run_meetings", coalition)
        data = MeetingInput(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_create(
            coalition=coalition, user=request.user, **data.validated_data
        )
        return Response(MeetingOutput(meeting).data, status=status.HTTP_201_CREATED)


class ActionItemInput(StrictInput):
    text = serializers.CharField()
    owner = serializers.IntegerField(help_text="Member id (an active member)")
    due_date = IsoDateField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=ActionStatus.choices, default=ActionStatus.OPEN)


class ActionItemCreateApi(APIView):
    @extend_schema(request=ActionItemInput, responses={201: ActionItemOutput})
    def post(self, request, pk: int, meeting_pk: int):
        coalition = _workspace(request, pk)
        _require(request, "coalitions.run_meetings", coalition)
        meeting = get_object_or_404(Meeting, coalition=coalition, pk=meeting_pk)
        data = ActionItemInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        owner = CoalitionMember.objects.filter(coalition=coalition, pk=values["owner"]).first()
        if owner is None:
            raise serializers.ValidationError({"owner": ["Not a member of this coalition."]})
        item = services.action_item_create(
            meeting=meeting, text=values["text"], owner=owner, due_date=values["due_date"]
        )
        if values["status"] != item.status:
            item = services.action_item_set_status(item=item, status=values["status"])
        return Response(ActionItemOutput(item).data, status=status.HTTP_201_CREATED)


class CommitmentInput(StrictInput):
    member = serializers.IntegerField(
        required=False, help_text="Member id; default: your own membership"
    )
    need = serializers.IntegerField(help_text="Id of a need linked to the plan")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", help_text="ISO 4217, e.g. EUR")
    value_date = IsoDateField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        choices=CommitmentStatus.choices, default=CommitmentStatus.COMMITTED
    )
    flow = serializers.IntegerField(required=False, allow_null=True, default=None)


class CommitmentListApi(APIView):
    @extend_schema(responses=CommitmentOutput(many=True))
    def get(self, request, pk: int):
        coalition = _workspace(request, pk)
        return Response(CommitmentOutput(selectors.commitments(coalition), many=True).data)

    @extend_schema(request=CommitmentInput, responses={201: CommitmentOutput})
    def post(self, request, pk: int):
        coalition = _workspace(request, pk)
        _require(request, "coalitions.add_commitment", coalition)
        data = CommitmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        members = selectors.active_members(coalition)
        if "member" in values:
            member = members.filter(pk=values.pop("member")).first()
            if member is None:
                raise serializers.ValidationError(
                    {"member": ["Not an active member of this coalition."]}
                )
        else:
            own = [m for m in members if speaks_for(request.user, m)]
            if len(own) != 1:
                raise serializers.ValidationError({"member": ["Give the member id."]})
            member = own[0]
        _require(request, "coalitions.commit_for_member", member)
        need = Need.objects.filter(pk=values.pop("need")).first()
        if need is None:
            raise serializers.ValidationError({"need": ["Unknown need."]})
        flow_pk = values.pop("flow")
        flow = None
        if flow_pk is not None:
            flow = Flow.objects.filter(pk=flow_pk).first()
            if flow is None:
                raise serializers.ValidationError({"flow": ["Unknown funding flow."]})
        commitment = services.commitment_create(
            coalition=coalition, member=member, need=need, flow=flow, user=request.user, **values
        )
        return Response(CommitmentOutput(commitment).data, status=status.HTTP_201_CREATED)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _line(line) -> dict:
    return {
        "key": line.key,
        "label": line.label,
        "need_ids": list(line.need_ids),
        "required_usd": _money(line.required),
        "committed_usd": _money(line.committed),
        "disbursed_usd": _money(line.disbursed),
        "pledged_usd": _money(line.pledged),
        "gap_usd": _money(line.gap),
        "unvalued": line.unvalued,
    }


class GapApi(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        """Required vs committed vs disbursed (USD, decimal strings) per need, per
        objective, outside any need, and for the whole plan; and per linked obligation its
        deadline, the quantities reported and the projected completion."""
        coalition = _workspace(request, pk)
        result = selectors.coalition_gap(coalition)
        timelines = []
        for timeline in selectors.timelines(coalition):
            projection = timeline["projection"]
            obligation = timeline["obligation"]
            timelines.append(
                {
                    "obligation": obligation.pk,
                    "kind": obligation.kind,
                    "deadline": obligation.current_deadline,
                    "measured": timeline["measured"],
                    "points": [
                        {
                            "period_end": day,
                            "remaining": str(value),
                            "reporting_year": year,
                            "version": number,
                        }
                        for day, value, year, number in timeline["points"]
                    ],
                    "projection": {
                        "status": projection.status,
                        "completion": projection.completion,
                        "rate_per_year": None
                        if projection.rate_per_year is None
                        else str(projection.rate_per_year),
                        "on_time": projection.on_time,
                    },
                }
            )
        return Response(
            {
                "needs": [_line(line) for line in result.needs],
                "objectives": [_line(line) for line in result.objectives],
                "unallocated": _line(result.unallocated),
                "total": _line(result.total),
                "timelines": timelines,
            }
        )


# (route, view, name) for config/api_urls.py's api_path helper.
API_ROUTES = [
    ("coalitions", CoalitionListApi.as_view(), "api-coalitions"),
    ("coalitions/invitations", InvitationListApi.as_view(), "api-coalition-invitations"),
    (
        f"coalitions/invitations/{MEMBER}/accept",
        InvitationAcceptApi.as_view(),
        "api-coalition-invitation-accept",
    ),
    (
        f"coalitions/invitations/{MEMBER}/decline",
        InvitationDeclineApi.as_view(),
        "api-coalition-invitation-decline",
    ),
    (f"coalitions/{PK}", CoalitionDetailApi.as_view(), "api-coalition"),
    (f"coalitions/{PK}/members", MemberListApi.as_view(), "api-coalition-members"),
    (f"coalitions/{PK}/members/{MEMBER}", MemberDetailApi.as_view(), "api-coalition-member"),
    (f"coalitions/{PK}/objectives", ObjectiveListApi.as_view(), "api-coalition-objectives"),
    (f"coalitions/{PK}/meetings", MeetingListApi.as_view(), "api-coalition-meetings"),
    (
        f"coalitions/{PK}/meetings/{MEETING}/action-items",
        ActionItemCreateApi.as_view(),
        "api-coalition-action-items",
    ),
    (f"coalitions/{PK}/commitments", CommitmentListApi.as_view(), "api-coalition-commitments"),
    (f"coalitions/{PK}/gap", GapApi.as_view(), "api-coalition-gap"),
]
