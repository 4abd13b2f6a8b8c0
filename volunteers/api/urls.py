from django.urls import path

from volunteers.api import views

urlpatterns = [
    path("shifts/", views.ShiftListApi.as_view(), name="api-shifts"),
    path("shifts/<int:pk>/", views.ShiftDetailApi.as_view(), name="api-shift"),
    path("shifts/<int:pk>/signups/", views.ShiftSignupApi.as_view(), name="api-shift-signup"),
    path("shifts/<int:pk>/roster/", views.ShiftRosterApi.as_view(), name="api-shift-roster"),
    path("shift-signups/", views.MySignupListApi.as_view(), name="api-shift-signups"),
    path(
        "shift-signups/<int:pk>/withdraw/",
        views.SignupWithdrawApi.as_view(),
        name="api-shift-signup-withdraw",
    ),
    path(
        "shift-signups/<int:pk>/report/",
        views.SignupReportApi.as_view(),
        name="api-shift-signup-report",
    ),
    path(
        "shift-signups/<int:pk>/attendance/",
        views.SignupAttendanceApi.as_view(),
        name="api-shift-signup-attendance",
    ),
    path(
        "shift-signups/<int:pk>/hours/",
        views.SignupHoursApi.as_view(),
        name="api-shift-signup-hours",
    ),
    path("volunteer/me/", views.MeApi.as_view(), name="api-volunteer-me"),
    path(
        "volunteer/sessions/<int:event_pk>/registrations/",
        views.HostedSessionRegistrationsApi.as_view(),
        name="api-hosted-registrations",
    ),
    path(
        "volunteer/sessions/<int:event_pk>/registrations/<int:registration_pk>/check-in/",
        views.HostedSessionCheckInApi.as_view(),
        name="api-hosted-check-in",
    ),
    path("volunteers/", views.VolunteerListApi.as_view(), name="api-volunteers"),
    path(
        "volunteers/<int:pk>/certificate/",
        views.VolunteerCertificateApi.as_view(),
        name="api-volunteer-certificate",
    ),
    path(
        "volunteers/<int:pk>/status/",
        views.VolunteerStatusApi.as_view(),
        name="api-volunteer-status",
    ),
    path("activities/", views.ActivityListApi.as_view(), name="api-activities"),
    path("session-proposals/", views.ProposalListApi.as_view(), name="api-proposals"),
    path("session-proposals/<int:pk>/", views.ProposalDetailApi.as_view(), name="api-proposal"),
    path(
        "session-proposals/<int:pk>/approve/",
        views.ProposalApproveApi.as_view(),
        name="api-proposal-approve",
    ),
    path(
        "session-proposals/<int:pk>/reject/",
        views.ProposalRejectApi.as_view(),
        name="api-proposal-reject",
    ),
    path(
        "session-proposals/<int:pk>/request-changes/",
        views.ProposalRequestChangesApi.as_view(),
        name="api-proposal-request-changes",
    ),
    path(
        "session-proposals/<int:pk>/withdraw/",
        views.ProposalWithdrawApi.as_view(),
        name="api-proposal-withdraw",
    ),
]
