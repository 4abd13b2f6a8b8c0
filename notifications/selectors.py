"""Reads of the notifications app: feeds, reminder settings, what is due."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.models import User
from core.timeutils import local_tz
from events.models import Event, Registration
from events.selectors import events_filtered
from notifications.calendar import CANCELLED_KEPT_FOR, CalendarItem
from notifications.models import (
    DEFAULT_LEAD_MINUTES,
    Delivery,
    FeedToken,
    ReminderDefault,
    ReminderKind,
    ReminderPreference,
)
from notifications.sources import (
    booking_item,
    equipment_booking_item,
    registration_item,
    signup_item,
)
from rooms.models import Booking, EquipmentBooking, Room
from rooms.selectors import not_expired_q
from volunteers.models import ShiftSignup

# Feeds show what ended at most this long ago, and everything ahead.
FEED_PAST = timedelta(days=30)
# The longest lead time anyone may choose (one week).
MAX_LEAD_MINUTES = 7 * 24 * 60


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_owner_for_token(*, token: str) -> User | None:
    """The active person whose personal feed ``token`` opens, or None (wrong or revoked)."""
    if not token or len(token) > 200:
        return None
    row = (
        FeedToken.objects.select_related("user")
        .filter(token_hash=hash_token(token), user__is_active=True)
        .first()
    )
    return row.user if row else None


def reminder_preference_for(*, user: User) -> ReminderPreference | None:
    return ReminderPreference.objects.filter(user=user).first()


def feed_token_for(*, user: User) -> FeedToken | None:
    return FeedToken.objects.filter(user=user).first()


def deliveries_to(*, user: User) -> QuerySet[Delivery]:
    """Every message to ``user`` (the delivery log), oldest first: for the person's data export."""
    return Delivery.objects.filter(recipient=user).order_by("created_at", "pk")


# --- Public feeds -------------------------------------------------------------


def public_events(
    *,
    now: datetime | None = None,
    branch: str | None = None,
    track: str | None = None,
    audience: str | None = None,
    room: str | int | None = None,
) -> QuerySet[Event]:
    """Published events (and those cancelled in the last 30 days), the filters as in /api/events/:
    ``branch``, ``track`` and ``audience`` are slugs, ``room`` is a room id."""
    now = now or timezone.now()
    kept = now - CANCELLED_KEPT_FOR
    qs = (
        # What the events API shows everyone, through its filters.
        events_filtered(actor=None, branch=branch, track=track, audience=audience, room=room)
        .filter(end__gte=now - FEED_PAST)
        .filter(
            Q(state="published")
            | Q(state="cancelled", cancelled_at__gte=kept)
            | Q(state="cancelled", cancelled_at__isnull=True, updated_at__gte=kept)
        )
    )
    return qs.select_related("branch", "room", "stop").distinct().order_by("start", "pk")


def public_event(*, pk: int) -> Event | None:
    """One event everyone may see (not a draft), for its own .ics file; None otherwise."""
    return (
        events_filtered(actor=None).select_related("branch", "room", "stop").filter(pk=pk).first()
    )


def room_busy_items(*, room: Room, now: datetime | None = None) -> list[CalendarItem]:
    """When the room is occupied: bookings of any kind, as plain "busy" without any names
    (a tentative hold as "tentatively held", TENTATIVE, until it expires)."""
    now = now or timezone.now()
    bookings = (
        Booking.objects.filter(room=room, end__gte=now - FEED_PAST)
        .filter(
            Q(status__in=["pending", "confirmed"])
            | Q(status__in=["cancelled", "rejected"], updated_at__gte=now - CANCELLED_KEPT_FOR)
        )
        .filter(not_expired_q(now))
        .select_related("room__branch")
        .order_by("start", "pk")
    )
    return [booking_item(b, busy_only=True) for b in bookings]


# --- The personal feed ----------------------------------------------------------


def personal_registrations(*, user: User, now: datetime) -> QuerySet[Registration]:
    kept = now - CANCELLED_KEPT_FOR
    return (
        Registration.objects.filter(user=user, event__end__gte=now - FEED_PAST)
        .exclude(event__state="draft")
        .filter(
            Q(status__in=["confirmed", "waitlisted"], event__state="published")
            | Q(status="cancelled", cancelled_at__gte=kept)
            | Q(status__in=["confirmed", "waitlisted"], event__cancelled_at__gte=kept)
        )
        .select_related("event__branch", "event__room", "event__stop")
        .order_by("event__start", "pk")
    )


def personal_bookings(*, user: User, now: datetime) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(booker=user, end__gte=now - FEED_PAST)
        .filter(_not_library_hold())
        .filter(
            Q(status__in=["pending", "confirmed"])
            | Q(
                status__in=["cancelled", "rejected"],
                updated_at__gte=now - CANCELLED_KEPT_FOR,
            )
        )
        .select_related("room__branch")
        .order_by("start", "pk")
    )


def _not_library_hold() -> Q:
    """A room held by an event or a shift is not the booker's own booking."""
    return ~Q(kind__in=["event", "shift"])


def personal_equipment_bookings(*, user: User, now: datetime) -> QuerySet[EquipmentBooking]:
    return (
        EquipmentBooking.objects.filter(booker=user, end__gte=now - FEED_PAST)
        .filter(
            Q(status="confirmed")
            | Q(status="cancelled", cancelled_at__gte=now - CANCELLED_KEPT_FOR)
        )
        .select_related("equipment__branch", "equipment__room__branch")
        .order_by("start", "pk")
    )


def personal_signups(*, user: User, now: datetime) -> QuerySet[ShiftSignup]:
    kept = now - CANCELLED_KEPT_FOR
    return (
        ShiftSignup.objects.filter(volunteer=user, shift__end__gte=now - FEED_PAST)
        .filter(
            Q(status="signed_up", shift__cancelled_at__isnull=True)
            | Q(status="signed_up", shift__cancelled_at__gte=kept)
            | Q(status="withdrawn", withdrawn_at__gte=kept)
        )
        .select_related("shift__activity__branch", "shift__room__branch")
        .order_by("shift__start", "pk")
    )


def personal_feed_items(*, user: User, now: datetime | None = None) -> list[CalendarItem]:
    now = now or timezone.now()
    items = [registration_item(r) for r in personal_registrations(user=user, now=now)]
    items += [booking_item(b) for b in personal_bookings(user=user, now=now)]
    items += [equipment_booking_item(s) for s in personal_equipment_bookings(user=user, now=now)]
    items += [signup_item(s) for s in personal_signups(user=user, now=now)]
    return items


# --- Reminder settings ------------------------------------------------------------


def reminder_defaults() -> dict[str, ReminderDefault]:
    return {row.kind: row for row in ReminderDefault.objects.all()}


def lead_minutes_for(
    *,
    kind: str,
    preference: ReminderPreference | None,
    defaults: dict[str, ReminderDefault],
) -> list[int]:
    """The lead times (minutes) one person gets for one kind; empty means no reminders."""
    default = defaults.get(kind)
    if default is not None and not default.enabled:
        return []
    if preference is not None:
        if not preference.enabled:
            return []
        if preference.lead_minutes:
            return _clean_leads(preference.lead_minutes)
    if default is not None:
        return _clean_leads(default.lead_minutes)
    return list(DEFAULT_LEAD_MINUTES)


def _clean_leads(values: Iterable[int | str] | None) -> list[int]:
    leads: set[int] = set()
    for value in values or []:
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < minutes <= MAX_LEAD_MINUTES:
            leads.add(minutes)
    return sorted(leads, reverse=True)


# --- What is due ------------------------------------------------------------------


# What a reminder can be about.
Remindable = Registration | Booking | EquipmentBooking | ShiftSignup


@dataclass(frozen=True)
class Reminder:
    kind: str  # a ReminderKind
    obj: Remindable
    user: User
    start: datetime
    lead_minutes: int

    @property
    def version(self) -> str:
        return reminder_version(self.lead_minutes, self.start)


def reminder_moment(start: datetime, lead_minutes: int) -> datetime:
    """When a reminder is due. Whole days count in wall-clock time, so "24 hours before" a
    10:00 event on a daylight-saving Sunday is 10:00 the day before; hours count as elapsed."""
    if lead_minutes % (24 * 60) == 0:
        tz = local_tz()
        wall = start.astimezone(tz).replace(tzinfo=None) - timedelta(minutes=lead_minutes)
        return wall.replace(tzinfo=tz)
    return start - timedelta(minutes=lead_minutes)


def reminder_version(lead_minutes: int, start: datetime) -> str:
    """The reminder's key part: a moved start is a new reminder."""
    return f"{lead_minutes}@{start.astimezone(UTC).isoformat()}"


def _candidates(now: datetime) -> Iterator[tuple[str, Remindable, User, datetime, datetime]]:
    """(kind, object, person, start, created) of everything live that starts within a week.

    Each query asks for a person, so the ``is not None`` checks only tell the type checker.
    """
    horizon = now + timedelta(minutes=MAX_LEAD_MINUTES)
    regs = Registration.objects.filter(
        status="confirmed",
        user__isnull=False,
        user__is_active=True,
        event__state="published",
        event__cancelled_at__isnull=True,
        event__start__gt=now,
        event__start__lte=horizon,
    ).select_related("event", "user")
    for reg in regs:
        if reg.user is not None:
            yield ReminderKind.REGISTRATION, reg, reg.user, reg.event.start, reg.created_at
    bookings = (
        Booking.objects.filter(
            status="confirmed",
            booker__isnull=False,
            booker__is_active=True,
            start__gt=now,
            start__lte=horizon,
        )
        .filter(_not_library_hold())
        .select_related("booker")
    )
    for booking in bookings:
        if booking.booker is not None:
            yield ReminderKind.BOOKING, booking, booking.booker, booking.start, booking.created_at
    slots = EquipmentBooking.objects.filter(
        status="confirmed",
        booker__isnull=False,
        booker__is_active=True,
        start__gt=now,
        start__lte=horizon,
    ).select_related("booker")
    for slot in slots:
        if slot.booker is not None:
            yield ReminderKind.EQUIPMENT_BOOKING, slot, slot.booker, slot.start, slot.created_at
    signups = ShiftSignup.objects.filter(
        status="signed_up",
        volunteer__isnull=False,
        volunteer__is_active=True,
        shift__cancelled_at__isnull=True,
        shift__start__gt=now,
        shift__start__lte=horizon,
    ).select_related("shift", "volunteer")
    for signup in signups:
        if signup.volunteer is not None:
            yield (
                ReminderKind.SHIFT,
                signup,
                signup.volunteer,
                signup.shift.start,
                signup.created_at,
            )


def due_reminders(*, now: datetime | None = None) -> list[Reminder]:
    """The reminder each live registration, booking, slot and shift is due now, if any.

    A lead time L is due once ``start - L`` has passed (and the object existed by then: who
    registers three hours ahead gets the 2-hour reminder, not the 24-hour one). Of the due
    lead times only the shortest counts: the longer ones were sent before, or are stale.
    """
    now = now or timezone.now()
    candidates = list(_candidates(now))
    user_ids = {c[2].pk for c in candidates}
    preferences = {p.user_id: p for p in ReminderPreference.objects.filter(user_id__in=user_ids)}
    defaults = reminder_defaults()
    due = []
    for kind, obj, user, start, created in candidates:
        leads = lead_minutes_for(kind=kind, preference=preferences.get(user.pk), defaults=defaults)
        moments = {lead: reminder_moment(start, lead) for lead in leads}
        open_leads = [lead for lead, at in moments.items() if at <= now and created <= at]
        if open_leads:
            due.append(Reminder(kind, obj, user, start, min(open_leads)))
    return due


def deliveries_due(*, now: datetime, limit: int) -> list[int]:
    """Ids of deliveries to send now: waiting ones, and claims whose lease ran out."""
    return list(
        Delivery.objects.filter(claimable_q(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def claimable_q(now: datetime) -> Q:
    return Q(status="pending", next_attempt_at__lte=now) | Q(
        status="sending", claimed_until__lt=now
    )
