"""Input and output shapes of the rooms API. Times are ISO 8601 with offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from core.api.fields import AwareDateTimeField
from core.models import Partner, User
from core.selectors import user_get_by_email
from core.timeutils import localize_naive
from rooms import selectors
from rooms.models import Booking, Equipment, EquipmentBooking, EquipmentKind, Licence, Room


class LocalDateTimeField(serializers.DateTimeField):
    """Accepts an offset; a time without one is local and refused in the DST gap or doubled hour."""

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            return localize_naive(value, field=self.field_name)
        return super().enforce_timezone(value)


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


def intervals(pairs: list[tuple[datetime, datetime]]) -> list[dict[str, str]]:
    return [
        {"start": selectors.to_local(s).isoformat(), "end": selectors.to_local(e).isoformat()}
        for s, e in pairs
    ]


class RoomOutputSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch.slug")
    branch_name = serializers.CharField(source="branch.name")
    amenities = serializers.ListField(source="amenity_list", child=serializers.CharField())
    rules = serializers.SerializerMethodField()

    class Meta:
        model = Room
        fields = [
            "id",
            "branch",
            "branch_name",
            "name",
            "capacity",
            "description",
            "amenities",
            "rules",
        ]

    def get_rules(self, room: Room) -> dict[str, Any]:
        return {
            "bookable_by": room.bookable_by,
            "requires_approval": room.requires_approval,
            "min_duration_minutes": room.min_duration_minutes,
            "max_duration_minutes": room.max_duration_minutes,
            "slot_minutes": room.slot_minutes,
            "buffer_minutes": room.buffer_minutes,
            "max_days_ahead": room.max_days_ahead,
            "max_per_day": room.max_per_day,
            "max_per_week": room.max_per_week,
            "max_future": room.max_future,
            "max_series_occurrences": room.max_series_occurrences,
            "self_service_allowed": room.self_service_allowed,
            "cancel_days_before": room.cancel_days_before,
            "prices_dkk": {
                "free": "0.00",
                "fee": f"{room.fee_dkk:.2f}",
                "rent": f"{room.rent_dkk:.2f}",
            },
        }


class RepeatSerializer(serializers.Serializer):
    every_weeks = serializers.ChoiceField(choices=[1, 2])
    until = serializers.DateField()


class BookingInputSerializer(serializers.Serializer):
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.select_related("branch"))
    start = LocalDateTimeField()
    end = LocalDateTimeField()
    purpose = serializers.CharField(max_length=200)
    attendees = serializers.IntegerField(min_value=1)
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), required=False, allow_null=True
    )
    repeat = RepeatSerializer(required=False, allow_null=True)
    take_free = serializers.BooleanField(required=False, default=False)


class BookingOutputSerializer(serializers.ModelSerializer):
    room_name = serializers.CharField(source="room.name")
    branch = serializers.CharField(source="room.branch.slug")
    partner_name = serializers.CharField(source="partner.name", default=None)
    booker_name = serializers.CharField(source="booker.name", default=None)
    cancel_deadline = serializers.SerializerMethodField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "status",
            "kind",
            "room",
            "room_name",
            "branch",
            "start",
            "end",
            "purpose",
            "attendees",
            "partner",
            "partner_name",
            "booker_name",
            "series_id",
            "price_tier",
            "price_dkk",
            "rejection_reason",
            "cancel_reason",
            "cancelled_at",
            "cancel_deadline",
            "no_show",
            "sequence",
            "created_at",
        ]

    def get_cancel_deadline(self, booking: Booking) -> str:
        return selectors.to_local(selectors.cancel_deadline(booking=booking)).isoformat()


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    whole_series = serializers.BooleanField(required=False, default=False)


class NoShowInputSerializer(serializers.Serializer):
    no_show = serializers.BooleanField(required=False, default=True)


class EquipmentOutputSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch.slug")
    branch_name = serializers.CharField(source="branch.name")
    kind_name = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Equipment
        fields = [
            "id",
            "branch",
            "branch_name",
            "name",
            "kind",
            "kind_name",
            "description",
            "licence_required",
            "min_age",
            "slot_minutes",
            "max_slots_per_day",
            "max_slots_per_week",
            "max_days_ahead",
            "release_after_minutes",
        ]


class EquipmentBookingInputSerializer(serializers.Serializer):
    equipment = serializers.PrimaryKeyRelatedField(
        queryset=Equipment.objects.select_related("branch")
    )
    start = LocalDateTimeField()
    end = LocalDateTimeField(required=False, allow_null=True)


class EquipmentBookingOutputSerializer(serializers.ModelSerializer):
    equipment_name = serializers.CharField(source="equipment.name")
    branch = serializers.CharField(source="equipment.branch.slug")

    class Meta:
        model = EquipmentBooking
        fields = [
            "id",
            "status",
            "equipment",
            "equipment_name",
            "branch",
            "start",
            "end",
            "sequence",
            "created_at",
            "cancelled_at",
            "cancel_reason",
            "checked_in_at",
            "no_show",
        ]


class LicenceInputSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    email = serializers.EmailField(required=False)
    equipment_kind = serializers.ChoiceField(choices=EquipmentKind.choices)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "person" not in attrs:
            email = attrs.get("email", "")
            person = user_get_by_email(email=email)
            if person is None:
                raise serializers.ValidationError(
                    {"person": "Give the person's id or e-mail address."}
                )
            attrs["person"] = person
        return attrs


class LicenceOutputSerializer(serializers.ModelSerializer):
    granted_by_name = serializers.CharField(source="granted_by.name", default=None)

    class Meta:
        model = Licence
        fields = [
            "id",
            "person",
            "equipment_kind",
            "source",
            "granted_at",
            "granted_by",
            "granted_by_name",
        ]


class OwnLicenceOutputSerializer(LicenceOutputSerializer):
    """A person's own licence: who granted it by name, not by their user id (least data)."""

    class Meta(LicenceOutputSerializer.Meta):
        fields = [f for f in LicenceOutputSerializer.Meta.fields if f != "granted_by"]


class RoomAvailabilityOutputSerializer(serializers.Serializer):
    room = serializers.IntegerField()
    date = serializers.DateField()
    free = IntervalSerializer(many=True)
    busy = IntervalSerializer(many=True)
    closed = serializers.CharField(allow_null=True)


class SlotSerializer(IntervalSerializer):
    free = serializers.BooleanField()


class EquipmentAvailabilityOutputSerializer(serializers.Serializer):
    equipment = serializers.IntegerField()
    date = serializers.DateField()
    free = IntervalSerializer(many=True)
    busy = IntervalSerializer(many=True)
    slots = SlotSerializer(many=True)


class RoomHoldInputSerializer(serializers.Serializer):
    """A tentative hold on a room by staff: the time it keeps, a title, and how long it lasts."""

    start = AwareDateTimeField()
    end = AwareDateTimeField()
    title = serializers.CharField(max_length=200)
    hours = serializers.IntegerField(min_value=1, max_value=14 * 24, required=False, default=48)


class RoomHoldOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    room = serializers.IntegerField(source="room_id")
    title = serializers.CharField(source="purpose")
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    status = serializers.CharField()
    expires_at = AwareDateTimeField(source="hold_expires_at", allow_null=True)
