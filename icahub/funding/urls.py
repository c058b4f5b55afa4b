from django.urls import path

from icahub.funding import views

app_name = "funding"
urlpatterns = [
    path("", views.flow_list, name="flow_list"),
    path("by/<slug:dimension>/", views.flow_totals, name="flow_totals"),
    path("flows/new/", views.flow_create, name="flow_create"),
    path("flows/import/", views.flow_import, name="flow_import"),
    path("flows/<int:pk>/", views.flow_detail, name="flow_detail"),
    path("flows/<int:pk>/edit/", views.flow_edit, name="flow_edit"),
    path("flows/<int:pk>/delete/", views.flow_delete, name="flow_delete"),
    path("flows/<int:pk>/merge/", views.flow_merge, name="flow_merge"),
    path("exchange-rates/", views.exchange_rates, name="exchange_rates"),
]
