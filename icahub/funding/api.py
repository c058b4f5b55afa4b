"""Funding flows and exchange rates API. Reads honour visibility (a flow the user may not
see answers 404 and is left out of lists and totals); writes are for the ISU and the
flow's parties (see ``permissions.py``); exchange rates are added by the ISU."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from icahub.assistance.api import StrictInput
from icahub.assistance.models import AREA_CHOICES, MODALITY_CHOICES, Need, Visibility
from icahub.coalitions.models import Coalition
from icahub.funding import selectors, services
from icahub.funding.exports import party_code, party_name
from icahub.funding.models import CooperationModel, ExchangeRate, Flow, FlowStatus
from icahub.registry.api import state_from_iso3
from icahub.registry.models import Organisation
from icahub.versioning import LOCK_VERSION_PARAMETER, VersionedInput, expected_version_from_query
from icahub.web.api_fields import IsoDateField

PK = r"(?P<pk>[0-9]+)"


def _require(request, perm: str, obj: object = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(f"Your account does not have the permission '{perm}'.")


class FlowOutput(serializers.ModelSerializer):
    giver = serializers.SerializerMethodField(help_text="ISO code, organisation:<id>")
    giver_name = serializers.SerializerMethodField()
    recipient = serializers.SerializerMethodField(
        help_text="ISO code, organisation:<id> or coalition:<id>"
    )
    recipient_name = serializers.SerializerMethodField()
    need = serializers.IntegerField(source="need_id", allow_null=True)
    counts_as_funding = serializers.BooleanField(source="is_funding")
    usd_value = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        help_text="Null while no exchange rate is known for the currency at the value date",
    )

    class Meta:
        model = Flow
        fields = [
            "id",
            "giver",
            "giver_name",
            "recipient",
            "recipient_name",
            "need",
            "area",
            "status",
            "counts_as_funding",
            "amount",
            "currency",
            "value_date",
            "usd_value",
            "year",
            "modality",
            "cooperation_model",
            "notes_on_use",
            "visibility",
            "source",
            "reported_by_giver",
            "reported_by_recipient",
            "lock_version",
        ]

    def get_giver(self, flow: Flow) -> str:
        return self._key(flow.giver)

    def get_recipient(self, flow: Flow) -> str:
        return self._key(flow.recipient)

    def get_giver_name(self, flow: Flow) -> str:
        return party_name(flow.giver)

    def get_recipient_name(self, flow: Flow) -> str:
        return party_name(flow.recipient)

    @staticmethod
    def _key(party) -> str:
        if isinstance(party, Organisation):
            return f"organisation:{party.pk}"
        return party_code(party)


class FlowFieldsInput(StrictInput):
    """Parties are given as fields of their own: ``giver_state`` (ISO code) or
    ``giver_organisation`` (id); ``recipient_state``, ``recipient_organisation`` or
    ``recipient_coalition`` (id)."""

    read_only_names = frozenset(
        {"id", "giver", "giver_name", "recipient", "recipient_name", "usd_value"}
        | {"counts_as_funding", "source", "reported_by_giver", "reported_by_recipient"}
    )

    giver_state = serializers.CharField(required=False, allow_null=True)
    giver_organisation = serializers.IntegerField(required=False, allow_null=True)
    recipient_state = serializers.CharField(required=False, allow_null=True)
    recipient_organisation = serializers.IntegerField(required=False, allow_null=True)
    recipient_coalition = serializers.IntegerField(required=False, allow_null=True)
    need = serializers.IntegerField(required=False, allow_null=True, help_text="Need id")
    area = serializers.ChoiceField(choices=AREA_CHOICES, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=FlowStatus.choices)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. EUR")
    value_date = IsoDateField()
    year = serializers.IntegerField(required=False, allow_null=True, min_value=1997)
    modality = serializers.ChoiceField(choices=MODALITY_CHOICES, required=False, allow_blank=True)
    cooperation_model = serializers.ChoiceField(
        choices=CooperationModel.choices, required=False, allow_blank=True
    )
    notes_on_use = serializers.CharField(required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)

    def validate_giver_state(self, value):
        return state_from_iso3(value) if value else None

    def validate_recipient_state(self, value):
        return state_from_iso3(value) if value else None

    def _by_id(self, model, value, label: str):
        if value is None:
            return None
        found = model.objects.filter(pk=value).first()
        if found is None:
            raise serializers.ValidationError(f"Unknown {label} {value}.")
        return found

    def validate_giver_organisation(self, value):
        return self._by_id(Organisation, value, "organisation")

    def validate_recipient_organisation(self, value):
        return self._by_id(Organisation, value, "organisation")

    def validate_recipient_coalition(self, value):
        return self._by_id(Coalition, value, "coalition")

    def validate_need(self, value):
        if value is None:
            return None
        from icahub.assistance.selectors import need_visibility_q

        need = Need.objects.filter(need_visibility_q(self.context["user"]), pk=value).first()
        if need is None:
            raise serializers.ValidationError(f"Unknown need {value}.")
        return need


class FlowFilterInput(serializers.Serializer):
    giver = serializers.CharField(required=False)
    recipient = serializers.CharField(required=False)
    area = serializers.ChoiceField(choices=AREA_CHOICES, required=False)
    year = serializers.IntegerField(required=False, min_value=1997, max_value=2100)
    status = serializers.ChoiceField(choices=FlowStatus.choices, required=False)
    need = serializers.IntegerField(required=False, min_value=1)
    currency = serializers.CharField(required=False, max_length=3)


FILTER_PARAMETERS = [
    OpenApiParameter("giver", str, description="LAO / state:LAO, or organisation:<id>"),
    OpenApiParameter(
        "recipient", str, description="LAO / state:LAO, organisation:<id> or coalition:<id>"
    ),
    OpenApiParameter("area", str, enum=[code for code, _ in AREA_CHOICES]),
    OpenApiParameter("year", int),
    OpenApiParameter("status", str, enum=FlowStatus.values),
    OpenApiParameter("need", int, description="Need id"),
    OpenApiParameter("currency", str, description="ISO 4217 code"),
]


def _flows(request):
    filters = FlowFilterInput(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return selectors.flow_list(user=request.user, **filters.validated_data)


def _body(request, pk: int) -> dict:
    return FlowOutput(selectors.flow_get(user=request.user, pk=pk)).data


def _values(data: dict) -> dict:
    values = dict(data)
    for name in ("area", "modality", "cooperation_model"):
        if values.get(name) is None and name in values:
            values[name] = ""
    return values


class FlowListApi(APIView):
    @extend_schema(parameters=FILTER_PARAMETERS, responses=FlowOutput(many=True))
    def get(self, request):
        return Response(FlowOutput(_flows(request), many=True).data)

    @extend_schema(request=FlowFieldsInput, responses={201: FlowOutput})
    def post(self, request):
        _require(request, "funding.record_flows")
        data = FlowFieldsInput(data=request.data, context={"user": request.user})
        data.is_valid(raise_exception=True)
        flow = services.flow_create(**_values(data.validated_data), user=request.user)
        return Response(_body(request, flow.pk), status=status.HTTP_201_CREATED)


class FlowUpdateInput(VersionedInput, FlowFieldsInput):
    """A PATCH of a flow: any of its fields, and the lock_version it was read at."""


class FlowDetailApi(APIView):
    @extend_schema(responses=FlowOutput)
    def get(self, request, pk: int):
        return Response(_body(request, pk))

    @extend_schema(request=FlowUpdateInput, responses=FlowOutput)
    def patch(self, request, pk: int):
        flow = selectors.flow_get(user=request.user, pk=pk)
        _require(request, "funding.change_flow", flow)
        data = FlowUpdateInput(data=request.data, partial=True, context={"user": request.user})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = values.pop("lock_version")
        services.flow_update(
            flow=flow, data=_values(values), user=request.user, expected_version=expected
        )
        return Response(_body(request, pk))

    @extend_schema(parameters=[LOCK_VERSION_PARAMETER], responses={204: None})
    def delete(self, request, pk: int):
        flow = selectors.flow_get(user=request.user, pk=pk)
        _require(request, "funding.delete_flow", flow)
        services.flow_delete(
            flow=flow, user=request.user, expected_version=expected_version_from_query(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SummaryRowOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    funded_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    disbursed_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    pledged_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    flows = serializers.IntegerField()
    unvalued_flows = serializers.IntegerField()
    unvalued_amounts = serializers.ListField(child=serializers.DictField())


class FlowSummaryOutput(serializers.Serializer):
    by = serializers.ChoiceField(choices=list(selectors.DIMENSIONS))
    rows = SummaryRowOutput(many=True)
    total = SummaryRowOutput(help_text="All the rows together (key 'total').")


class FlowSummaryApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "by", str, enum=list(selectors.DIMENSIONS), description="Default: donor"
            ),
            *FILTER_PARAMETERS,
        ],
        responses=FlowSummaryOutput,
        description="Totals in USD of the flows you may see, by one dimension. funded_usd "
        "counts commitments, disbursements and expenditure, never pledges (pledged_usd); "
        "flows without an exchange rate are counted in unvalued_flows with their original "
        "amounts, never summed as zero.",
    )
    def get(self, request):
        dimension = request.query_params.get("by", "donor")
        if dimension not in selectors.DIMENSIONS:
            raise serializers.ValidationError(
                {"by": [f"Choose one of: {', '.join(selectors.DIMENSIONS)}."]}
            )
        params = request.query_params.copy()
        params.pop("by", None)
        filters = FlowFilterInput(data=params)
        filters.is_valid(raise_exception=True)
        flows = selectors.flow_list(user=request.user, **filters.validated_data)
        rows = selectors.flow_totals(flows, dimension)
        return Response(
            {
                "by": dimension,
                "rows": SummaryRowOutput([r.as_dict() for r in rows], many=True).data,
                "total": SummaryRowOutput(selectors.flow_grand_total(rows).as_dict()).data,
            }
        )


class ExchangeRateOutput(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "valid_from", "usd_per_unit", "source"]


class ExchangeRateInput(StrictInput):
    read_only_names = frozenset({"id"})

    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. EUR")
    valid_from = IsoDateField()
    usd_per_unit = serializers.DecimalField(max_digits=20, decimal_places=10)
    source = serializers.CharField(max_length=300)


class ExchangeRateListApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("currency", str)],
        responses=ExchangeRateOutput(many=True),
    )
    def get(self, request):
        rates = selectors.exchange_rate_list(currency=request.query_params.get("currency"))
        return Response(ExchangeRateOutput(rates, many=True).data)

    @extend_schema(request=ExchangeRateInput, responses={201: ExchangeRateOutput})
    def post(self, request):
        _require(request, "funding.add_exchangerate")
        data = ExchangeRateInput(data=request.data)
        data.is_valid(raise_exception=True)
        rate = services.exchange_rate_create(**data.validated_data, user=request.user)
        return Response(ExchangeRateOutput(rate).data, status=status.HTTP_201_CREATED)


API_ROUTES = [
    ("flows", FlowListApi.as_view(), "api-flows"),
    ("flows/summary", FlowSummaryApi.as_view(), "api-flows-summary"),
    (f"flows/{PK}", FlowDetailApi.as_view(), "api-flow"),
    ("exchange-rates", ExchangeRateListApi.as_view(), "api-exchange-rates"),
]
