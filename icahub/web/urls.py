from django.urls import path

from icahub.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    # The load test's baseline (docs/performance.md); 404 unless ICAHUB_BENCH_MINIMAL_VIEW.
    path("bench/minimal/", views.bench_minimal, name="bench_minimal"),
]
