from django.urls import path

from icahub.obligations import views

app_name = "obligations"
urlpatterns = [
    path("", views.obligation_list, name="list"),
    path("new/", views.obligation_create, name="create"),
    path("calculator/", views.calculator, name="calculator"),
    path("<int:pk>/", views.obligation_detail, name="detail"),
    path("<int:pk>/edit/", views.obligation_edit, name="edit"),
    path("<int:pk>/extensions/new/", views.extension_create, name="extension_create"),
]
