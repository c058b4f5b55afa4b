"""Obligations API (public read; ISU writes) and the what-if deadlines calculator."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from icahub.obligations import rules, selectors, services
from icahub.obligations.models import Extension, Obligation, ObligationKind, ObligationStatus
from icahub.registry.api import convention_from_code, state_from_iso3
from icahub.registry.models import Convention, State
from icahub.versioning import VersionedInput, lock_version_input
from icahub.web.api_fields import IsoDateField
from icahub.web.views_support import today


class ExtensionOutput(serializers.ModelSerializer):
    class Meta:
        model = Extension
        fields = [
            "sequence",
            "new_deadline",
            "decided_by",
            "decided_on",
            "exceptional_circumstances",
        ]


class CompletionOutput(serializers.Serializer):
    completed_on = IsoDateField(allow_null=True)
    declaration = serializers.CharField()


class ObligationOutput(serializers.ModelSerializer):
    state = serializers.CharField(source="state.iso3")
    convention = serializers.CharField(source="convention.code")
    status = serializers.SerializerMethodField(
        help_text="Status on the date given by ?on= (default: today)"
    )
    completion = serializers.SerializerMethodField()
    extensions = ExtensionOutput(many=True)

    class Meta:
        model = Obligation
        fields = [
            "id",
            "state",
            "convention",
            "article",
            "kind",
            "original_deadline",
            "current_deadline",
            "status",
            "completion",
            "extensions",
            "source",
            "notes",
            "lock_version",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=ObligationStatus.choices))
    def get_status(self, obligation: Obligation) -> str:
        return obligation.status_on(self.context.get("on") or today())

    @extend_schema_field(CompletionOutput(allow_null=True))
    def get_completion(self, obligation: Obligation) -> dict | None:
        if not obligation.is_completed:
            return None
        return {
            "completed_on": obligation.completed_on,
            "declaration": obligation.completion_declaration,
        }


class ObligationFilterInput(serializers.Serializer):
    state = serializers.CharField(required=False)
    convention = serializers.CharField(required=False)
    kind = serializers.ChoiceField(choices=ObligationKind.values, required=False)
    status = serializers.ChoiceField(choices=ObligationStatus.values, required=False)
    on = IsoDateField(required=False)

    def validate_state(self, value: str) -> str:
        return state_from_iso3(value).iso3

    def validate_convention(self, value: str) -> str:
        return convention_from_code(value).code


class ObligationCreateInput(serializers.Serializer):
    state = serializers.CharField(help_text="ISO 3166-1 alpha-3 code")
    convention = serializers.CharField(help_text="CCM or APMBC")
    kind = serializers.ChoiceField(choices=ObligationKind.values)
    source = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_state(self, value: str) -> State:
        return state_from_iso3(value)

    def validate_convention(self, value: str) -> Convention:
        return convention_from_code(value)


class ObligationUpdateInput(VersionedInput):
    completed_on = IsoDateField(required=False, allow_null=True)
    completion_declaration = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {field: ["This field is computed or cannot be edited."] for field in unknown}
                )
        return super().to_internal_value(data)


class ExtensionCreateInput(serializers.Serializer):
    new_deadline = IsoDateField()
    decided_by = serializers.CharField(required=False, allow_blank=True, default="")
    decided_on = IsoDateField(required=False, allow_null=True, default=None)
    exceptional_circumstances = serializers.BooleanField(required=False, default=False)
    source = serializers.CharField(required=False, allow_blank=True, default="")
    lock_version = lock_version_input(
        required=False,
        help_text="The obligation's lock_version as you read it; if given and someone "
        "changed the obligation since (another extension), the request is refused with 409.",
    )


def _require(request, perm: str, obj: object = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(f"Your account does not have the permission '{perm}'.")


def _obligation(pk: int) -> Obligation:
    return get_object_or_404(
        Obligation.objects.select_related("state", "convention").prefetch_related("extensions"),
        pk=pk,
    )


class ObligationListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, description="ISO 3166-1 alpha-3 code"),
            OpenApiParameter("convention", str, description="CCM or APMBC"),
            OpenApiParameter("kind", str, enum=ObligationKind.values),
            OpenApiParameter("status", str, enum=ObligationStatus.values),
            OpenApiParameter("on", str, description="Read statuses as on this date (YYYY-MM-DD)"),
        ],
        responses=ObligationOutput(many=True),
    )
    def get(self, request):
        filters = ObligationFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        on = filters.validated_data.pop("on", None) or today()
        obligations = selectors.obligation_list(on=on, **filters.validated_data)
        return Response(ObligationOutput(obligations, many=True, context={"on": on}).data)

    @extend_schema(request=ObligationCreateInput, responses={201: ObligationOutput})
    def post(self, request):
        _require(request, "obligations.add_obligation")
        data = ObligationCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        obligation = services.obligation_create(**data.validated_data)
        return Response(
            ObligationOutput(_obligation(obligation.pk)).data, status=status.HTTP_201_CREATED
        )


class ObligationDetailApi(APIView):
    @extend_schema(responses=ObligationOutput)
    def get(self, request, pk: int):
        return Response(ObligationOutput(_obligation(pk)).data)

    @extend_schema(request=ObligationUpdateInput, responses=ObligationOutput)
    def patch(self, request, pk: int):
        obligation = _obligation(pk)
        _require(request, "obligations.change_obligation", obligation)
        data = ObligationUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = values.pop("lock_version")
        services.obligation_update(obligation=obligation, data=values, expected_version=expected)
        return Response(ObligationOutput(_obligation(pk)).data)


class ExtensionCreateApi(APIView):
    @extend_schema(request=ExtensionCreateInput, responses={201: ObligationOutput})
    def post(self, request, pk: int):
        obligation = _obligation(pk)
        _require(request, "obligations.add_extension", obligation)
        data = ExtensionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        services.extension_record(
            obligation=obligation, expected_version=values.pop("lock_version", None), **values
        )
        return Response(ObligationOutput(_obligation(pk)).data, status=status.HTTP_201_CREATED)


class DeadlinesInput(serializers.Serializer):
    convention = serializers.CharField(help_text="CCM or APMBC")
    deposited = IsoDateField(help_text="Date the instrument is deposited (YYYY-MM-DD)")

    def validate_convention(self, value: str) -> str:
        return convention_from_code(value).code


class DeadlinesApi(APIView):
    """If a state deposits on a date, when do its obligations fall due?"""

    @extend_schema(
        parameters=[
            OpenApiParameter("convention", str, required=True, description="CCM or APMBC"),
            OpenApiParameter("deposited", str, required=True, description="YYYY-MM-DD"),
        ],
        responses=inline_serializer(
            "Deadlines",
            {
                "convention": serializers.CharField(),
                "deposited": IsoDateField(),
                "entry_into_force": IsoDateField(),
                "initial_report_due": IsoDateField(),
                "stockpile_destruction_deadline": IsoDateField(),
                "clearance_deadline": IsoDateField(),
            },
        ),
    )
    def get(self, request):
        data = DeadlinesInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        convention = data.validated_data["convention"]
        deposited = data.validated_data["deposited"]
        try:
            deadlines = rules.deadlines_for_deposit(convention, deposited)
        except rules.RuleError as error:
            raise serializers.ValidationError({error.field: [str(error)]}) from error
        body = {"convention": convention, "deposited": deposited.isoformat()}
        body.update({key: value.isoformat() for key, value in deadlines.items()})
        return Response(body)
