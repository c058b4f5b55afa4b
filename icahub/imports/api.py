"""``GET /api/v1/imports/{id}/``: an import job's status, progress, result and problems
(the uploader and the ISU only)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from icahub.imports import selectors
from icahub.imports.models import ImportJob, ImportKind, ImportStatus


class ProgressOutput(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class ImportErrorOutput(serializers.Serializer):
    where = serializers.CharField(help_text='The row ("row 4") or sheet and cell, or empty.')
    field = serializers.CharField(help_text="The column or field at fault, or empty.")
    message = serializers.CharField()


class ImportJobOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    file_name = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    progress = ProgressOutput()
    result = serializers.DictField(help_text="What the import did: count, url, message.")
    errors = ImportErrorOutput(many=True)


class ImportJobDetailApi(APIView):
    @extend_schema(responses=ImportJobOutput, operation_id="imports_retrieve")
    def get(self, request, pk: int):
        try:
            job = selectors.import_job_get(pk=pk)
        except Http404 as error:
            raise NotFound from error
        if not request.user.has_perm("imports.view_importjob", job):
            raise PermissionDenied("Only the user who uploaded the file and the ISU see an import.")
        return Response(ImportJobOutput(_body(job)).data)


def _body(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "file_name": job.file_name,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "attempts": job.attempts,
        "progress": selectors.import_job_progress(job),
        "result": job.result,
        "errors": job.errors,
    }


API_ROUTES = [
    (r"imports/(?P<pk>[0-9]+)", ImportJobDetailApi.as_view(), "api-import"),
]
