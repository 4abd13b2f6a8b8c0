from django.urls import path

from events.api import views

urlpatterns = [
    path("events/", views.EventListApi.as_view(), name="api-events"),
    path("events/<int:pk>/", views.EventDetailApi.as_view(), name="api-event"),
    path("events/<int:pk>/cancel/", views.EventCancelApi.as_view(), name="api-event-cancel"),
    path(
        "events/<int:pk>/attendance/",
        views.EventAttendanceApi.as_view(),
        name="api-event-attendance",
    ),
    path(
        "events/<int:pk>/registrations/",
        views.EventRegistrationsApi.as_view(),
        name="api-event-registrations",
    ),
    path("events/<int:pk>/hold/", views.EventHoldApi.as_view(), name="api-event-hold"),
    path(
        "events/<int:pk>/opening-reminder/",
        views.EventOpeningReminderApi.as_view(),
        name="api-event-opening-reminder",
    ),
    path("event-series/", views.SeriesListApi.as_view(), name="api-event-series"),
    path("event-series/<int:pk>/", views.SeriesDetailApi.as_view(), name="api-event-series-detail"),
    path("registrations/", views.RegistrationListApi.as_view(), name="api-registrations"),
    path(
        "registrations/<int:pk>/cancel/",
        views.RegistrationCancelApi.as_view(),
        name="api-registration-cancel",
    ),
    path(
        "registrations/<int:pk>/check-in/",
        views.RegistrationCheckInApi.as_view(),
        name="api-registration-check-in",
    ),
]
