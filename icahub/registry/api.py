"""Registry API: conventions, states with their memberships, organisations (public read)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from icahub.registry import selectors
from icahub.registry.models import Convention, Membership, MembershipStatus, Organisation, State
from icahub.web.api_fields import IsoDateField
from icahub.web.views_support import today

ON_PARAMETER = OpenApiParameter(
    "on", str, description="Read statuses as on this date, YYYY-MM-DD (default: today)"
)


def convention_from_code(value: str) -> Convention:
    """The convention of a code given in a request (any case), or a 400 naming the field."""
    convention = Convention.objects.filter(code=value.upper()).first()
    if convention is None:
        raise serializers.ValidationError(f"Unknown convention '{value}'.")
    return convention


def state_from_iso3(value: str) -> State:
    """The state of an ISO alpha-3 code given in a request (any case), or a 400."""
    state = State.objects.filter(iso3=value.upper()).first()
    if state is None:
        raise serializers.ValidationError(f"Unknown state '{value}' (use an ISO alpha-3 code).")
    return state


class ConventionOutput(serializers.ModelSerializer):
    class Meta:
        model = Convention
        fields = [
            "code",
            "name",
            "short_name",
            "adopted_on",
            "opened_for_signature",
            "entry_into_force",
        ]


class MembershipOutput(serializers.ModelSerializer):
    convention = serializers.CharField(source="convention.code")
    status = serializers.SerializerMethodField(
        help_text="Derived status on the date given by ?on= (default: today)"
    )

    class Meta:
        model = Membership
        fields = [
            "convention",
            "signed",
            "deposited",
            "instrument",
            "entry_into_force",
            "withdrawal_effective",
            "status",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=MembershipStatus.choices))
    def get_status(self, membership: Membership) -> str:
        return membership.status_on(self.context.get("on") or today())


class StateOutput(serializers.ModelSerializer):
    name = serializers.CharField(help_text="UN short name in the request's language")
    names = serializers.SerializerMethodField()
    region = serializers.CharField(help_text="M49 region name")
    subregion = serializers.CharField(help_text="M49 sub-region name")
    memberships = MembershipOutput(many=True)

    class Meta:
        model = State
        fields = [
            "iso3",
            "iso2",
            "name",
            "names",
            "region",
            "region_code",
            "subregion",
            "subregion_code",
            "memberships",
        ]

    def get_names(self, state: State) -> dict[str, str]:
        return {"en": state.name_en, "fr": state.name_fr, "es": state.name_es, "ar": state.name_ar}


class StateFilterInput(serializers.Serializer):
    convention = serializers.CharField(required=False)
    status = serializers.ChoiceField(
        choices=[c for c in MembershipStatus.values if c != "none"], required=False
    )
    region = serializers.CharField(required=False, help_text="M49 region or sub-region code")
    on = IsoDateField(required=False, help_text="Date at which statuses are read (YYYY-MM-DD)")

    def validate_convention(self, value: str) -> str:
        return convention_from_code(value).code


class ConventionListApi(ListAPIView):
    serializer_class = ConventionOutput
    queryset = Convention.objects.order_by("code")


class StateListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("convention", str, description="CCM or APMBC"),
            OpenApiParameter(
                "status", str, enum=[c for c in MembershipStatus.values if c != "none"]
            ),
            OpenApiParameter("region", str, description="M49 region or sub-region code"),
            ON_PARAMETER,
        ],
        responses=StateOutput(many=True),
    )
    def get(self, request):
        filters = StateFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        on = filters.validated_data.pop("on", None) or today()
        states = selectors.state_list(on=on, **filters.validated_data)
        return Response(StateOutput(states, many=True, context={"on": on}).data)


class OnInput(serializers.Serializer):
    on = IsoDateField(required=False)


class StateDetailApi(APIView):
    @extend_schema(parameters=[ON_PARAMETER], responses=StateOutput)
    def get(self, request, iso3: str):
        params = OnInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        on = params.validated_data.get("on") or today()
        return Response(StateOutput(selectors.state_get(iso3), context={"on": on}).data)


class OrganisationOutput(serializers.ModelSerializer):
    country = serializers.CharField(source="country.iso3", allow_null=True, default=None)

    class Meta:
        model = Organisation
        fields = ["id", "name", "acronym", "kind", "country", "website", "description"]


class OrganisationListApi(ListAPIView):
    serializer_class = OrganisationOutput
    queryset = Organisation.objects.select_related("country").order_by("name")
