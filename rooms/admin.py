from typing import Any

from django.contrib import admin

from rooms import services
from rooms.models import Booking, Equipment, EquipmentBooking, Licence, Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "branch",
        "capacity",
        "bookable_by",
        "requires_approval",
        "slot_minutes",
        "buffer_minutes",
        "self_service_allowed",
        "is_active",
    ]
    list_filter = [
        "branch",
        "bookable_by",
        "requires_approval",
        "self_service_allowed",
        "is_active",
    ]
    search_fields = ["name", "branch__name", "amenities"]
    fieldsets = (
        (None, {"fields": ("branch", "name", "capacity", "description", "amenities", "is_active")}),
        ("Booking", {"fields": ("bookable_by", "requires_approval", "self_service_allowed")}),
        (
            "Times",
            {
                "fields": (
                    "min_duration_minutes",
                    "max_duration_minutes",
                    "slot_minutes",
                    "buffer_minutes",
                    "max_days_ahead",
                    "cancel_days_before",
                )
            },
        ),
        (
            "Limits per person",
            {"fields": ("max_per_day", "max_per_week", "max_future", "max_series_occurrences")},
        ),
        ("Prices (DKK)", {"fields": ("fee_dkk", "rent_dkk")}),
    )


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read mostly: bookings change through the services (pages and API), which keep the rules."""

    list_display = ["room", "start", "end", "status", "kind", "booker", "partner", "no_show"]
    list_filter = ["status", "kind", "room__branch", "no_show", "price_tier"]
    search_fields = ["purpose", "booker__email", "booker__name", "room__name", "partner__name"]
    date_hierarchy = "start"
    list_select_related = ["room__branch", "booker", "partner"]
    readonly_fields = [
        "room",
        "booker",
        "start",
        "end",
        "blocked_start",
        "blocked_end",
        "status",
        "kind",
        "series_id",
        "sequence",
        "created_at",
        "updated_at",
        "cancelled_at",
        "decided_at",
        "decided_by",
        "price_tier",
        "price_dkk",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "branch",
        "licence_required",
        "min_age",
        "slot_minutes",
        "max_slots_per_day",
        "max_slots_per_week",
        "is_active",
    ]
    list_filter = ["branch", "kind", "licence_required", "is_active"]
    search_fields = ["name", "description"]


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["person", "equipment_kind", "source", "granted_by", "granted_at"]
    list_filter = ["equipment_kind", "source"]
    search_fields = ["person__email", "person__name"]
    autocomplete_fields = ["person"]
    readonly_fields = ["granted_at", "granted_by"]

    def save_model(self, request: Any, obj: Licence, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # granted through the service: idempotent, with who granted it and an audit row
        granted = services.licence_grant(
            person=obj.person,
            equipment_kind=obj.equipment_kind,
            actor=request.user,
            source=obj.source,
        )
        obj.pk, obj.granted_by, obj.granted_at = granted.pk, granted.granted_by, granted.granted_at


@admin.register(EquipmentBooking)
class EquipmentBookingAdmin(admin.ModelAdmin):
    list_display = ["equipment", "start", "end", "status", "booker", "checked_in_at", "no_show"]
    list_filter = ["status", "equipment__branch", "equipment__kind", "no_show"]
    search_fields = ["equipment__name", "booker__email", "booker__name"]
    date_hierarchy = "start"
    list_select_related = ["equipment__branch", "booker"]
    readonly_fields = [
        "equipment",
        "booker",
        "start",
        "end",
        "status",
        "sequence",
        "created_at",
        "updated_at",
        "cancelled_at",
        "checked_in_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False
