from django.urls import path

from icahub.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("statistics/", views.statistics, name="statistics"),
    path("who-has-reported/", views.compliance, name="compliance"),
    path("who-has-reported/reminders/", views.compliance_remind, name="compliance_remind"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/differences/", views.report_diff, name="diff"),
]
