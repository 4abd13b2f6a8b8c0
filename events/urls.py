from django.urls import path

from events import views, views_door

app_name = "events"

urlpatterns = [
    path("arrangementer/", views.calendar, name="calendar"),
    path("arrangementer/<int:pk>/", views.event_detail, name="event-detail"),
    path(
        "arrangementer/tilmeldinger/<int:pk>/afmeld/",
        views.registration_cancel,
        name="registration-cancel",
    ),
    path(
        "arrangementer/<int:pk>/sig-til-naar-tilmelding-aabner/",
        views.opening_reminder,
        name="opening-reminder",
    ),
    path("personale/arrangementer/<int:pk>/hold-lokale/", views.event_hold, name="event-hold"),
    path("personale/arrangementer/", views.staff_events, name="staff-events"),
    path("personale/arrangementer/ny/", views.series_create, name="series-create"),
    path("personale/arrangementer/<int:pk>/ret/", views.event_edit, name="event-edit"),
    path("personale/arrangementer/<int:pk>/tjek-ind/", views_door.check_in, name="check-in"),
    path(
        "personale/arrangementer/<int:pk>/tjek-ind/uden-tilmelding/",
        views_door.walk_in,
        name="walk-in",
    ),
    path("personale/arrangementer/<int:pk>/fremmoede/", views.attendance, name="attendance"),
    path("personale/arrangementer/<int:pk>/aflys/", views.event_cancel, name="event-cancel"),
    path(
        "personale/tilmeldinger/<int:pk>/tjek-ind/",
        views_door.registration_check_in,
        name="registration-check-in",
    ),
    path(
        "personale/tilmeldinger/<int:pk>/fortryd-tjek-ind/",
        views_door.registration_check_in_undo,
        name="registration-check-in-undo",
    ),
    path("personale/tjek-ind/<str:token>/", views_door.check_in_code, name="check-in-code"),
    path("arrangementer/tjek-ind-kode/<str:token>.svg", views_door.check_in_qr, name="check-in-qr"),
]
