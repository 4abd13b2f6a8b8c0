"""Input and output serializers of the events API (paths and fields are contracts)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any, cast

from django.utils import timezone
from rest_framework import serializers

from core.api.fields import AwareDateTimeField
from core.models import Audience, BookmobileStop, Branch, Partner, Track, User
from events import selectors, selectors_list
from events.models import MAX_PEOPLE, Event, EventSeries, EventState, PlaceKind, Registration
from rooms.models import Room


class EventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    series = serializers.IntegerField(source="series_id")
    title = serializers.CharField()
    description = serializers.CharField()
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    branch = serializers.CharField(source="branch.slug")
    room = serializers.IntegerField(source="room_id", allow_null=True)
    tracks = serializers.SerializerMethodField()
    audiences = serializers.SerializerMethodField()
    capacity = serializers.IntegerField(allow_null=True)
    seats_available = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    def get_tracks(self, event: Event) -> list[str]:
        return [t.slug for t in event.tracks.all()]

    def get_audiences(self, event: Event) -> list[str]:
        return [a.slug for a in event.audiences.all()]

    def get_seats_available(self, event: Event) -> int | None:
        return selectors.seats_available(event)

    def get_state(self, event: Event) -> str:
        return selectors.shown_state(event, now=self.context.get("now"))


def _iso(value: datetime, zone: tzinfo) -> str:
    """An ``AwareDateTimeField``'s output: ISO 8601 in the current zone (local time with its
    offset), ``Z`` for UTC, as DRF writes it."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def event_list_out(
    rows: list[selectors_list.EventListRow], *, now: datetime
) -> list[dict[str, Any]]:
    """A page of the events list exactly as ``EventOutputSerializer`` shapes it (that stays
    the schema and the reference: tests/events/test_event_list_fast.py holds the two equal),
    from plain values, without a serializer field per row."""
    zone = timezone.get_current_timezone()
    out = []
    for row in rows:
        free = selectors.free_seats(
            capacity=row.capacity,
            registration_required=row.registration_required,
            confirmed_seats=row.confirmed_seats,
        )
        out.append(
            {
                "id": row.id,
                "series": row.series_id,
                "title": row.title,
                "description": row.description,
                "start": _iso(row.start, zone),
                "end": _iso(row.end, zone),
                "branch": row.branch_slug,
                "room": row.room_id,
                "tracks": row.tracks,
                "audiences": row.audiences,
                "capacity": row.capacity,
                "seats_available": free,
                "state": selectors.shown_state_of(
                    state=row.state,
                    end=row.end,
                    free=free,
                    waitlisted=row.waitlisted_count,
                    now=now,
                ),
            }
        )
    return out


class EventDetailOutputSerializer(EventOutputSerializer):
    place_kind = serializers.CharField()
    address = serializers.CharField()
    stop = serializers.CharField(source="stop.name", allow_null=True, default=None)
    online_url = serializers.CharField()
    image = serializers.SerializerMethodField()
    partners = serializers.SerializerMethodField()
    registration_required = serializers.BooleanField()
    max_seats_per_registration = serializers.IntegerField()
    price_dkk = serializers.DecimalField(max_digits=8, decimal_places=2)
    waitlisted = serializers.IntegerField(source="waitlisted_count", default=0)
    attendance_count = serializers.IntegerField(allow_null=True)
    host = serializers.CharField(source="host.name", allow_null=True, default=None)
    edited = serializers.BooleanField()
    original_start = AwareDateTimeField(allow_null=True)
    sequence = serializers.IntegerField()
    cancel_reason = serializers.CharField()
    licence_equipment_kind = serializers.CharField()
    registration_opens_at = AwareDateTimeField(allow_null=True)

    image_alt = serializers.CharField()
    questions = serializers.SerializerMethodField()

    def get_image(self, event: Event) -> str | None:
        return event.image.url if event.image else None

    def get_questions(self, event: Event) -> list[dict[str, Any]]:
        """The sign-up questions to answer when registering (``answers`` of the POST)."""
        return [
            {"id": q.pk, "question": q.label, "required": q.required}
            for q in event.series.asked_questions()
        ]

    def get_partners(self, event: Event) -> list[str]:
        return [p.name for p in event.partners.all()]


class StaffEventDetailOutputSerializer(EventDetailOutputSerializer):
    """An event as staff of its branch (and administrators) see it: with the reason it is
    held although the library is closed ("" when the branch is open)."""

    closed_override_reason = serializers.CharField()
    room_hold = serializers.SerializerMethodField()

    def get_room_hold(self, event: Event) -> dict[str, Any] | None:
        """A draft's tentative hold on its room: until when (None when it holds nothing)."""
        booking = event.room_booking
        if booking is None or booking.kind != "hold" or booking.status != "confirmed":
            return None
        return HoldOutputSerializer(booking).data


class HoldOutputSerializer(serializers.Serializer):
    booking = serializers.IntegerField(source="pk")
    room = serializers.IntegerField(source="room_id")
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    expires_at = AwareDateTimeField(source="hold_expires_at")


class HoldInputSerializer(serializers.Serializer):
    hours = serializers.IntegerField(min_value=1, max_value=14 * 24, required=False, default=48)


class OpeningReminderOutputSerializer(serializers.Serializer):
    event = serializers.IntegerField(source="event_id")
    registration_opens_at = AwareDateTimeField(source="event.registration_opens_at")
    created_at = AwareDateTimeField()


class SeriesOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    branch = serializers.CharField(source="branch.slug")
    rrule = serializers.CharField()
    include_closed = serializers.BooleanField()
    closed_override_reason = serializers.CharField()
    events = serializers.SerializerMethodField()

    def get_events(self, series: EventSeries) -> list[dict[str, Any]]:
        events = selectors.event_list(actor=self.context.get("actor"), series=series.pk)
        # many=True makes a ListSerializer, whose data is a list; the stubs cannot tell.
        return cast(
            "list[dict[str, Any]]",
            EventOutputSerializer(events, many=True, context=self.context).data,
        )


class _EventInputBase(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    branch = serializers.SlugRelatedField(slug_field="slug", queryset=Branch.objects.all())
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.all(), required=False, allow_null=True
    )
    place_kind = serializers.ChoiceField(choices=PlaceKind.choices, required=False)
    stop = serializers.PrimaryKeyRelatedField(
        queryset=BookmobileStop.objects.all(), required=False, allow_null=True
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    online_url = serializers.URLField(required=False, allow_blank=True)
    capacity = serializers.IntegerField(
        min_value=1, max_value=MAX_PEOPLE, required=False, allow_null=True
    )
    registration_required = serializers.BooleanField(required=False)
    max_seats_per_registration = serializers.IntegerField(min_value=1, max_value=50, required=False)
    price_dkk = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False
    )
    licence_equipment_kind = serializers.CharField(max_length=60, required=False, allow_blank=True)
    host = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    tracks = serializers.SlugRelatedField(
        slug_field="slug", queryset=Track.objects.all(), many=True, required=False
    )
    audiences = serializers.SlugRelatedField(
        slug_field="slug", queryset=Audience.objects.all(), many=True, required=False
    )
    partners = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), many=True, required=False
    )
    state = serializers.ChoiceField(
        choices=[EventState.DRAFT, EventState.PUBLISHED], required=False
    )
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    # Why it is held although the library is closed (with closed_override, or a series'
    # include_closed): required only when a date falls on a day the branch is closed.
    closed_override_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    # Registration opens at this time (empty: at once); before it, people may ask to be told.
    registration_opens_at = AwareDateTimeField(required=False, allow_null=True)


class _RoomFitInput(serializers.Serializer):
    """When the new room holds fewer people than the confirmed seats: without one of these the
    change is a 409 ``room_too_small``; ``waitlist_overflow`` moves those registered last to the
    waiting list, ``to_waitlist`` exactly these registrations (ids)."""

    waitlist_overflow = serializers.BooleanField(required=False)
    to_waitlist = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=10_000
    )


class _QuestionsInput(serializers.Serializer):
    # Sign-up questions, e.g. "The child's name and age"; every date of the series asks them.
    questions = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=10
    )


class EventCreateInputSerializer(_EventInputBase, _QuestionsInput):
    # "Held although the library is closed": without it, a day the branch is closed is a 409.
    closed_override = serializers.BooleanField(required=False, default=False)


class SeriesCreateInputSerializer(_EventInputBase, _QuestionsInput):
    rrule = serializers.CharField(max_length=500)
    include_closed = serializers.BooleanField(required=False, default=False)


class _QuestionChangeInput(serializers.Serializer):
    # ``id`` of a question the event asks (as in its ``questions``); none: a new question.
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    question = serializers.CharField(max_length=200, allow_blank=True)
    # A declared field (DRF's metaclass takes it off the class), not Field.required.
    required = serializers.BooleanField(required=False, default=True)  # type: ignore[assignment]


class EventUpdateInputSerializer(_EventInputBase, _RoomFitInput):
    closed_override = serializers.BooleanField(required=False)
    # A new image (multipart), or null to remove it; resized on upload, needs ``image_alt``.
    image = serializers.FileField(required=False, allow_null=True)
    image_alt = serializers.CharField(max_length=200, required=False, allow_blank=True)
    # The sign-up questions as they should be (every date of the series asks them): reworded,
    # reordered, new ones without ``id``, optional ones ``required: false``; a question left out
    # is no longer asked (answers already given stay readable for staff).
    questions = serializers.ListField(child=_QuestionChangeInput(), required=False, max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class SeriesUpdateInputSerializer(_EventInputBase, _RoomFitInput):
    """PATCH a series: shared fields; ``start_time``/``duration_minutes`` move future dates."""

    rrule = serializers.CharField(max_length=500, required=False, allow_blank=False)
    include_closed = serializers.BooleanField(required=False)
    start_time = serializers.TimeField(required=False)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=14 * 24 * 60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)
        self.fields.pop("start")
        self.fields.pop("end")


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EventAttendanceInputSerializer(serializers.Serializer):
    attendance_count = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE)


class AnswerInputSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    answer = serializers.CharField(max_length=500, allow_blank=True)


class RegistrationInputSerializer(serializers.Serializer):
    seats = serializers.IntegerField(min_value=1, max_value=50, default=1)
    on_behalf_of = serializers.EmailField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )
    # Answers to the event's sign-up questions (``questions`` of the event), by question id.
    answers = AnswerInputSerializer(many=True, required=False, default=list)


class AnswerOutputSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    # A declared field (DRF's metaclass takes it off the class), not Field.label.
    label = serializers.CharField(source="question.label")  # type: ignore[assignment]
    answer = serializers.CharField()


class RegistrationCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    seats = serializers.IntegerField()
    waitlist_position = serializers.IntegerField(allow_null=True)


class RegistrationOutputSerializer(RegistrationCreatedSerializer):
    event = serializers.IntegerField(source="event_id")
    event_title = serializers.CharField(source="event.title")
    event_start = AwareDateTimeField(source="event.start")
    event_end = AwareDateTimeField(source="event.end")
    branch = serializers.CharField(source="event.branch.slug")
    checked_in_at = AwareDateTimeField(allow_null=True)
    created_at = AwareDateTimeField()
    cancelled_at = AwareDateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()


class StaffRegistrationOutputSerializer(RegistrationOutputSerializer):
    """A registration as staff of the event's branch (and administrators) see it."""

    name = serializers.CharField(source="user.name", allow_null=True, default=None)
    email = serializers.CharField(source="user.email", allow_null=True, default=None)
    override_rule = serializers.CharField()
    override_reason = serializers.CharField()
    answers = AnswerOutputSerializer(many=True, source="answers.all", read_only=True)


class HostRegistrationOutputSerializer(RegistrationCreatedSerializer):
    """A registration as the event's volunteer host sees it: the name to greet, the seats and
    the check-in. Not the e-mail address, nor the reason a person gave for cancelling."""

    event = serializers.IntegerField(source="event_id")
    name = serializers.CharField(source="user.name", allow_null=True, default=None)
    checked_in_at = AwareDateTimeField(allow_null=True)
    cancelled_at = AwareDateTimeField(allow_null=True)
    answers = AnswerOutputSerializer(many=True, source="answers.all", read_only=True)


def registration_out(reg: Registration) -> dict[str, Any]:
    """The 201 of a registration: ``RegistrationCreatedSerializer``'s fields (the schema's
    shape), read straight off the row on the hot path of a popular event's opening."""
    body: dict[str, Any] = {
        "id": reg.pk,
        "status": str(reg.status),
        "seats": reg.seats,
        "waitlist_position": reg.waitlist_position,
    }
    if reg.override_reason:  # staff bent a rule on the person's behalf
        body["override"] = {
            "rule": reg.override_rule,
            "reason": reg.override_reason,
            "by": reg.registered_by.email if reg.registered_by else None,
        }
    return body
