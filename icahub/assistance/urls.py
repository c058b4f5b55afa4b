from django.urls import path

from icahub.assistance import views, views_matching

app_name = "assistance"
urlpatterns = [
    path("needs/", views.need_list, name="need_list"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path(
        "needs/<int:pk>/translations/new/",
        views.need_translation_create,
        name="need_translation_create",
    ),
    path("needs/<int:pk>/evidence/", views.need_evidence_add, name="need_evidence_add"),
    path(
        "needs/<int:pk>/evidence/<int:evidence_pk>/",
        views.need_evidence_download,
        name="need_evidence_download",
    ),
    path("offers/", views.offer_list, name="offer_list"),
    path("offers/new/", views.offer_create, name="offer_create"),
    path("offers/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("matching/", views_matching.matching_weights, name="matching_weights"),
    path(
        "partners/<str:kind>/<int:pk>/",
        views_matching.partner_needs,
        name="partner_needs",
    ),
]
