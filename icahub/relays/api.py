"""Relays API. Reads honour who may see a relay (404 otherwise); each partner sees its own
answer only (``permissions.py``). Writes check their permission and answer 400 naming the
field, 403 for the wrong user, 409 when the relay's state forbids it."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from icahub.assistance import selectors as need_selectors
from icahub.assistance.api import StrictInput
from icahub.registry.api import state_from_iso3
from icahub.registry.models import Organisation
from icahub.relays import selectors, services
from icahub.relays.models import Answer, FollowUp, Outcome, Relay, RelayRecipient, RelayStatus
from icahub.relays.permissions import speaks_for
from icahub.web.views_support import today

PK = r"(?P<pk>[0-9]+)"


class RecipientOutput(serializers.ModelSerializer):
    state = serializers.CharField(source="state.iso3", allow_null=True, default=None)
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)
    partner_name = serializers.CharField(source="partner")
    flow = serializers.IntegerField(source="flow_id", allow_null=True)

    class Meta:
        model = RelayRecipient
        fields = [
            "id",
            "state",
            "organisation",
            "partner_name",
            "answer",
            "comment",
            "pledge_amount",
            "pledge_currency",
            "answered_at",
            "flow",
        ]


class FollowUpOutput(serializers.ModelSerializer):
    party = serializers.CharField()
    requesting_state = serializers.BooleanField(source="is_requesting_state")
    recipient = serializers.IntegerField(source="recipient_id", allow_null=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "recipient",
            "party",
            "requesting_state",
            "due_date",
            "asked_at",
            "answer",
            "comment",
            "answered_at",
        ]


def relay_body(relay: Relay, user) -> dict:
    """A relay as ``user`` may see it: every answer for those who see them all, else the
    user's own rows only."""
    all_answers = user.has_perm("relays.view_all_answers", relay)
    recipients = [r for r in relay.recipients.all() if all_answers or speaks_for(user, r)]
    follow_ups = [
        f
        for f in relay.follow_ups.all()
        if all_answers or (f.recipient_id and any(r.pk == f.recipient_id for r in recipients))
    ]
    need = relay.need
    return {
        "id": relay.pk,
        "need": {
            "id": need.pk,
            "title": need.title,
            "state": need.state.iso3,
            "convention": need.convention.code,
            "area": need.area,
        },
        "status": relay.status,
        "effective_status": relay.effective_status(today()),
        "note": relay.note,
        "created_at": serializers.DateTimeField().to_representation(relay.created_at),
        "objection_deadline": relay.objection_deadline.isoformat(),
        "sent_at": serializers.DateTimeField().to_representation(relay.sent_at)
        if relay.sent_at
        else None,
        "follow_up_due": relay.follow_up_due.isoformat() if relay.follow_up_due else None,
        "objection_reason": relay.objection_reason if all_answers else "",
        "all_answers_shown": all_answers,
        "recipients": RecipientOutput(recipients, many=True).data,
        "follow_ups": FollowUpOutput(follow_ups, many=True).data,
    }


class RelayOutput(serializers.Serializer):
    """Documents ``relay_body`` for the schema."""

    id = serializers.IntegerField()
    need = serializers.DictField()
    status = serializers.ChoiceField(choices=RelayStatus.choices)
    effective_status = serializers.CharField(
        help_text="The status today: 'due' once the objection period is over but before the "
        "daily run has sent it"
    )
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    objection_deadline = serializers.DateField()
    sent_at = serializers.DateTimeField(allow_null=True)
    follow_up_due = serializers.DateField(allow_null=True)
    objection_reason = serializers.CharField()
    all_answers_shown = serializers.BooleanField()
    recipients = RecipientOutput(many=True)
    follow_ups = FollowUpOutput(many=True)


class RelayCreateInput(StrictInput):
    states = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="ISO alpha-3 codes"
    )
    organisations = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="Organisation ids"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_states(self, value: list[str]):
        return [state_from_iso3(code) for code in value]

    def validate_organisations(self, value: list[int]):
        found = {o.pk: o for o in Organisation.objects.filter(pk__in=value)}
        unknown = [str(pk) for pk in value if pk not in found]
        if unknown:
            raise serializers.ValidationError(f"Unknown organisation(s): {', '.join(unknown)}.")
        return [found[pk] for pk in value]


class ObjectionInput(StrictInput):
    reason = serializers.CharField(allow_blank=True)


class AnswerInput(StrictInput):
    answer = serializers.ChoiceField(choices=[a for a in Answer.choices if a[0] != Answer.NONE])
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    pledge_amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    pledge_currency = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="ISO 4217, e.g. USD"
    )
    recipient = serializers.IntegerField(
        required=False,
        help_text="Which recipient row to answer, when the caller answers for more than one "
        "(a donor focal point of both a state and an organisation)",
    )


class FollowUpAnswerInput(StrictInput):
    answer = serializers.ChoiceField(choices=[o for o in Outcome.choices if o[0]])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class FilterInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=RelayStatus.choices, required=False)
    need = serializers.IntegerField(required=False)


def _require(request, perm: str, obj: object = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(f"Your account does not have the permission '{perm}'.")


class NeedRelayCreateApi(APIView):
    @extend_schema(
        request=RelayCreateInput,
        responses={201: RelayOutput},
        description="Relay a need to partner states and organisations (ISU and coordinators). "
        "The requesting state may object within 5 working days; then the partners get it.",
    )
    def post(self, request, pk: int):
        need = need_selectors.need_get(user=request.user, pk=pk)
        _require(request, "relays.add_relay", need)
        data = RelayCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        relay = services.relay_create(
            need=need,
            partners=[*values["states"], *values["organisations"]],
            note=values["note"],
            user=request.user,
        )
        body = relay_body(selectors.relay_get(user=request.user, pk=relay.pk), request.user)
        return Response(body, status=status.HTTP_201_CREATED)


class RelayListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=RelayStatus.values),
            OpenApiParameter("need", int, description="Need id"),
        ],
        responses=RelayOutput(many=True),
        description="The relays the caller may see (none for an anonymous caller).",
    )
    def get(self, request):
        filters = FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        relays = selectors.relay_list(
            user=request.user, status=filters.validated_data.get("status")
        )
        if "need" in filters.validated_data:
            relays = relays.filter(need_id=filters.validated_data["need"])
        return Response([relay_body(relay, request.user) for relay in relays])


class RelayDetailApi(APIView):
    @extend_schema(responses=RelayOutput)
    def get(self, request, pk: int):
        return Response(relay_body(selectors.relay_get(user=request.user, pk=pk), request.user))


class RelayObjectionApi(APIView):
    @extend_schema(request=ObjectionInput, responses=RelayOutput)
    def post(self, request, pk: int):
        relay = selectors.relay_get(user=request.user, pk=pk)
        _require(request, "relays.object_relay", relay)
        data = ObjectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.relay_object(relay=relay, user=request.user, reason=data.validated_data["reason"])
        return Response(relay_body(selectors.relay_get(user=request.user, pk=pk), request.user))


class RelayAnswerApi(APIView):
    @extend_schema(
        request=AnswerInput,
        responses=RelayOutput,
        description="The caller's partner answers: interested, declined or pledged (with "
        "pledge_amount and pledge_currency; a pledge is also recorded as a funding flow).",
    )
    def post(self, request, pk: int):
        relay = selectors.relay_get(user=request.user, pk=pk)
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        own = [r for r in relay.recipients.all() if speaks_for(request.user, r)]
        wanted = values.pop("recipient", None)
        if wanted is not None:
            own = [r for r in own if r.pk == wanted]
        if not own:
            raise PermissionDenied("Your state or organisation is not a recipient of this relay.")
        if len(own) > 1:
            raise serializers.ValidationError(
                {"recipient": ["You answer for several recipients: give the recipient id."]}
            )
        _require(request, "relays.answer_relay", own[0])
        services.relay_answer(
            recipient=own[0],
            user=request.user,
            answer=values["answer"],
            comment=values["comment"],
            amount=values.get("pledge_amount"),
            currency=values["pledge_currency"],
        )
        return Response(relay_body(selectors.relay_get(user=request.user, pk=pk), request.user))


class FollowUpAnswerApi(APIView):
    @extend_schema(request=FollowUpAnswerInput, responses=FollowUpOutput)
    def post(self, request, pk: int):
        follow_up = selectors.follow_up_get(user=request.user, pk=pk)
        _require(request, "relays.answer_follow_up", follow_up)
        data = FollowUpAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = services.follow_up_answer(
            follow_up=follow_up, user=request.user, **data.validated_data
        )
        return Response(FollowUpOutput(follow_up).data)


# (route, view, name) for config/api_urls.py's api_path helper.
API_ROUTES = [
    (f"needs/{PK}/relays", NeedRelayCreateApi.as_view(), "api-need-relays"),
    ("relays", RelayListApi.as_view(), "api-relays"),
    (f"relays/{PK}", RelayDetailApi.as_view(), "api-relay"),
    (f"relays/{PK}/objection", RelayObjectionApi.as_view(), "api-relay-objection"),
    (f"relays/{PK}/answers", RelayAnswerApi.as_view(), "api-relay-answers"),
    (f"follow-ups/{PK}/answer", FollowUpAnswerApi.as_view(), "api-follow-up-answer"),
]
