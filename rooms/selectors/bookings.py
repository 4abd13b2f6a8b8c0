"""People's bookings, the approval queue, cancel deadlines and reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core.exceptions import NotFound
from core.models import Branch, User
from core.selectors import (
    branches_managed_by,
)
from core.timeutils import day_bounds
from rooms.models import (
    LIVE_BOOKING_STATUSES,
    Booking,
    BookingKind,
    BookingStatus,
    EquipmentBooking,
    EquipmentBookingStatus,
)
from rooms.selectors.availability import can_approve, to_local, utc

# --- Bookings ------------------------------------------------------------------------


def _booking_queryset() -> QuerySet[Booking]:
    return Booking.objects.select_related("room__branch", "partner", "booker")


def booking_list_for(*, actor: User) -> QuerySet[Booking]:
    """One's own bookings; staff also see every booking of the branches they manage."""
    own = Q(booker=actor)
    if actor.is_library_staff:
        if actor.is_administrator:
            return _booking_queryset().order_by("start", "pk")
        own |= Q(room__branch__in=branches_managed_by(user=actor))
    return _booking_queryset().filter(own).order_by("start", "pk")


def booking_get_for(*, actor: User | None, pk: int | str) -> Booking:
    """The booking ``pk`` if ``actor`` booked it or manages its branch; otherwise 404."""
    if actor is None or not actor.is_authenticated:
        raise NotFound()
    try:
        booking = _booking_queryset().get(pk=pk)
    except (Booking.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound() from error
    if booking.booker_id == actor.pk or can_approve(user=actor, booking=booking):
        return booking
    raise NotFound()


def my_bookings(*, user: User, now: datetime | None = None) -> QuerySet[Booking]:
    """A person's bookings that have not ended yet (live, rejected or cancelled)."""
    now = now or timezone.now()
    return (
        _booking_queryset()
        .filter(booker=user, kind=BookingKind.BOOKING, end__gt=now)
        .order_by("start", "pk")
    )


def approval_queue(*, branch: Branch) -> QuerySet[Booking]:
    return (
        _booking_queryset()
        .filter(room__branch=branch, status=BookingStatus.PENDING, end__gt=timezone.now())
        .order_by("start", "pk")
    )


def _pending_q(*, actor: User, now: datetime) -> Q:
    """Waiting requests that have not ended, at the branches ``actor`` manages."""
    q = Q(status=BookingStatus.PENDING, end__gt=now)
    if not actor.is_administrator:
        q &= Q(room__branch__in=branches_managed_by(user=actor))
    return q


def approval_queue_for(
    *, actor: User, branch_slug: str | None = None, now: datetime | None = None
) -> list[Booking]:
    """Every waiting request of the branches ``actor`` manages (administrators: all), oldest
    request first, with room, branch, booker and partner; none for anyone else. A series is
    one row, its first waiting date, with ``series_pending`` (its waiting dates) and
    ``series_last`` (the start of the last one). One query."""
    if not actor.is_authenticated or not actor.is_library_staff:
        return []
    now = now or timezone.now()
    qs = _booking_queryset().filter(_pending_q(actor=actor, now=now))
    if branch_slug:
        qs = qs.filter(room__branch__slug=branch_slug)
    members = Booking.objects.filter(
        series_id=OuterRef("series_id"), status=BookingStatus.PENDING, end__gt=now
    ).order_by()
    qs = qs.annotate(
        series_pending=Subquery(
            members.values("series_id").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        series_last=Subquery(members.order_by("-start").values("start")[:1]),
    ).order_by("created_at", "start", "pk")
    rows: list[Booking] = []
    seen: set[object] = set()
    for booking in qs:
        if booking.series_id is not None:
            if booking.series_id in seen:
                continue
            seen.add(booking.series_id)
        rows.append(booking)
    return rows


def approval_queue_count(*, actor: User, now: datetime | None = None) -> int:
    """How many rows ``approval_queue_for`` lists (a series counts once). One query."""
    if not actor.is_authenticated or not actor.is_library_staff:
        return 0
    now = now or timezone.now()
    found = Booking.objects.filter(_pending_q(actor=actor, now=now)).aggregate(
        single=Count("pk", filter=Q(series_id__isnull=True)),
        series=Count("series_id", distinct=True),
    )
    return int(found["single"] or 0) + int(found["series"] or 0)


def staff_count_waiting(user: User) -> int:
    """The staff start page's count of waiting room requests (``core.mypage``)."""
    return approval_queue_count(actor=user)


def upcoming_bookings_for_branch(
    *, branch: Branch, now: datetime | None = None
) -> QuerySet[Booking]:
    now = now or timezone.now()
    return (
        _booking_queryset()
        .filter(
            room__branch=branch, status=BookingStatus.CONFIRMED, end__gt=now - timedelta(days=1)
        )
        .order_by("start", "pk")
    )


def cancel_deadline(*, booking: Booking) -> datetime:
    """Until when the booker may cancel: by default the end of the day before."""
    days = booking.room.cancel_days_before
    if days == 0:
        return booking.start
    day = to_local(booking.start).date() - timedelta(days=days - 1)
    return min(booking.start, day_bounds(day)[0])


def cancel_deadline_shown(*, booking: Booking) -> datetime:
    """The last local minute one may cancel, for showing: a deadline at midnight is shown
    as 23.59 the evening before, so that it is not read as the booking's own day."""
    deadline = to_local(cancel_deadline(booking=booking))
    if deadline != booking.start and deadline.hour == 0 and deadline.minute == 0:
        return to_local(utc(deadline) - timedelta(minutes=1))
    return deadline


def bookings_due_for_reminder(*, start: datetime, end: datetime) -> QuerySet[Booking]:
    """Confirmed bookings (of people) that start in [start, end): for reminders."""
    return _booking_queryset().filter(
        kind=BookingKind.BOOKING,
        status=BookingStatus.CONFIRMED,
        booker__isnull=False,
        start__gte=start,
        start__lt=end,
    )


# --- What a closure touches (core.closure_impact) ----------------------------------------


def closure_impact_bookings(
    branch: Branch, start: datetime, end: datetime
) -> list[dict[str, object]]:
    """The live room bookings (not the library's own events and shifts, listed by their
    apps) and machine bookings of ``branch`` in [start, end). Two queries."""
    bookings = (
        Booking.objects.select_related("room", "booker")
        .filter(
            room__branch=branch,
            kind=BookingKind.BOOKING,
            status__in=LIVE_BOOKING_STATUSES,
            start__lt=end,
            end__gt=start,
        )
        .order_by("start", "pk")
    )
    machines = (
        EquipmentBooking.objects.select_related("equipment", "booker")
        .filter(
            equipment__branch=branch,
            status=EquipmentBookingStatus.CONFIRMED,
            start__lt=end,
            end__gt=start,
        )
        .order_by("start", "pk")
    )
    items: list[dict[str, object]] = [
        {
            "id": b.pk,
            "kind": "room_booking",
            "title": f"{b.room.name}: {b.booker.name if b.booker else b.purpose}",
            "start": b.start,
            "end": b.end,
            "people": 1,
        }
        for b in bookings
    ]
    items += [
        {
            "id": m.pk,
            "kind": "equipment_booking",
            "title": f"{m.equipment.name}: {m.booker.name if m.booker else ''}",
            "start": m.start,
            "end": m.end,
            "people": 1,
        }
        for m in machines
    ]
    return items
