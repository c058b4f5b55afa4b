"""Needs and offers API. Reads honour visibility (a record the user may not see answers
404); writes are for the ISU and the record's owner (see ``permissions.py``)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from icahub.assistance import selectors, services
from icahub.assistance.api_matching import MATCHING_ROUTES
from icahub.assistance.models import (
    AREA_CHOICES,
    LANGUAGE_CHOICES,
    M49_CODES,
    MODALITY_CHOICES,
    Need,
    NeedStatus,
    NeedTranslation,
    Offer,
    OfferStatus,
    Visibility,
)
from icahub.assistance.permissions import ORGANISATION_OFFER_ROLES, STATE_OFFER_ROLES
from icahub.obligations.models import Obligation
from icahub.registry.api import convention_from_code, state_from_iso3
from icahub.registry.models import Organisation, State
from icahub.reports.forms_schema import AREAS, MODALITIES
from icahub.versioning import VersionedInput, lock_version_input
from icahub.web.api_fields import IsoDateField

PK = r"(?P<pk>[0-9]+)"


def _amount(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal(0), allow_null=True, **kwargs
    )


def _region(value: str) -> str:
    if value not in M49_CODES:
        raise serializers.ValidationError(
            f"Unknown M49 region or sub-region code '{value}' (e.g. 002 Africa, 035 "
            "South-eastern Asia)."
        )
    return value


class StrictInput(serializers.Serializer):
    """Refuses fields it does not know, so a typo or a computed field is not silently
    ignored."""

    read_only_names: frozenset[str] = frozenset()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        field: [
                            "This field cannot be edited."
                            if field in self.read_only_names
                            else "Unknown field."
                        ]
                        for field in unknown
                    }
                )
        return super().to_internal_value(data)


def _require(request, perm: str, obj: object = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(f"Your account does not have the permission '{perm}'.")


# --- needs ---------------------------------------------------------------------------------


class NeedTranslationOutput(serializers.ModelSerializer):
    class Meta:
        model = NeedTranslation
        fields = ["language", "title", "description", "lock_version"]


class NeedOutput(serializers.ModelSerializer):
    state = serializers.CharField(source="state.iso3", help_text="ISO 3166-1 alpha-3 code")
    convention = serializers.CharField(source="convention.code")
    translations = NeedTranslationOutput(many=True)
    budget_gap = serializers.DecimalField(
        max_digits=17,
        decimal_places=2,
        allow_null=True,
        help_text="Budget required minus budget secured",
    )
    obligation = serializers.IntegerField(source="obligation_id", allow_null=True)
    deadline = IsoDateField(allow_null=True, help_text="The linked obligation's current deadline")
    source_report = serializers.IntegerField(
        source="source_report_version.report_id", allow_null=True, default=None
    )
    source_report_version = serializers.IntegerField(
        source="source_report_version.number", allow_null=True, default=None
    )

    class Meta:
        model = Need
        fields = [
            "id",
            "state",
            "convention",
            "area",
            "modality",
            "title",
            "description",
            "language",
            "translations",
            "area_m2",
            "stockpiled_munitions",
            "survivors_to_reach",
            "budget_required",
            "budget_secured",
            "budget_gap",
            "currency",
            "value_date",
            "period_start",
            "period_end",
            "obligation",
            "deadline",
            "visibility",
            "status",
            "source_report",
            "source_report_version",
            "lock_version",
        ]


class NeedFieldsInput(StrictInput):
    read_only_names = frozenset(
        {"id", "state", "convention", "translations", "budget_gap", "deadline"}
        | {"source_report", "source_report_version"}
    )

    area = serializers.ChoiceField(choices=AREA_CHOICES)
    modality = serializers.ChoiceField(choices=MODALITY_CHOICES)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES, required=False, default="en", help_text="Language of the text"
    )
    area_m2 = _amount(required=False, help_text="Area in square metres")
    stockpiled_munitions = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    survivors_to_reach = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    budget_required = _amount(required=False)
    budget_secured = _amount(required=False)
    currency = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="ISO 4217, e.g. USD"
    )
    value_date = IsoDateField(required=False, allow_null=True)
    period_start = IsoDateField(required=False, allow_null=True)
    period_end = IsoDateField(required=False, allow_null=True)
    obligation = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of the state's obligation it serves"
    )
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, default=Visibility.STATES_PARTIES
    )
    status = serializers.ChoiceField(
        choices=NeedStatus.choices, required=False, default=NeedStatus.OPEN
    )

    def validate_obligation(self, value: int | None) -> Obligation | None:
        if value is None:
            return None
        obligation = Obligation.objects.filter(pk=value).first()
        if obligation is None:
            raise serializers.ValidationError(f"Unknown obligation {value}.")
        return obligation


class NeedUpdateInput(VersionedInput, NeedFieldsInput):
    """A PATCH of a need: any of its fields, and the lock_version it was read at."""


class NeedCreateInput(NeedFieldsInput):
    read_only_names = NeedFieldsInput.read_only_names - {"state", "convention"}

    state = serializers.CharField(help_text="ISO 3166-1 alpha-3 code")
    convention = serializers.CharField(help_text="CCM or APMBC")

    def validate_state(self, value: str) -> State:
        return state_from_iso3(value)

    def validate_convention(self, value: str):
        return convention_from_code(value)


class NeedFilterInput(serializers.Serializer):
    state = serializers.CharField(required=False)
    convention = serializers.CharField(required=False)
    area = serializers.ChoiceField(choices=AREA_CHOICES, required=False)
    modality = serializers.ChoiceField(choices=MODALITY_CHOICES, required=False)
    status = serializers.ChoiceField(choices=NeedStatus.choices, required=False)
    region = serializers.CharField(required=False)
    deadline_before = IsoDateField(required=False)

    def validate_state(self, value: str) -> str:
        return state_from_iso3(value).iso3

    def validate_convention(self, value: str) -> str:
        return convention_from_code(value).code

    def validate_region(self, value: str) -> str:
        return _region(value)


class NeedTranslationInput(StrictInput):
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    lock_version = lock_version_input(
        required=False,
        help_text="To replace the translation in this language: its lock_version as you read "
        "it (in the need's translations). Omit it to add a language the need has no "
        "translation in. A translation saved since, or already there when you omit it, is "
        "not replaced: the answer is 409.",
    )


def _need_body(request, pk: int) -> dict:
    return NeedOutput(selectors.need_get(user=request.user, pk=pk)).data


class NeedListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, description="ISO 3166-1 alpha-3 code"),
            OpenApiParameter("convention", str, description="CCM or APMBC"),
            OpenApiParameter("area", str, enum=list(AREAS)),
            OpenApiParameter("modality", str, enum=list(MODALITIES)),
            OpenApiParameter("status", str, enum=NeedStatus.values),
            OpenApiParameter(
                "region", str, description="M49 region or sub-region code of the state"
            ),
            OpenApiParameter(
                "deadline_before",
                str,
                description="Linked obligation due on or before this date (YYYY-MM-DD)",
            ),
        ],
        responses=NeedOutput(many=True),
    )
    def get(self, request):
        filters = NeedFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        needs = selectors.need_list(user=request.user, **filters.validated_data)
        return Response(NeedOutput(needs, many=True).data)

    @extend_schema(request=NeedCreateInput, responses={201: NeedOutput})
    def post(self, request):
        # Refuse at once an account that may record no need at all; the state is checked
        # once the input names it.
        _require(request, "assistance.add_need", Need(state_id=request.user.state_id))
        data = NeedCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        _require(request, "assistance.add_need", Need(state=values["state"]))
        need = services.need_create(**values, user=request.user)
        return Response(_need_body(request, need.pk), status=status.HTTP_201_CREATED)


class NeedDetailApi(APIView):
    @extend_schema(responses=NeedOutput)
    def get(self, request, pk: int):
        return Response(_need_body(request, pk))

    @extend_schema(request=NeedUpdateInput, responses=NeedOutput)
    def patch(self, request, pk: int):
        need = selectors.need_get(user=request.user, pk=pk)
        _require(request, "assistance.change_need", need)
        data = NeedUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = values.pop("lock_version")
        services.need_update(need=need, data=values, expected_version=expected)
        return Response(_need_body(request, pk))


class NeedTranslationCreateApi(APIView):
    @extend_schema(
        request=NeedTranslationInput,
        responses={201: NeedOutput},
        description="Add the need's title and description in another language (or replace "
        "the translation in that language).",
    )
    def post(self, request, pk: int):
        need = selectors.need_get(user=request.user, pk=pk)
        _require(request, "assistance.change_need", need)
        data = NeedTranslationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = values.pop("lock_version", services.NEW_TRANSLATION)
        services.need_add_translation(need=need, expected_version=expected, **values)
        return Response(_need_body(request, pk), status=status.HTTP_201_CREATED)


# --- offers --------------------------------------------------------------------------------


class OfferOutput(serializers.ModelSerializer):
    provider_state = serializers.CharField(
        source="provider_state.iso3", allow_null=True, default=None
    )
    provider_organisation = serializers.IntegerField(
        source="provider_organisation_id", allow_null=True
    )
    provider_name = serializers.CharField(source="provider", help_text="State or organisation")
    areas = serializers.ListField(child=serializers.ChoiceField(choices=AREA_CHOICES))
    modalities = serializers.ListField(child=serializers.ChoiceField(choices=MODALITY_CHOICES))
    priority_regions = serializers.ListField(child=serializers.CharField())
    priority_countries = serializers.SlugRelatedField(slug_field="iso3", many=True, read_only=True)
    languages = serializers.ListField(child=serializers.ChoiceField(choices=LANGUAGE_CHOICES))

    class Meta:
        model = Offer
        fields = [
            "id",
            "provider_state",
            "provider_organisation",
            "provider_name",
            "title",
            "description",
            "areas",
            "modalities",
            "priority_regions",
            "priority_countries",
            "languages",
            "budget_envelope",
            "currency",
            "period_start",
            "period_end",
            "visibility",
            "status",
            "lock_version",
        ]


class OfferFieldsInput(StrictInput):
    read_only_names = frozenset({"id", "provider_state", "provider_organisation", "provider_name"})

    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    areas = serializers.ListField(
        child=serializers.ChoiceField(choices=AREA_CHOICES), allow_empty=False
    )
    modalities = serializers.ListField(
        child=serializers.ChoiceField(choices=MODALITY_CHOICES), required=False, default=list
    )
    priority_regions = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="M49 codes"
    )
    priority_countries = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="ISO 3166-1 alpha-3 codes",
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CHOICES), required=False, default=list
    )
    budget_envelope = _amount(required=False)
    currency = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="ISO 4217, e.g. EUR"
    )
    period_start = IsoDateField(required=False, allow_null=True)
    period_end = IsoDateField(required=False, allow_null=True)
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, default=Visibility.STATES_PARTIES
    )
    status = serializers.ChoiceField(
        choices=OfferStatus.choices, required=False, default=OfferStatus.OPEN
    )

    def validate_priority_regions(self, value: list[str]) -> list[str]:
        return [_region(code) for code in value]

    def validate_priority_countries(self, value: list[str]) -> list[State]:
        codes = [code.upper() for code in value]
        states = {s.iso3: s for s in State.objects.filter(iso3__in=codes)}
        unknown = [code for code in codes if code not in states]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown state(s): {', '.join(unknown)} (use ISO alpha-3 codes)."
            )
        return [states[code] for code in codes]


class OfferUpdateInput(VersionedInput, OfferFieldsInput):
    """A PATCH of an offer: any of its fields, and the lock_version it was read at."""


class OfferCreateInput(OfferFieldsInput):
    read_only_names = frozenset({"id", "provider_name"})

    provider_state = serializers.CharField(
        required=False, help_text="ISO alpha-3 code; default: your own state"
    )
    provider_organisation = serializers.IntegerField(
        required=False, help_text="Organisation id; default: your own organisation"
    )

    def validate_provider_state(self, value: str) -> State:
        return state_from_iso3(value)

    def validate_provider_organisation(self, value: int) -> Organisation:
        organisation = Organisation.objects.filter(pk=value).first()
        if organisation is None:
            raise serializers.ValidationError(f"Unknown organisation {value}.")
        return organisation


class OfferFilterInput(serializers.Serializer):
    area = serializers.ChoiceField(choices=AREA_CHOICES, required=False)
    modality = serializers.ChoiceField(choices=MODALITY_CHOICES, required=False)
    status = serializers.ChoiceField(choices=OfferStatus.choices, required=False)
    provider_state = serializers.CharField(required=False)
    region = serializers.CharField(required=False)

    def validate_provider_state(self, value: str) -> str:
        return state_from_iso3(value).iso3

    def validate_region(self, value: str) -> str:
        return _region(value)


def _own_offer_probe(user) -> Offer:
    """An offer this user would provide when the input names no provider."""
    if user.role in STATE_OFFER_ROLES and user.state_id is not None:
        return Offer(provider_state=user.state)
    if user.role in ORGANISATION_OFFER_ROLES and user.organisation_id is not None:
        return Offer(provider_organisation=user.organisation)
    return Offer()


def _offer_body(request, pk: int) -> dict:
    return OfferOutput(selectors.offer_get(user=request.user, pk=pk)).data


class OfferListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("area", str, enum=list(AREAS)),
            OpenApiParameter("modality", str, enum=list(MODALITIES)),
            OpenApiParameter("status", str, enum=OfferStatus.values),
            OpenApiParameter("provider_state", str, description="ISO 3166-1 alpha-3 code"),
            OpenApiParameter(
                "region",
                str,
                description="M49 region or sub-region code named among the offer's "
                "priorities (directly, by its region, or by a priority country in it)",
            ),
        ],
        responses=OfferOutput(many=True),
    )
    def get(self, request):
        filters = OfferFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        offers = selectors.offer_list(user=request.user, **filters.validated_data)
        return Response(OfferOutput(offers, many=True).data)

    @extend_schema(request=OfferCreateInput, responses={201: OfferOutput})
    def post(self, request):
        own = _own_offer_probe(request.user)
        # Refuse at once an account that may record no offer at all.
        _require(request, "assistance.add_offer", own)
        data = OfferCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "provider_state" not in values and "provider_organisation" not in values:
            if own.provider is None:
                raise serializers.ValidationError(
                    {
                        "provider_state": [
                            "Give the provider: provider_state or provider_organisation."
                        ]
                    }
                )
            values["provider_state"] = own.provider_state
            values["provider_organisation"] = own.provider_organisation
        probe = Offer(
            provider_state=values.get("provider_state"),
            provider_organisation=values.get("provider_organisation"),
        )
        _require(request, "assistance.add_offer", probe)
        offer = services.offer_create(**values, user=request.user)
        return Response(_offer_body(request, offer.pk), status=status.HTTP_201_CREATED)


class OfferDetailApi(APIView):
    @extend_schema(responses=OfferOutput)
    def get(self, request, pk: int):
        return Response(_offer_body(request, pk))

    @extend_schema(request=OfferUpdateInput, responses=OfferOutput)
    def patch(self, request, pk: int):
        offer = selectors.offer_get(user=request.user, pk=pk)
        _require(request, "assistance.change_offer", offer)
        data = OfferUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = values.pop("lock_version")
        services.offer_update(offer=offer, data=values, expected_version=expected)
        return Response(_offer_body(request, pk))


# (route, view, name) for config/api_urls.py's api_path helper.
API_ROUTES = [
    ("needs", NeedListApi.as_view(), "api-needs"),
    (f"needs/{PK}", NeedDetailApi.as_view(), "api-need"),
    (f"needs/{PK}/translations", NeedTranslationCreateApi.as_view(), "api-need-translations"),
    ("offers", OfferListApi.as_view(), "api-offers"),
    (f"offers/{PK}", OfferDetailApi.as_view(), "api-offer"),
    *MATCHING_ROUTES,
]
