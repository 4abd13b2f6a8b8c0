from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import AuditedModelAdmin, ReasonForm, service_action
from rooms import services
from rooms.models import Booking, Equipment, EquipmentBooking, Licence, Room

cancel_bookings = service_action(
    name="cancel_bookings",
    description=_("Cancel the selected bookings (the bookers are told)"),
    form=ReasonForm,
    call=lambda actor, booking, data: services.booking_cancel(
        actor=actor, booking=booking, reason=data["reason"]
    ),
)
approve_bookings = service_action(
    name="approve_bookings",
    description=_("Approve the selected requests (the bookers are told)"),
    call=lambda actor, booking, data: services.booking_approve(actor=actor, booking=booking),
)
reject_bookings = service_action(
    name="reject_bookings",
    description=_("Reject the selected requests (the bookers are told)"),
    form=ReasonForm,
    call=lambda actor, booking, data: services.booking_reject(
        actor=actor, booking=booking, reason=data["reason"]
    ),
)
mark_no_show = service_action(
    name="mark_no_show",
    description=_("Mark the selected bookings as no-shows"),
    call=lambda actor, booking, data: services.booking_mark_no_show(actor=actor, booking=booking),
)
cancel_equipment_bookings = service_action(
    name="cancel_equipment_bookings",
    description=_("Cancel the selected machine bookings (the makers are told)"),
    form=ReasonForm,
    call=lambda actor, booking, data: services.equipment_booking_cancel(
        actor=actor, booking=booking, reason=data["reason"]
    ),
)


@admin.register(Room)
class RoomAdmin(AuditedModelAdmin):
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
class BookingAdmin(AuditedModelAdmin):
    """Read mostly: bookings change through the services (the actions here, the pages and the
    API), which keep the rules, write the audit row and tell the booker."""

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
    service_fields = ["partner", "attendees", "no_show", "rejection_reason", "cancel_reason"]
    allow_delete = False
    actions = [cancel_bookings, approve_bookings, reject_bookings, mark_no_show]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Equipment)
class EquipmentAdmin(AuditedModelAdmin):
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
class LicenceAdmin(AuditedModelAdmin):
    list_display = ["person", "equipment_kind", "source", "granted_by", "granted_at"]
    list_filter = ["equipment_kind", "source"]
    search_fields = ["person__email", "person__name"]
    autocomplete_fields = ["person"]
    readonly_fields = ["granted_at", "granted_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Licence | None = None) -> list[str]:
        fields = super().get_readonly_fields(request, obj)
        # A licence is one person's for one kind of machine: it is not handed to another.
        return [*fields, "person", "equipment_kind"] if obj is not None else fields

    def save_model(self, request: Any, obj: Licence, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)  # with the admin's audit row
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
class EquipmentBookingAdmin(AuditedModelAdmin):
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
    service_fields = ["no_show", "cancel_reason"]
    allow_delete = False
    actions = [cancel_equipment_bookings]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
