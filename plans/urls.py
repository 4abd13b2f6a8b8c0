from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("plan/", views.dashboard, name="dashboard"),
    path("plan/opret/", views.plan_create, name="plan-create"),
    path("plan/tal/", views.drilldown, name="drilldown"),
    path("plan/status/<int:year>/", views.plan_status, name="plan-status"),
    path("plan/indsatser/ny/", views.initiative_create, name="initiative-create"),
    path("plan/indsatser/<int:pk>/", views.initiative_edit, name="initiative-edit"),
    path("plan/rapport/<int:year>/<slug:period>/", views.report_page, name="report"),
    path(
        "plan/rapport/<int:year>/<slug:period>.<str:fmt>",
        views.report_download,
        name="report-download",
    ),
]
