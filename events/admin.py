from typing import Any

from django.contrib import admin

from events.models import Event, EventSeries, Registration


class EventInline(admin.TabularInline):
    model = Event
    fields = ["start", "end", "state", "capacity", "edited"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(EventSeries)
class EventSeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "branch", "rrule", "created_at"]
    list_filter = ["branch", "tracks"]
    search_fields = ["title", "description"]
    filter_horizontal = ["tracks", "audiences", "partners"]
    inlines = [EventInline]


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = ["user", "seats", "status", "waitlist_position", "checked_in_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read and correct events here; changes that people must hear about go through the pages/API."""

    list_display = ["title", "start", "branch", "room", "state", "capacity", "edited", "sequence"]
    list_filter = ["state", "branch", "tracks", "registration_required"]
    search_fields = ["title", "description"]
    date_hierarchy = "start"
    list_select_related = ["branch", "room"]
    filter_horizontal = ["tracks", "audiences", "partners"]
    raw_id_fields = ["host"]
    readonly_fields = ["sequence", "cancelled_at", "updated_at", "original_start"]
    inlines = [RegistrationInline]
    # Time, place, seats and state change through the staff pages or the API (events.services),
    # so rooms are occupied, waiting lists promoted and those registered told.
    service_fields = [
        "start",
        "end",
        "state",
        "capacity",
        "registration_required",
        "room",
        "place_kind",
        "room_booking",
        "series",
    ]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [*self.readonly_fields, *self.service_fields]

    def has_add_permission(self, request: Any) -> bool:
        return False  # created on the staff page "New event or series" or by the API


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["event", "user", "seats", "status", "waitlist_position", "checked_in_at"]
    list_filter = ["status", "event__branch"]
    search_fields = ["event__title", "user__email", "user__name"]
    raw_id_fields = ["event", "user"]
    list_select_related = ["event", "user"]
