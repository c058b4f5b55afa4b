from django.urls import path

from icahub.relays import views

app_name = "relays"
urlpatterns = [
    path("", views.relay_list, name="list"),
    path("mine/", views.my_relays, name="mine"),
    path("report/", views.matches_report, name="report"),
    path("needs/<int:need_pk>/new/", views.relay_create, name="create"),
    path("<int:pk>/", views.relay_detail, name="detail"),
    path("<int:pk>/objection/", views.relay_objection, name="objection"),
    path("<int:pk>/cancel/", views.relay_cancel, name="cancel"),
    path("answers/<int:pk>/", views.recipient_answer, name="answer"),
    path("follow-ups/<int:pk>/", views.follow_up_answer, name="follow_up_answer"),
]
