from django.urls import path

from plans.api import views

urlpatterns = [
    path("coverage/", views.CoverageApi.as_view(), name="api-coverage"),
    path("plans/", views.PlanListApi.as_view(), name="api-plans"),
    path("initiatives/", views.InitiativeListApi.as_view(), name="api-initiatives"),
    path(
        "initiatives/<int:pk>/", views.InitiativeDetailApi.as_view(), name="api-initiative-detail"
    ),
]
