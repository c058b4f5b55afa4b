from django.contrib import admin

from icahub.imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "file_name", "created_by", "status", "attempts", "created_at")
    list_filter = ("kind", "status")
    list_select_related = ("created_by",)
    readonly_fields = (
        "kind",
        "status",
        "created_by",
        "file",
        "file_name",
        "progress_done",
        "progress_total",
        "attempts",
        "result",
        "errors",
        "task_id",
        "created_at",
        "updated_at",
        "started_at",
        "finished_at",
    )
