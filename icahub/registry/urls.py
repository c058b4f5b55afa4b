from django.urls import path

from icahub.registry import views

app_name = "registry"
urlpatterns = [
    path("states/", views.state_list, name="state_list"),
    path("states/<str:iso3>/", views.state_detail, name="state_detail"),
    path("states/<str:iso3>/edit/", views.state_edit, name="state_edit"),
    path("states/<str:iso3>/contacts/add/", views.state_contact_add, name="state_contact_add"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("conventions/", views.convention_list, name="convention_list"),
]
