from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("arrangementer/", views.calendar, name="calendar"),
    path("arrangementer/<int:pk>/", views.event_detail, name="event-detail"),
    path(
        "arrangementer/tilmeldinger/<int:pk>/afmeld/",
        views.registration_cancel,
        name="registration-cancel",
    ),
    path("personale/arrangementer/", views.staff_events, name="staff-events"),
    path("personale/arrangementer/ny/", views.series_create, name="series-create"),
    path("personale/arrangementer/<int:pk>/ret/", views.event_edit, name="event-edit"),
    path("personale/arrangementer/<int:pk>/tjek-ind/", views.check_in, name="check-in"),
    path("personale/arrangementer/<int:pk>/fremmoede/", views.attendance, name="attendance"),
    path("personale/arrangementer/<int:pk>/aflys/", views.event_cancel, name="event-cancel"),
    path(
        "personale/tilmeldinger/<int:pk>/tjek-ind/",
        views.registration_check_in,
        name="registration-check-in",
    ),
]
