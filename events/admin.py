from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import AuditedModelAdmin, ReasonForm, service_action
from events import services
from events.models import Event, EventSeries, Registration

# Time, place, seats and state change through the services (the staff pages, the API, the
# actions here), so rooms are occupied, waiting lists promoted and those registered told.
PLACE_FIELDS = ["branch", "room", "place_kind", "stop", "address", "online_url"]

cancel_events = service_action(
    name="cancel_events",
    description=_("Cancel the selected events (those registered are told)"),
    form=ReasonForm,
    call=lambda actor, event, data: services.event_cancel(
        actor=actor, event=event, reason=data["reason"]
    ),
)
cancel_series = service_action(
    name="cancel_series",
    description=_("Cancel every future date of the selected series (those registered are told)"),
    form=ReasonForm,
    call=lambda actor, series, data: services.series_cancel(
        actor=actor, series=series, reason=data["reason"]
    ),
)
cancel_registrations = service_action(
    name="cancel_registrations",
    description=_("Cancel the selected registrations (the people are told)"),
    form=ReasonForm,
    call=lambda actor, registration, data: services.registration_cancel(
        actor=actor, registration=registration, reason=data["reason"]
    ),
)


class EventInline(admin.TabularInline):
    model = Event
    fields = readonly_fields = ("start", "end", "state", "capacity", "edited")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EventSeries)
class EventSeriesAdmin(AuditedModelAdmin):
    """Texts, tracks and audiences can be corrected here; the rule, time, place and seats
    change through the staff pages or the API (events.services.series_update), which carry
    them over to the dates."""

    list_display = ["title", "branch", "rrule", "created_at"]
    list_filter = ["branch", "tracks"]
    search_fields = ["title", "description"]
    filter_horizontal = ["tracks", "audiences", "partners"]
    inlines = [EventInline]
    service_fields = [
        *PLACE_FIELDS,
        "rrule",
        "first_start_local",
        "duration",
        "tzname",
        "include_closed",
        "closed_override_reason",
        "capacity",
        "registration_required",
        "max_seats_per_registration",
    ]
    allow_delete = False
    actions = [cancel_series]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created on the staff page "New event or series" or by the API


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = readonly_fields = ("user", "seats", "status", "waitlist_position", "checked_in_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(AuditedModelAdmin):
    """Read and correct events here; changes that people must hear about go through the
    services: the action "Cancel", the staff pages and the API."""

    list_display = ["title", "start", "branch", "room", "state", "capacity", "edited", "sequence"]
    list_filter = ["state", "branch", "tracks", "registration_required"]
    search_fields = ["title", "description"]
    date_hierarchy = "start"
    list_select_related = ["branch", "room"]
    filter_horizontal = ["tracks", "audiences", "partners"]
    raw_id_fields = ["host"]
    readonly_fields = ["sequence", "cancelled_at", "updated_at", "original_start"]
    inlines = [RegistrationInline]
    service_fields = [
        *PLACE_FIELDS,
        "start",
        "end",
        "state",
        "capacity",
        "registration_required",
        "max_seats_per_registration",
        "room_booking",
        "series",
        "cancel_reason",
        "attendance_count",
        "edited",
        "closed_override_reason",
    ]
    allow_delete = False
    actions = [cancel_events]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created on the staff page "New event or series" or by the API


@admin.register(Registration)
class RegistrationAdmin(AuditedModelAdmin):
    """Registrations are the people's: read here, cancelled through the service (the action),
    which frees the seats, moves the waiting list and tells the person."""

    list_display = ["event", "user", "seats", "status", "waitlist_position", "checked_in_at"]
    list_filter = ["status", "event__branch"]
    search_fields = ["event__title", "user__email", "user__name"]
    list_select_related = ["event", "user"]
    service_fields = [
        "event",
        "user",
        "seats",
        "status",
        "waitlist_position",
        "checked_in_at",
        "created_at",
        "cancelled_at",
        "cancel_reason",
        "sequence",
    ]
    allow_delete = False
    actions = [cancel_registrations]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people register on the event's page or through the API
