from django.urls import path

from icahub.coalitions import views

app_name = "coalitions"
urlpatterns = [
    path("", views.coalition_list, name="list"),
    path("new/", views.coalition_create, name="create"),
    path("invitations/<int:member_pk>/accept/", views.invitation_accept, name="invitation_accept"),
    path(
        "invitations/<int:member_pk>/decline/", views.invitation_decline, name="invitation_decline"
    ),
    path("<int:pk>/", views.coalition_detail, name="detail"),
    path("<int:pk>/edit/", views.coalition_edit, name="edit"),
    path("<int:pk>/members/invite/", views.member_invite, name="member_invite"),
    path("<int:pk>/members/<int:member_pk>/role/", views.member_role, name="member_role"),
    path("<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/objectives/new/", views.objective_form, name="objective_create"),
    path(
        "<int:pk>/objectives/<int:objective_pk>/edit/",
        views.objective_form,
        name="objective_edit",
    ),
    path("<int:pk>/meetings/new/", views.meeting_form, name="meeting_create"),
    path("<int:pk>/meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/meetings/<int:meeting_pk>/edit/", views.meeting_form, name="meeting_edit"),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/actions/",
        views.action_item_add,
        name="action_item_add",
    ),
    path("<int:pk>/actions/", views.action_item_list, name="action_item_list"),
    path(
        "<int:pk>/actions/<int:item_pk>/status/",
        views.action_item_status,
        name="action_item_status",
    ),
    path("<int:pk>/documents/new/", views.document_upload, name="document_upload"),
    path(
        "<int:pk>/documents/<int:document_pk>/",
        views.document_download,
        name="document_download",
    ),
    path("<int:pk>/commitments/new/", views.commitment_form, name="commitment_create"),
    path(
        "<int:pk>/commitments/<int:commitment_pk>/edit/",
        views.commitment_form,
        name="commitment_edit",
    ),
    path("<int:pk>/gap/", views.gap_view, name="gap"),
]
