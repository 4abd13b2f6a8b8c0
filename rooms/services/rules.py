"""The rules that decide whether a room booking may be made at all.

Who may book the room and for whom, the booking's shape (duration, time steps, how far
ahead), the hours the room can be used (closures, staffed and self-service hours, the age of
a self-service booker), the dates of a series, and the per-person limits. Whether the room is
free at that time is a separate question, answered in ``conflicts.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import ErrorCode, PermissionDenied, RuleViolation
from core.models import Partner, User
from core.selectors import closure_reason
from core.timeutils import clock_span, local_today, make_local
from rooms import selectors
from rooms.models import LIVE_BOOKING_STATUSES, BookableBy, Booking, BookingKind, Room
from rooms.services._common import _local, _utc


@dataclass
class SkippedDate:
    start: datetime
    end: datetime
    reason: str
    conflict: bool

    def as_dict(self) -> dict[str, str]:
        return {
            "date": _local(self.start).date().isoformat(),
            "start": _local(self.start).isoformat(),
            "end": _local(self.end).isoformat(),
            "reason": self.reason,
        }


def _check_request(
    room: Room,
    actor: User,
    *,
    is_staff: bool,
    partner: Partner | None,
    purpose: str,
    attendees: int,
) -> str:
    """May ``actor`` book ``room`` (for ``partner``), for this purpose and this many people?

    Returns the purpose, trimmed.
    """
    if not room.is_active:
        raise RuleViolation(_("This room cannot be booked at the moment."), field="room")
    if room.bookable_by == BookableBy.STAFF and not is_staff:
        raise PermissionDenied(_("Only library staff can book this room."))
    if partner is not None and not is_staff and not partner.members.filter(pk=actor.pk).exists():
        raise RuleViolation(
            _(
                "You can only book on behalf of an association you are registered with. Ask the library to add you."
            ),
            field="partner",
        )
    if room.bookable_by == BookableBy.ASSOCIATIONS and partner is None and not is_staff:
        raise RuleViolation(
            _("This room is lent to associations only. Choose the association you book for."),
            field="partner",
        )
    purpose = (purpose or "").strip()
    if not purpose:
        raise RuleViolation(_("Please tell us what the room is for."), field="purpose")
    if attendees is None or attendees < 1:
        raise RuleViolation(_("Please give the expected number of people."), field="attendees")
    if attendees > room.capacity:
        raise RuleViolation(
            _("%(room)s holds at most %(capacity)s people."),
            field="attendees",
            room=room.name,
            capacity=room.capacity,
        )
    return purpose


def _hours_problem(room: Room, start: datetime, end: datetime, booker: User) -> str | None:
    """Why [start, end) is outside the times ``room`` may be used, or None."""
    local_start, local_end = _local(start), _local(end)
    day = local_start.date()
    reason = closure_reason(branch=room.branch, day=day)
    if reason is not None:
        return str(
            _("The library is closed on %(date)s (%(reason)s).")
            % {"date": f"{day:%d.%m.%Y}", "reason": reason}
        )
    allowed = selectors.open_intervals(
        branch=room.branch, day=day, self_service_allowed=room.self_service_allowed
    )
    if any(s <= start and end <= e for s, e in allowed):
        if room.self_service_allowed and booker.birth_date is not None:
            staffed = selectors.open_intervals(
                branch=room.branch, day=day, self_service_allowed=False
            )
            in_staffed = any(s <= start and end <= e for s, e in staffed)
            if not in_staffed and selectors.age_on(birth_date=booker.birth_date, day=day) < 18:
                return str(
                    _(
                        "Bookings in self-service hours need an adult (18+) booker. Please choose staffed hours."
                    )
                )
        return None
    hours = ", ".join(clock_span(_local(s), _local(e)) for s, e in allowed) or str(_("not at all"))
    if not room.self_service_allowed:
        wider = selectors.open_intervals(branch=room.branch, day=day, self_service_allowed=True)
        if any(s <= start and end <= e for s, e in wider):
            return str(
                _("This room may only be used in staffed hours; on %(date)s that is %(hours)s.")
                % {"date": f"{day:%d.%m.%Y}", "hours": hours}
            )
    if local_end.date() != day and not (local_end.time() == time.min):
        return str(_("A booking must start and end on the same day."))
    return str(
        _("That is outside the hours the room can be used; on %(date)s they are %(hours)s.")
        % {"date": f"{day:%d.%m.%Y}", "hours": hours}
    )


def _check_shape(
    room: Room, start: datetime, end: datetime, *, is_staff: bool, booker: User | None = None
) -> None:
    """Duration, time steps, not in the past, not too far ahead."""
    if end <= start:
        raise RuleViolation(_("The end must be after the start."), field="end")
    minutes = (end - start) / timedelta(minutes=1)
    if minutes < room.min_duration_minutes:
        raise RuleViolation(
            _("A booking of this room lasts at least %(minutes)s minutes."),
            field="end",
            minutes=room.min_duration_minutes,
        )
    if minutes > room.max_duration_minutes and not is_staff:
        raise RuleViolation(
            _("A booking of this room lasts at most %(minutes)s minutes."),
            field="end",
            minutes=room.max_duration_minutes,
        )
    for name, moment in (("start", start), ("end", end)):
        local = _local(moment)
        if (
            (local.hour * 60 + local.minute) % room.slot_minutes
            or local.second
            or local.microsecond
        ):
            raise RuleViolation(
                _(
                    "Bookings of this room start and end on whole %(minutes)s-minute steps counted from the hour."
                ),
                field=name,
                minutes=room.slot_minutes,
            )
    if start <= timezone.now():
        raise RuleViolation(
            _("The start has already passed. Please choose a later time."), field="start"
        )
    days = selectors.days_ahead_for(room=room, booker=booker)
    if not is_staff and _local(start).date() > local_today() + timedelta(days=days):
        raise RuleViolation(
            _("This room can be booked at most %(days)s days ahead."), field="start", days=days
        )


def _occurrences(
    start: datetime, end: datetime, every_weeks: int | None, until: date | None
) -> list[tuple[datetime, datetime] | SkippedDate]:
    """The occurrences of a one-off or weekly/fortnightly series, in local wall time."""
    if not every_weeks:
        return [(start, end)]
    local_start, local_end = _local(start), _local(end)
    span_days = (local_end.date() - local_start.date()).days
    result: list[tuple[datetime, datetime] | SkippedDate] = []
    day = local_start.date()
    while until is not None and day <= until:
        try:
            s = make_local(day, local_start.time().replace(tzinfo=None), field="start")
            e = make_local(
                day + timedelta(days=span_days), local_end.time().replace(tzinfo=None), field="end"
            )
            result.append((_utc(s), _utc(e)))
        except RuleViolation as error:
            naive = datetime.combine(day, local_start.time().replace(tzinfo=None))
            approx = naive.replace(tzinfo=UTC)
            result.append(
                SkippedDate(
                    start=approx, end=approx + (end - start), reason=error.message, conflict=False
                )
            )
        day += timedelta(weeks=every_weeks)
    return result


def _check_limits(room: Room, booker: User, new: list[tuple[datetime, datetime]]) -> None:
    """Per-person limits per day, per ISO week and simultaneous future bookings (a series is one)."""
    if not (room.max_per_day or room.max_per_week or room.max_future):
        return
    now = timezone.now()
    earliest = min(s for s, _e in new) - timedelta(days=7)
    existing = list(
        Booking.objects.filter(
            room=room,
            booker=booker,
            kind=BookingKind.BOOKING,
            status__in=LIVE_BOOKING_STATUSES,
            end__gt=min(now, earliest),
        ).values_list("pk", "series_id", "start")
    )
    if room.max_per_day:
        per_day: dict[date, int] = {}
        for *_ids, s in existing:
            per_day[_local(s).date()] = per_day.get(_local(s).date(), 0) + 1
        for s, _e in new:
            d = _local(s).date()
            per_day[d] = per_day.get(d, 0) + 1
            if per_day[d] > room.max_per_day:
                raise RuleViolation(
                    _(
                        "You can book this room at most %(n)s time(s) a day (%(date)s is full for you)."
                    ),
                    code=ErrorCode.LIMIT_PER_DAY,
                    n=room.max_per_day,
                    date=f"{d:%d.%m.%Y}",
                )
    if room.max_per_week:
        per_week: dict[tuple[int, int], int] = {}
        for *_ids, s in existing:
            key = _local(s).isocalendar()[:2]
            per_week[key] = per_week.get(key, 0) + 1
        for s, _e in new:
            key = _local(s).isocalendar()[:2]
            per_week[key] = per_week.get(key, 0) + 1
            if per_week[key] > room.max_per_week:
                raise RuleViolation(
                    _(
                        "You can book this room at most %(n)s time(s) a week (week %(week)s is full for you)."
                    ),
                    code=ErrorCode.LIMIT_PER_WEEK,
                    n=room.max_per_week,
                    week=key[1],
                )
    if room.max_future:
        holdings = {series or f"b{pk}" for pk, series, s in existing if s > now}
        if len(holdings) + 1 > room.max_future:
            raise RuleViolation(
                _(
                    "You already have %(n)s upcoming booking(s) of this room, the most allowed. Cancel one or wait until it has passed."
                ),
                code=ErrorCode.LIMIT_FUTURE,
                n=len(holdings),
            )


def _plan_dates(
    room: Room,
    start: datetime,
    end: datetime,
    *,
    every_weeks: int | None,
    until: date | None,
    is_staff: bool,
    booker: User | None = None,
) -> list[tuple[datetime, datetime] | SkippedDate]:
    """The dates asked for: one, or a weekly/fortnightly series within the room's limits.

    A date whose wall time does not exist or is ambiguous (a daylight-saving change) comes
    back as a ``SkippedDate``.
    """
    if every_weeks:
        if every_weeks not in (1, 2):
            raise RuleViolation(
                _("A series repeats every week or every second week."), field="repeat"
            )
        if until is None or until <= _local(start).date():
            raise RuleViolation(
                _("Please give the last date of the series, after the first."), field="repeat"
            )
        days = selectors.days_ahead_for(room=room, booker=booker)
        if not is_staff and until > local_today() + timedelta(days=days):
            raise RuleViolation(
                _("This room can be booked at most %(days)s days ahead; end the series earlier."),
                field="repeat",
                days=days,
            )
    occurrences = _occurrences(start, end, every_weeks, until)
    if len(occurrences) > room.max_series_occurrences:
        raise RuleViolation(
            _("A series of this room has at most %(n)s dates."),
            field="repeat",
            n=room.max_series_occurrences,
        )
    return occurrences
