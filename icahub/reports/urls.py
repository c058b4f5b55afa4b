from django.urls import path

from icahub.reports import views, views_editing, views_xlsx

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("statistics/", views.statistics, name="statistics"),
    path("who-has-reported/", views.compliance, name="compliance"),
    path("who-has-reported/reminders/", views.compliance_remind, name="compliance_remind"),
    path("new/", views_editing.report_start, name="start"),
    path("import/", views_xlsx.report_import, name="import"),
    path("template/<str:convention>/", views_xlsx.template_download, name="template"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views_editing.report_edit, name="edit"),
    path("<int:pk>/edit/contacts/", views_editing.report_edit_contacts, name="edit_contacts"),
    path("<int:pk>/edit/<str:form_key>/", views_editing.report_edit_step, name="edit_step"),
    path("<int:pk>/submit/", views_editing.report_submit, name="submit"),
    path("<int:pk>/amend/", views_editing.report_amend, name="amend"),
    path("<int:pk>/publish/", views_editing.report_publish, name="publish"),
    path("<int:pk>/differences/", views.report_diff, name="diff"),
    path("<int:pk>/download/<str:fmt>/", views.report_download, name="download"),
]
