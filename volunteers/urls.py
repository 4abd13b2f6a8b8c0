from django.urls import path

from volunteers import views, views_staff

app_name = "volunteers"

urlpatterns = [
    path("frivillig/", views.dashboard, name="dashboard"),
    path("frivillig/vagter/<int:pk>/tilmeld/", views.shift_sign_up, name="shift-sign-up"),
    path("frivillig/tilmeldinger/<int:pk>/afmeld/", views.signup_withdraw, name="signup-withdraw"),
    path("frivillig/tilmeldinger/<int:pk>/kom/", views.signup_report, name="signup-report"),
    path("frivillig/forslag/ny/", views.proposal_form, name="proposal-new"),
    path("frivillig/forslag/<int:pk>/ret/", views.proposal_form, name="proposal-edit"),
    path("personale/frivillige/", views.staff_overview, name="staff-unfilled"),
    path(
        "personale/frivillige/boerneattester/",
        views.staff_certificates,
        name="staff-certificates",
    ),
    path(
        "personale/frivillige/boerneattester/<int:pk>/",
        views.staff_certificate_record,
        name="staff-certificate-record",
    ),
    path("personale/frivillige/profiler/", views.staff_volunteers, name="staff-volunteers"),
    path(
        "personale/frivillige/profiler/<int:pk>/afslut/",
        views.staff_volunteer_end,
        name="staff-volunteer-end",
    ),
    path(
        "personale/frivillige/profiler/ny/",
        views_staff.staff_volunteer_new,
        name="staff-volunteer-new",
    ),
    path(
        "personale/frivillige/aktiviteter/",
        views_staff.staff_activities,
        name="staff-activities",
    ),
    path(
        "personale/frivillige/aktiviteter/ny/",
        views_staff.staff_activity_edit,
        name="staff-activity-new",
    ),
    path(
        "personale/frivillige/aktiviteter/<int:pk>/",
        views_staff.staff_activity_edit,
        name="staff-activity-edit",
    ),
    path("personale/frivillige/timer/", views.staff_hours, name="staff-hours"),
    path("personale/frivillige/forslag/", views.staff_proposals, name="staff-proposals"),
    path(
        "personale/frivillige/forslag/<int:pk>/beslut/",
        views.staff_proposal_decide,
        name="staff-proposal-decide",
    ),
    path("personale/frivillige/vagter/ny/", views.staff_shift_new, name="staff-shift-new"),
    path("personale/frivillige/vagter/<int:pk>/", views.staff_shift, name="staff-shift"),
]
