"""Matching API: the ranked lists of a need, an offer or a partner, with their explanation,
and the weights of the factors. Lists honour visibility: a need or offer the caller may not
see answers 404, and lines pointing at records the caller may not see are left out."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from icahub.assistance import matching, scoring, selectors, services
from icahub.registry.models import Organisation, State
from icahub.versioning import VersionedInput, lock_version_output

PK = r"(?P<pk>[0-9]+)"


class PartnerOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["state", "organisation"])
    id = serializers.IntegerField()
    name = serializers.CharField()


class ExplanationOutput(serializers.Serializer):
    factor = serializers.ChoiceField(choices=list(scoring.FACTORS))
    contribution = serializers.FloatField(help_text="This factor's part of the score.")
    text = serializers.CharField(help_text="The contribution in plain language.")


class MatchNeedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.CharField(help_text="ISO 3166-1 alpha-3 code")


class MatchOutput(serializers.Serializer):
    offer = serializers.IntegerField(allow_null=True, help_text="Null for a potential partner.")
    partner = PartnerOutput()
    need = MatchNeedOutput(required=False, help_text="In an offer's or a partner's list.")
    score = serializers.FloatField(help_text="0 to 1; the contributions add up to it.")
    explanation = ExplanationOutput(many=True)


def _body(lines: list[dict], *, with_need: bool) -> list[dict]:
    out = []
    for line in lines:
        item = {
            "offer": line["offer"].pk if line["offer"] is not None else None,
            "partner": line["partner"],
        }
        if with_need:
            need = line["need"]
            item["need"] = {"id": need.pk, "title": need.title, "state": need.state.iso3}
        item["score"] = round(line["score"], 4)
        item["explanation"] = line["explanation"]
        out.append(item)
    return out


class NeedMatchesApi(APIView):
    @extend_schema(responses=MatchOutput(many=True), summary="Offers and partners for a need")
    def get(self, request, pk: int):
        need = selectors.need_get(user=request.user, pk=pk)
        return Response(_body(matching.need_matches(user=request.user, need=need), with_need=False))


class OfferMatchesApi(APIView):
    @extend_schema(responses=MatchOutput(many=True), summary="Needs for an offer")
    def get(self, request, pk: int):
        offer = selectors.offer_get(user=request.user, pk=pk)
        return Response(
            _body(matching.offer_matches(user=request.user, offer=offer), with_need=True)
        )


class PartnerMatchesApi(APIView):
    @extend_schema(
        responses=MatchOutput(many=True),
        summary="Needs for a potential partner (a state or an organisation), by its history",
    )
    def get(self, request, kind: str, pk: int):
        model = State if kind == "state" else Organisation
        party = get_object_or_404(model, pk=pk)
        lines = matching.partner_needs(user=request.user, kind=kind, pk=party.pk)
        return Response(_body(lines, with_need=True))


class WeightsInput(VersionedInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in scoring.FACTORS:
            self.fields[name] = serializers.FloatField(min_value=0, max_value=1000, required=False)

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(scoring.FACTORS) - {"lock_version"})
        if unknown:
            raise serializers.ValidationError(
                {
                    name: "Unknown factor: the factors are " + ", ".join(scoring.FACTORS)
                    for name in unknown
                }
            )
        return super().validate(attrs)


WeightsOutput = inline_serializer(
    "MatchingWeights",
    fields={
        **{name: serializers.FloatField() for name in scoring.FACTORS},
        "lock_version": lock_version_output(),
    },
)


def _weights_body() -> dict:
    return {**matching.weights_current(), "lock_version": matching.weights_version()}


class MatchingWeightsApi(APIView):
    @extend_schema(responses=WeightsOutput, summary="The weights of the matching factors")
    def get(self, request):
        return Response(_weights_body())

    @extend_schema(request=WeightsInput, responses=WeightsOutput, summary="Set the weights (ISU)")
    def patch(self, request):
        if not request.user.has_perm("assistance.change_matchingweights"):
            raise PermissionDenied("Only the ISU sets the matching weights.")
        data = WeightsInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = values.pop("lock_version")
        services.matching_weights_update(data=values, user=request.user, expected_version=expected)
        return Response(_weights_body(), status=status.HTTP_200_OK)


MATCHING_ROUTES = [
    (f"needs/{PK}/matches", NeedMatchesApi.as_view(), "api-need-matches"),
    (f"offers/{PK}/matches", OfferMatchesApi.as_view(), "api-offer-matches"),
    (
        rf"partners/(?P<kind>state|organisation)/{PK}/matches",
        PartnerMatchesApi.as_view(),
        "api-partner-matches",
    ),
    ("matching/weights", MatchingWeightsApi.as_view(), "api-matching-weights"),
]
