from django.urls import path

from core.api import closures, privacy, views

urlpatterns = [
    path("auth/register/", views.RegisterApi.as_view(), name="api-register"),
    path("auth/token/", views.TokenApi.as_view(), name="api-token"),
    path("auth/logout/", views.LogoutApi.as_view(), name="api-logout"),
    path("branches/", views.BranchListApi.as_view(), name="api-branches"),
    path("tracks/", views.TrackListApi.as_view(), name="api-tracks"),
    path("audiences/", views.AudienceListApi.as_view(), name="api-audiences"),
    path("holidays/", views.HolidayListApi.as_view(), name="api-holidays"),
    path("partners/", views.PartnerListApi.as_view(), name="api-partners"),
    path("closures/preview/", closures.ClosurePreviewApi.as_view(), name="api-closure-preview"),
    path("closures/", closures.ClosureApplyApi.as_view(), name="api-closures"),
    path("me/", privacy.MeApi.as_view(), name="api-me"),
    path("me/export/", privacy.MyDataExportApi.as_view(), name="api-me-export"),
]
