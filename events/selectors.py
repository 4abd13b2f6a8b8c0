"""Reads of the events app. Used by the API, the pages, feeds (notifications), volunteers and plans."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.exceptions import NotFound
from core.models import Audience, Branch, Partner, Track, User
from core.mypage import Tally
from core.selectors import branches_managed_by, can_manage_branch
from core.timeutils import day_bounds, local_today
from events.models import (
    LIVE_REGISTRATION_STATUSES,
    AssociationEventProposal,
    AssociationEventStatus,
    Event,
    EventSeries,
    EventState,
    OpeningReminder,
    Registration,
    RegistrationAnswer,
    RegistrationStatus,
)
from rooms.models import BookingStatus
from rooms.selectors import live_bookings_between

# Shown states: the stored ones plus these two where they follow.
SHOWN_SOLD_OUT = "sold_out"
SHOWN_HELD = "held"
# The partner page: past events shown, events offered to link.
PARTNER_PAST_LIMIT = 50
PARTNER_CHOICES_LIMIT = 200


def _seat_sum(status: str) -> Subquery:
    return Subquery(
        Registration.objects.filter(event=OuterRef("pk"), status=status)
        .order_by()
        .values("event")
        .annotate(n=Sum("seats"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def with_seats(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate ``confirmed_seats`` and ``waitlisted_count`` (one subquery each, no extra query)."""
    return queryset.annotate(
        confirmed_seats=Coalesce(_seat_sum(RegistrationStatus.CONFIRMED), Value(0)),
        waitlisted_count=Coalesce(
            Subquery(
                Registration.objects.filter(
                    event=OuterRef("pk"), status=RegistrationStatus.WAITLISTED
                )
                .order_by()
                .values("event")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )


def seats_available(event: Event) -> int | None:
    """Free seats, or None when there is no limit or no registration (drop-in)."""
    if event.capacity is None or not event.registration_required:
        return None
    confirmed = getattr(event, "confirmed_seats", None)
    if confirmed is None:
        confirmed = (
            event.registrations.filter(status=RegistrationStatus.CONFIRMED).aggregate(
                n=Sum("seats")
            )["n"]
            or 0
        )
    return free_seats(
        capacity=event.capacity, registration_required=True, confirmed_seats=confirmed
    )


def free_seats(
    *, capacity: int | None, registration_required: bool, confirmed_seats: int
) -> int | None:
    """``seats_available`` from the columns: None without a limit or for a drop-in."""
    if capacity is None or not registration_required:
        return None
    return max(capacity - confirmed_seats, 0)


def shown_state(event: Event, *, now: datetime | None = None) -> str:
    """draft / published / cancelled, or "held" once over, "sold_out" when full (published only)."""
    now = now or timezone.now()
    if event.state != EventState.PUBLISHED:
        return event.state
    if event.end <= now:
        return SHOWN_HELD
    free = seats_available(event)
    waitlisted: int = getattr(event, "waitlisted_count", 0)  # annotated by with_seats
    if free == 0 or (free is not None and waitlisted):
        return SHOWN_SOLD_OUT
    return EventState.PUBLISHED


def shown_state_of(
    *, state: str, end: datetime, free: int | None, waitlisted: int, now: datetime
) -> str:
    """``shown_state`` from the columns and the free seats (``free_seats``), for the lean
    list (``event_list_page``); the same rules, kept side by side."""
    if state != EventState.PUBLISHED:
        return state
    if end <= now:
        return SHOWN_HELD
    if free == 0 or (free is not None and waitlisted):
        return SHOWN_SOLD_OUT
    return EventState.PUBLISHED


def visible_q(*, actor: User | None) -> Q:
    """Published and cancelled events for everyone; drafts too for the branches staff manage."""
    q = Q(state__in=[EventState.PUBLISHED, EventState.CANCELLED])
    if actor is not None and actor.is_authenticated and actor.is_library_staff:
        if actor.is_administrator:
            return Q()
        q |= Q(branch__in=branches_managed_by(user=actor)) | Q(host=actor)
    return q


def event_list(
    *,
    actor: User | None = None,
    branch: str | None = None,
    track: str | None = None,
    audience: str | None = None,
    series: int | None = None,
    room: int | None = None,
    start_after: datetime | None = None,
    start_before: datetime | None = None,
    q: str | None = None,
    states: list[str] | None = None,
) -> QuerySet[Event]:
    """Events people may see, filtered, in start order, with seats, branch, tracks and audiences.

    The filters are ``events_filtered``'s. Four queries for a page of any size: the
    events (with seat counts), tracks, audiences (+ the page count).
    """
    qs = events_filtered(
        actor=actor,
        branch=branch,
        track=track,
        audience=audience,
        series=series,
        room=room,
        start_after=start_after,
        start_before=start_before,
        q=q,
        states=states,
    )
    return with_seats(
        qs.select_related("branch", "room", "stop").prefetch_related(
            Prefetch("tracks", queryset=Track.objects.order_by("position")),
            Prefetch("audiences", queryset=Audience.objects.order_by("position")),
        )
    ).order_by("start", "pk")


def events_filtered(
    *,
    actor: User | None = None,
    branch: str | None = None,
    track: str | None = None,
    audience: str | None = None,
    series: int | None = None,
    room: int | str | None = None,
    start_after: datetime | None = None,
    start_before: datetime | None = None,
    q: str | None = None,
    states: list[str] | None = None,
) -> QuerySet[Event]:
    """The events ``actor`` may see, through the filters of the calendar, the events API and
    the public feeds; no joins and no order (the caller adds what it shows).

    Branch/track/audience are slugs, ``room`` a room id. ``start_after`` (inclusive) and
    ``start_before`` (exclusive) filter on the start.
    """
    qs = Event.objects.filter(visible_q(actor=actor))
    # Slugs become ids in a scalar subquery (each slug is unique): the planner then knows how
    # common that track is and walks the events in start order, probing each one's tracks
    # through the (event, track) index, instead of joining every event of the track and
    # sorting them. Tracks and audiences as EXISTS: no join to multiply the rows, so no
    # DISTINCT over every column (which made a page of a 10,000-event list sort them all).
    if branch:
        qs = qs.filter(
            branch_id=Subquery(Branch.objects.filter(slug=branch).order_by().values("pk")[:1])
        )
    if track:
        track_id = Subquery(Track.objects.filter(slug=track).order_by().values("pk")[:1])
        qs = qs.filter(
            Exists(Event.tracks.through.objects.filter(event=OuterRef("pk"), track_id=track_id))
        )
    if audience:
        audience_id = Subquery(Audience.objects.filter(slug=audience).order_by().values("pk")[:1])
        qs = qs.filter(
            Exists(
                Event.audiences.through.objects.filter(
                    event=OuterRef("pk"), audience_id=audience_id
                )
            )
        )
    if series:
        qs = qs.filter(series_id=series)
    if room:
        qs = qs.filter(room_id=room)
    if start_after:
        qs = qs.filter(start__gte=start_after)
    if start_before:
        qs = qs.filter(start__lt=start_before)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if states:
        qs = qs.filter(state__in=states)
    return qs


def event_get(*, actor: User | None, pk: int) -> Event:
    """One event someone may see (drafts only for its staff); NotFound otherwise."""
    event = (
        with_seats(Event.objects.filter(visible_q(actor=actor), pk=pk))
        .select_related(
            "branch",
            "room",
            "stop",
            "series",
            "host",
            "room_booking",
            "association_proposal__partner",
        )
        .prefetch_related("tracks", "audiences", "partners", "series__questions")
        .first()
    )
    if event is None:
        raise NotFound(_("Event not found."))
    return event


def event_get_for_staff(*, actor: User | None, pk: int) -> Event:
    """An event whose branch ``actor`` manages; NotFound for anyone else."""
    event = event_get(actor=actor, pk=pk)
    if not can_manage_branch(user=actor, branch=event.branch_id):
        raise NotFound(_("Event not found."))
    return event


def can_host_event(*, user: User | None, event: Event) -> bool:
    """The host of an event, or staff of its branch, may see and check in its registrations."""
    if user is None or not user.is_authenticated:
        return False
    if event.host_id is not None and event.host_id == user.pk:
        return True
    if can_manage_branch(user=user, branch=event.branch_id):
        return True
    return AssociationEventProposal.objects.filter(  # a member of the hosting association
        event=event, status=AssociationEventStatus.APPROVED, partner__members=user
    ).exists()


def event_get_for_host(*, actor: User | None, pk: int) -> Event:
    """The gate for check-in pages: the event's host or staff of its branch; else NotFound."""
    event = (
        with_seats(Event.objects.filter(pk=pk))
        .select_related("branch", "room", "stop", "series", "host")
        .first()
    )
    if event is None or not can_host_event(user=actor, event=event):
        raise NotFound(_("Event not found."))
    return event


def series_get_for_staff(*, actor: User | None, pk: int) -> EventSeries:
    series = EventSeries.objects.select_related("branch").filter(pk=pk).first()
    if series is None or not can_manage_branch(user=actor, branch=series.branch_id):
        raise NotFound(_("Event not found."))
    return series


def event_registrations(*, event: Event) -> QuerySet[Registration]:
    """All registrations of an event for its staff/host: confirmed first, then waiting list;
    with the answers to its sign-up questions (two queries at any length)."""
    return (
        Registration.objects.filter(event=event)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=RegistrationAnswer.objects.select_related("question").order_by(
                    "question__position", "question_id"
                ),
            )
        )
        .order_by("status", "waitlist_position", "created_at", "pk")
    )


def registration_list_for(*, user: User) -> QuerySet[Registration]:
    """A person's own registrations, newest events first, with the event and its branch."""
    return (
        Registration.objects.filter(user=user)
        .select_related("event", "event__branch", "event__room")
        .order_by("-event__start", "-pk")
    )


def registration_get_for(*, actor: User | None, pk: int) -> Registration:
    """One's own registration; staff of the branch and the event's host may see it too.

    Anyone else gets NotFound (404), never a hint that it exists.
    """
    reg = (
        Registration.objects.select_related("event", "event__branch", "user").filter(pk=pk).first()
    )
    if reg is None or actor is None or not actor.is_authenticated:
        raise NotFound(_("Registration not found."))
    if reg.user_id == actor.pk or can_host_event(user=actor, event=reg.event):
        return reg
    raise NotFound(_("Registration not found."))


def live_registration_for(*, user: User | None, event: Event) -> Registration | None:
    """The person's confirmed or waiting registration for an event, if any."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(event=event, user=user, status__in=LIVE_REGISTRATION_STATUSES)
        .order_by("-pk")
        .first()
    )


def waitlist_rank(registration: Registration) -> int | None:
    """The place in the queue (1 = next) for a waiting registration."""
    return registration.waitlist_position


def events_held(
    *,
    start: datetime,
    end: datetime,
    branch_ids: list[int] | None = None,
) -> QuerySet[Event]:
    """Events that took place (published, ended) in [start, end), with ``attendance``.

    ``attendance`` is the checked-in seats for registration events and the
    entered count for drop-in events (used by the plan's dashboard).
    """
    checked_in = Subquery(
        Registration.objects.filter(
            event=OuterRef("pk"),
            status=RegistrationStatus.CONFIRMED,
            checked_in_at__isnull=False,
        )
        .order_by()
        .values("event")
        .annotate(n=Sum("seats"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    qs = Event.objects.filter(
        state=EventState.PUBLISHED, start__gte=start, start__lt=end, end__lte=timezone.now()
    )
    if branch_ids is not None:
        qs = qs.filter(branch_id__in=branch_ids)
    return (
        qs.annotate(checked_in_seats=Coalesce(checked_in, Value(0)))
        .select_related("branch")
        .prefetch_related("tracks")
        .order_by("start")
    )


def event_attendance(event: Event) -> int:
    """How many came: the drop-in count, else the checked-in seats."""
    if event.attendance_count is not None:
        return event.attendance_count
    seats: int | None = getattr(event, "checked_in_seats", None)  # annotated by events_held
    if seats is not None:
        return seats
    checked_in: int | None = event.registrations.filter(
        status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False
    ).aggregate(n=Sum("seats"))["n"]
    return checked_in or 0


def room_clashes(*, room: Any, start: datetime, end: datetime) -> list[Any]:
    """Confirmed bookings that would refuse an event in ``room`` at [start, end).

    Mirrors rooms.services.room_occupy without locking (for previews): the room's buffer
    counts after each booking; pending requests are not in the way (the event rejects them).
    """
    buffer = timedelta(minutes=room.buffer_minutes)
    blocked_end = end + buffer
    return [
        booking
        for booking in live_bookings_between(room=room, start=start - buffer, end=blocked_end)
        if booking.status == BookingStatus.CONFIRMED
        and booking.blocked_start < blocked_end
        and start < booking.blocked_end
    ]


def events_hosted_by(*, user: User) -> QuerySet[Event]:
    """Every event ``user`` hosts or hosted (for the person's own data export)."""
    return Event.objects.filter(host=user).select_related("branch").order_by("start", "pk")


def staff_count_this_week(user: User) -> Tally:
    """The staff start page's count (``core.mypage``): this week's events (Monday to Sunday,
    local time; cancelled ones left out) at the branches ``user`` manages, with their
    confirmed seats. One query."""
    if not user.is_library_staff:
        return Tally(count=0)
    today = local_today()
    monday = today - timedelta(days=today.weekday())
    events = Event.objects.filter(
        start__gte=day_bounds(monday)[0], start__lt=day_bounds(monday + timedelta(days=7))[0]
    ).exclude(state=EventState.CANCELLED)
    if not user.is_administrator:
        events = events.filter(branch__in=branches_managed_by(user=user))
    found = events.aggregate(
        events=Count("pk", distinct=True),
        seats=Sum(
            "registrations__seats", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
        ),
    )
    seats = int(found["seats"] or 0)
    detail = ngettext("%(n)s registration", "%(n)s registrations", seats) % {"n": seats}
    return Tally(count=int(found["events"] or 0), detail=detail)


def events_of_partner(
    *, partner: Partner, now: datetime | None = None
) -> tuple[list[Event], list[Event]]:
    """The events ``partner`` is linked to: the coming ones (not ended yet, soonest first)
    and the past ones (latest first, at most ``PARTNER_PAST_LIMIT + 1`` so the page can say
    there are more). Two queries."""
    now = now or timezone.now()
    events = Event.objects.filter(partners=partner).select_related("branch")
    coming = list(events.filter(end__gte=now).order_by("start", "pk"))
    past = list(events.filter(end__lt=now).order_by("-start", "-pk")[: PARTNER_PAST_LIMIT + 1])
    return coming, past


def events_to_link(*, user: User, partner: Partner, now: datetime | None = None) -> list[Event]:
    """The coming events ``user`` may link ``partner`` to: not cancelled, at a branch
    ``user`` manages, not linked yet; the first ``PARTNER_CHOICES_LIMIT``. One query
    (two for staff who are not administrators)."""
    if not user.is_library_staff:
        return []
    events = (
        Event.objects.filter(start__gte=now or timezone.now())
        .exclude(state=EventState.CANCELLED)
        .exclude(partners=partner)
        .select_related("branch")
    )
    if not user.is_administrator:
        events = events.filter(branch__in=list(branches_managed_by(user=user)))
    return list(events.order_by("start", "pk")[:PARTNER_CHOICES_LIMIT])


def closure_impact_events(
    branch: Branch, start: datetime, end: datetime
) -> list[dict[str, object]]:
    """The events of ``branch`` not cancelled in [start, end), with their registrations and
    waiting list (for ``core.closure_impact``). One query."""
    events = (
        Event.objects.filter(branch=branch, start__lt=end, end__gt=start)
        .exclude(state=EventState.CANCELLED)
        .annotate(
            confirmed=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
            ),
            waitlisted=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
            ),
        )
        .order_by("start", "pk")
    )
    return [
        {
            "id": e.pk,
            "kind": "event",
            "title": e.title,
            "start": e.start,
            "end": e.end,
            "registrations": e.confirmed,
            "waitlisted": e.waitlisted,
            "people": e.confirmed + e.waitlisted,
        }
        for e in events
    ]


def opening_reminders_due(*, now: datetime | None = None) -> QuerySet[OpeningReminder]:
    """The "tell me when it opens" requests whose event's registration has opened, for
    published events not yet started (the notifications dispatcher sends each one once)."""
    now = now or timezone.now()
    return (
        OpeningReminder.objects.filter(
            event__registration_opens_at__lte=now,
            event__state=EventState.PUBLISHED,
            event__start__gt=now,
        )
        .select_related("event", "user")
        .order_by("pk")
    )


def opening_reminder_for(*, user: User | None, event: Event) -> OpeningReminder | None:
    """The person's request to be told when ``event`` opens, if they made one."""
    if user is None or not user.is_authenticated:
        return None
    return OpeningReminder.objects.filter(event=event, user=user).first()


def live_room_hold(event: Event) -> Any:
    """The draft's tentative hold on its room while it lasts (None otherwise); the event was
    loaded with its ``room_booking`` (``event_get``)."""
    booking = event.room_booking if event.room_booking_id is not None else None
    if booking is None or booking.kind != "hold" or booking.status != BookingStatus.CONFIRMED:
        return None
    expires = booking.hold_expires_at
    return booking if expires is not None and expires > timezone.now() else None


def opening_reminders_of(*, user: User) -> QuerySet[OpeningReminder]:
    """The person's "tell me when it opens" requests (for the privacy export)."""
    return OpeningReminder.objects.filter(user=user).select_related("event").order_by("pk")


def next_licence_courses(kinds: set[str]) -> dict[str, Any]:
    """The next published licence course per machine kind that has not started (one query),
    for the makerspace page (``rooms.selectors.register_licence_course_finder``)."""
    from django.urls import reverse

    from rooms.selectors import LicenceCourse

    found: dict[str, Any] = {}
    courses = (
        Event.objects.filter(
            licence_equipment_kind__in=kinds, state=EventState.PUBLISHED, start__gt=timezone.now()
        )
        .order_by("start", "pk")
        .only("pk", "title", "start", "licence_equipment_kind")
    )
    for course in courses:
        found.setdefault(
            course.licence_equipment_kind,
            LicenceCourse(
                title=course.title,
                start=course.start,
                url=reverse("events:event-detail", args=[course.pk]),
            ),
        )
    return found
