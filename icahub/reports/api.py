"""Article 7 reports API and the assistance-request statistic."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from icahub.errors import conflict
from icahub.registry.api import convention_from_code, state_from_iso3
from icahub.reports import selectors, services
from icahub.reports.forms_schema import AREAS, NEEDS_FORM, bare_not_applicable
from icahub.reports.models import Report, ReportKind, ReportVersion
from icahub.reports.statistics import assistance_request_statistics
from icahub.versioning import VersionedInput, lock_version_output
from icahub.web.api_fields import IsoDateField


class VersionSummaryOutput(serializers.ModelSerializer):
    class Meta:
        model = ReportVersion
        fields = ["number", "status", "submitted_on", "published_on", "language"]


def report_body(report: Report, version: ReportVersion, user, kinds: set | None = None) -> dict:
    """The API's view of a report at ``version``. Lists pass the obligation ``kinds`` of
    the report's state (selectors.obligation_kinds) and reports from selectors.report_list
    carry their visible versions, so that a list costs no query per report."""
    forms = version.forms
    if kinds is None:
        kinds = selectors.obligation_kinds([report])[(report.state_id, report.convention_id)]
    versions = getattr(report, "visible_versions", None)
    if versions is None:
        versions = selectors.report_versions_visible(user, report)
    return {
        "id": report.pk,
        "state": report.state.iso3,
        "convention": report.convention.code,
        "kind": report.kind,
        "reporting_year": report.reporting_year,
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "due_date": report.due_date.isoformat(),
        "version": version.number,
        "status": version.status,
        "submitted_on": version.submitted_on.isoformat() if version.submitted_on else None,
        "published_on": version.published_on.isoformat() if version.published_on else None,
        "language": version.language,
        "contacts": {field: getattr(version, field) for field in services.CONTACT_FIELDS},
        "forms": {key: value for key, value in forms.items() if key != NEEDS_FORM},
        "needs": (forms.get(NEEDS_FORM) or {}).get("tables", {}).get("needs", []),
        "flagged_forms": bare_not_applicable(report.convention.code, forms, kinds),
        "versions": VersionSummaryOutput(versions, many=True).data,
        "lock_version": version.lock_version,
    }


REPORT_SCHEMA = inline_serializer(
    "Report",
    {
        "id": serializers.IntegerField(),
        "state": serializers.CharField(),
        "convention": serializers.CharField(),
        "kind": serializers.ChoiceField(choices=ReportKind.values),
        "reporting_year": serializers.IntegerField(),
        "period_start": serializers.DateField(),
        "period_end": serializers.DateField(),
        "due_date": serializers.DateField(),
        "version": serializers.IntegerField(),
        "status": serializers.CharField(),
        "submitted_on": serializers.DateField(allow_null=True),
        "published_on": serializers.DateField(allow_null=True),
        "language": serializers.CharField(),
        "contacts": serializers.DictField(child=serializers.CharField()),
        "forms": serializers.DictField(),
        "needs": serializers.ListField(child=serializers.DictField()),
        "flagged_forms": serializers.ListField(child=serializers.CharField()),
        "versions": VersionSummaryOutput(many=True),
        "lock_version": lock_version_output(),
    },
)


class NeedRowInput(serializers.Serializer):
    area = serializers.ChoiceField(choices=AREAS)
    modality = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True)
    budget_required = serializers.CharField(required=False, allow_blank=True)
    currency = serializers.CharField(required=False, allow_blank=True)


class ReportContentInput(serializers.Serializer):
    forms = serializers.DictField(required=False, help_text="Forms keyed by letter (A-J)")
    needs = NeedRowInput(many=True, required=False, help_text="The voluntary part")
    language = serializers.ChoiceField(choices=services.LANGUAGES, required=False)
    contact_name = serializers.CharField(required=False, allow_blank=True)
    contact_organisation = serializers.CharField(required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True)


class ReportUpdateInput(VersionedInput, ReportContentInput):
    """A PATCH of the draft: any of its content, and the draft's lock_version as read."""


class ReportCreateInput(ReportContentInput):
    state = serializers.CharField()
    convention = serializers.CharField()
    kind = serializers.ChoiceField(choices=ReportKind.values)
    reporting_year = serializers.IntegerField(min_value=1999, max_value=2100)

    def validate_state(self, value):
        return state_from_iso3(value)

    def validate_convention(self, value):
        return convention_from_code(value)


class ReportFilterInput(serializers.Serializer):
    state = serializers.CharField(required=False)
    convention = serializers.CharField(required=False)
    reporting_year = serializers.IntegerField(required=False)

    def validate_state(self, value):
        return state_from_iso3(value).iso3

    def validate_convention(self, value):
        return convention_from_code(value).code


def _require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(f"Your account does not have the permission '{perm}'.")


def _content_update(
    version: ReportVersion, data: dict, expected_version: int | None = None
) -> None:
    forms = data.pop("forms", None)
    needs = data.pop("needs", None)
    if needs is not None:
        forms = dict(forms if forms is not None else version.forms)
        forms[NEEDS_FORM] = {"tables": {"needs": needs}}
    services.version_update(
        version=version, forms=forms, data=data, expected_version=expected_version
    )


def _visible_report(request, pk) -> tuple[Report, ReportVersion]:
    report = get_object_or_404(Report.objects.select_related("state", "convention"), pk=pk)
    version = selectors.report_versions_visible(request.user, report).order_by("-number").first()
    if version is None:
        raise Http404("No report matches the given query.")
    return report, version


class ReportListApi(APIView):
    @extend_schema(
        operation_id="reports_list",
        parameters=[
            OpenApiParameter("state", str),
            OpenApiParameter("convention", str),
            OpenApiParameter("reporting_year", int),
        ],
        responses=REPORT_SCHEMA.__class__(many=True),
    )
    def get(self, request):
        filters = ReportFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.report_list(user=request.user, **filters.validated_data)
        kinds = selectors.obligation_kinds([report for report, _ in rows])
        return Response(
            [report_body(r, v, request.user, kinds[(r.state_id, r.convention_id)]) for r, v in rows]
        )

    @extend_schema(request=ReportCreateInput, responses={201: REPORT_SCHEMA})
    def post(self, request):
        data = ReportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        state, convention = values.pop("state"), values.pop("convention")
        probe = Report(state=state, convention=convention)
        _require(request, "reports.add_report", probe)
        report = services.report_start(
            state=state,
            convention=convention,
            kind=values.pop("kind"),
            reporting_year=values.pop("reporting_year"),
            language=values.get("language", "en"),
            user=request.user,
        )
        _content_update(services.current_draft(report), values)
        report, version = _visible_report(request, report.pk)
        return Response(report_body(report, version, request.user), status=status.HTTP_201_CREATED)


class ReportDetailApi(APIView):
    @extend_schema(responses=REPORT_SCHEMA)
    def get(self, request, pk):
        report, version = _visible_report(request, pk)
        return Response(report_body(report, version, request.user))

    @extend_schema(request=ReportUpdateInput, responses=REPORT_SCHEMA)
    def patch(self, request, pk):
        report, _ = _visible_report(request, pk)
        _require(request, "reports.change_report", report)
        draft = services.current_draft(report)
        if draft is None:
            raise conflict("status", "A submitted report is never edited in place: amend it first.")
        data = ReportUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = values.pop("lock_version")
        _content_update(draft, values, expected_version=expected)
        report, version = _visible_report(request, pk)
        return Response(report_body(report, version, request.user))


class SubmitInput(serializers.Serializer):
    submitted_on = IsoDateField(required=False, help_text="ISU only: a past submission date")


class ReportSubmitApi(APIView):
    @extend_schema(request=SubmitInput, responses=REPORT_SCHEMA)
    def post(self, request, pk):
        report, _ = _visible_report(request, pk)
        _require(request, "reports.submit_report", report)
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.report_submit(
            report=report, user=request.user, submitted_on=data.validated_data.get("submitted_on")
        )
        report, version = _visible_report(request, pk)
        return Response(report_body(report, version, request.user))


class ReportAmendApi(APIView):
    @extend_schema(request=None, responses={201: REPORT_SCHEMA})
    def post(self, request, pk):
        report, _ = _visible_report(request, pk)
        _require(request, "reports.change_report", report)
        services.report_amend(report=report, user=request.user)
        report, version = _visible_report(request, pk)
        return Response(report_body(report, version, request.user), status=status.HTTP_201_CREATED)


class ReportPublishApi(APIView):
    @extend_schema(request=None, responses=REPORT_SCHEMA)
    def post(self, request, pk):
        report, _ = _visible_report(request, pk)
        _require(request, "reports.publish_report", report)
        version = report.versions.filter(status="submitted").order_by("-number").first()
        if version is None:
            raise conflict("status", "There is no submitted version to publish.")
        services.version_publish(version=version)
        report, version = _visible_report(request, pk)
        return Response(report_body(report, version, request.user))


class StatisticsInput(serializers.Serializer):
    convention = serializers.CharField()
    reporting_year = serializers.IntegerField(min_value=1999, max_value=2100)
    as_of = IsoDateField()

    def validate_convention(self, value):
        return convention_from_code(value).code


class AssistanceRequestStatisticsApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("convention", str, required=True),
            OpenApiParameter("reporting_year", int, required=True),
            OpenApiParameter("as_of", str, required=True, description="YYYY-MM-DD"),
        ],
        responses=inline_serializer(
            "AssistanceRequestStatistics",
            {
                "convention": serializers.CharField(),
                "reporting_year": serializers.IntegerField(),
                "as_of": serializers.DateField(),
                "reports_submitted": serializers.IntegerField(),
                "states_requesting": serializers.IntegerField(),
                "by_area": serializers.DictField(child=serializers.IntegerField()),
                "states": serializers.ListField(child=serializers.CharField()),
                "text": serializers.CharField(),
            },
        ),
    )
    def get(self, request):
        data = StatisticsInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        stats = assistance_request_statistics(**data.validated_data)
        return Response(stats.as_dict(translation.get_language() or "en"))
