from django.urls import path

from icahub.imports import views

app_name = "imports"
urlpatterns = [
    path("<int:pk>/", views.import_job_detail, name="detail"),
]
