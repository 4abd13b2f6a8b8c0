"""Recurrence rules (RFC 5545 RRULE) expanded in the library's local wall time.

Used by event series (``events``) and volunteer shifts (``volunteers``)::

    from core.recurrence import expand

    occurrences = expand(
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=10",
        first_start=make_local(date(2026, 3, 3), time(10)),
        first_end=make_local(date(2026, 3, 3), time(12)),
        branch=branch,
    )
    for occ in occurrences:
        if occ.skipped:
            print(occ.day, "skipped:", occ.reason)
        else:
            print(occ.start, occ.end)

Why wall time: the rule is expanded from the *local* first start
(Europe/Copenhagen, ``settings.TIME_ZONE``) with naive datetimes and only then
made aware, so a series at 10:00 stays at 10:00 on both sides of the
daylight-saving changes (its UTC time moves by an hour). Libraries that turn
the rule into UTC first drift by an hour.

What is supported: ``FREQ`` DAILY, WEEKLY or MONTHLY; ``INTERVAL``; ``COUNT``
or ``UNTIL`` (one of them is required, so a series always ends); ``BYDAY``
(``MO,WE`` or, monthly, ``2TU``/``-1FR``); ``BYMONTHDAY``; ``BYSETPOS``;
``WKST``. An optional ``RRULE:`` prefix is accepted. Anything else is refused
with :class:`core.exceptions.RuleViolation` (HTTP 400), never a 500.

``UNTIL`` may be a date (``20261231``: the whole day counts), a local
date-time (``20261231T235959``) or UTC (``20261231T225959Z``).

Skipped occurrences: days on which the branch is closed (public holidays, the
calendar's closing days such as Easter Saturday, and ``Closure`` rows, all
from :func:`core.selectors.closure_reasons`) are returned with
``skipped=True`` and the reason, unless ``include_closed=True``. Wall times
that do not exist or happen twice on a DST Sunday (e.g. 02:30) are always
skipped with a reason. Skipped occurrences count towards ``COUNT`` like in
RFC 5545 (the rule produced them, the library just is not open), so
"COUNT=10" across Easter gives fewer than 10 kept dates; the preview shows which.

Hard limit: more than ``limit`` occurrences (kept or skipped) is refused with
a RuleViolation that asks for a shorter series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from dateutil import rrule as dateutil_rrule
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.exceptions import ErrorCode, RuleViolation
from core.holidays import closed_days
from core.selectors import closure_reasons
from core.timeutils import clock, is_real_local_time, local_tz

if TYPE_CHECKING:
    from core.models import Branch

ALLOWED_FREQ = {"DAILY", "WEEKLY", "MONTHLY"}
ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "WKST"}
_WEEKDAY = r"(?:[+-]?\d{1,2})?(?:MO|TU|WE|TH|FR|SA|SU)"
_PATTERNS = {
    "INTERVAL": re.compile(r"^\d{1,3}$"),
    "COUNT": re.compile(r"^\d{1,4}$"),
    "UNTIL": re.compile(r"^\d{8}(?:T\d{6}Z?)?$"),
    "BYDAY": re.compile(rf"^{_WEEKDAY}(?:,{_WEEKDAY})*$"),
    "BYMONTHDAY": re.compile(r"^-?\d{1,2}(?:,-?\d{1,2})*$"),
    "BYSETPOS": re.compile(r"^-?\d{1,3}(?:,-?\d{1,3})*$"),
    "WKST": re.compile(r"^(?:MO|TU|WE|TH|FR|SA|SU)$"),
}
DEFAULT_LIMIT = 366


@dataclass(frozen=True)
class Occurrence:
    """One date the rule produced.

    ``start``/``end`` are aware (local zone); ``day`` is the local date;
    ``skipped`` with a human ``reason`` when it will not take place.
    """

    start: datetime
    end: datetime
    day: date
    skipped: bool = False
    reason: str = ""


def _bad(message: str | Promise, **params: Any) -> RuleViolation:
    """A RuleViolation on the ``rrule`` field (``params`` fill the message's placeholders)."""
    return RuleViolation(message, field="rrule", code=ErrorCode.INVALID_RRULE, **params)


def parse_rule(text: str) -> dict[str, str]:
    """Split and check RRULE text into ``{PART: value}``; raises RuleViolation when invalid."""
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        raise _bad(_("Please give a recurrence rule, e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=10."))
    parts: dict[str, str] = {}
    for chunk in text.upper().split(";"):
        if not chunk:
            continue
        key, sep, value = chunk.partition("=")
        if not sep or not value:
            raise _bad(
                _("The recurrence rule part “%(part)s” is not of the form NAME=value."), part=chunk
            )
        if key not in ALLOWED_PARTS:
            raise _bad(
                _(
                    "The recurrence rule part %(part)s is not supported. Use FREQ, INTERVAL, COUNT, UNTIL and BYDAY."
                ),
                part=key,
            )
        if key in parts:
            raise _bad(_("The recurrence rule gives %(part)s twice."), part=key)
        pattern = _PATTERNS.get(key)
        if pattern is not None and not pattern.match(value):
            raise _bad(_("The value “%(value)s” of %(part)s is not valid."), part=key, value=value)
        parts[key] = value
    if parts.get("FREQ") not in ALLOWED_FREQ:
        raise _bad(_("The recurrence rule needs FREQ=DAILY, FREQ=WEEKLY or FREQ=MONTHLY."))
    if "COUNT" in parts and "UNTIL" in parts:
        raise _bad(_("Give either COUNT or UNTIL in the recurrence rule, not both."))
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise _bad(_("The series needs an end: add COUNT (number of times) or UNTIL (last date)."))
    if "COUNT" in parts and int(parts["COUNT"]) < 1:
        raise _bad(_("COUNT must be at least 1."))
    if "INTERVAL" in parts and int(parts["INTERVAL"]) < 1:
        raise _bad(_("INTERVAL must be at least 1."))
    return parts


def _until_local(value: str, tz: ZoneInfo) -> datetime:
    """UNTIL as a naive local wall time (a date means the whole of that day)."""
    try:
        if len(value) == 8:
            return datetime.combine(datetime.strptime(value, "%Y%m%d").date(), time.max)  # noqa: DTZ007
        if value.endswith("Z"):
            utc = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
            return utc.astimezone(tz).replace(tzinfo=None)
        return datetime.strptime(value, "%Y%m%dT%H%M%S")  # noqa: DTZ007
    except ValueError as error:
        raise _bad(_("UNTIL “%(value)s” is not a valid date."), value=value) from error


def _aware(naive: datetime, tz: ZoneInfo) -> datetime | None:
    return naive.replace(tzinfo=tz) if is_real_local_time(naive, tz) else None


def expand(
    *,
    rrule: str,
    first_start: datetime,
    first_end: datetime,
    branch: Branch | None,
    include_closed: bool = False,
    limit: int = DEFAULT_LIMIT,
    tz: ZoneInfo | None = None,
) -> list[Occurrence]:
    """Expand ``rrule`` from the first occurrence, in local wall time.

    Args:
        rrule: RFC 5545 RRULE text (``FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20270630``).
        first_start, first_end: the first occurrence (aware, or naive local time);
            every occurrence lasts as long on the wall clock and starts at the same
            local time of day.
        branch: whose closures to skip; ``None`` skips only the national calendar.
        include_closed: keep occurrences on holidays/closures (staff said so).
        limit: the most occurrences (kept + skipped) a rule may produce.
        tz: the rule's zone, default ``settings.TIME_ZONE`` (Europe/Copenhagen).

    Returns every occurrence in date order, skipped ones included with
    ``skipped=True`` and ``reason``. Raises RuleViolation for bad rule text,
    an end before the start, or more than ``limit`` occurrences.
    """
    tz = tz or local_tz()
    parts = parse_rule(rrule)
    span = _span(first_start, first_end, tz)
    rule = _wall_rule(parts, start_wall=span.start_wall, limit=limit, tz=tz)
    naive_starts = _wall_starts(rule, limit=limit)
    if not naive_starts:
        return []
    reasons = _closed_reasons(
        branch=branch,
        first_day=naive_starts[0].date(),
        last_day=naive_starts[-1].date(),
        include_closed=include_closed,
    )
    return [_occurrence(wall, span=span, reasons=reasons, tz=tz) for wall in naive_starts]


@dataclass(frozen=True)
class _Span:
    """The first occurrence on the wall clock: its start, and how long every one lasts."""

    start_wall: datetime
    wall_duration: timedelta
    real_duration: timedelta


def _span(first_start: datetime, first_end: datetime, tz: ZoneInfo) -> _Span:
    if first_end <= first_start:
        raise RuleViolation(
            _("The end must be after the start."), field="end", code=ErrorCode.END_BEFORE_START
        )
    start_wall = (
        first_start.astimezone(tz).replace(tzinfo=None) if first_start.tzinfo else first_start
    )
    end_wall = first_end.astimezone(tz).replace(tzinfo=None) if first_end.tzinfo else first_end
    wall_duration = end_wall - start_wall
    real_duration = (
        first_end - first_start if first_start.tzinfo and first_end.tzinfo else wall_duration
    )
    return _Span(start_wall=start_wall, wall_duration=wall_duration, real_duration=real_duration)


def _wall_rule(
    parts: dict[str, str], *, start_wall: datetime, limit: int, tz: ZoneInfo
) -> dateutil_rrule.rrule:
    """The dateutil rule over naive local wall times; refuses a COUNT over ``limit`` and an
    UNTIL before the start."""
    if "COUNT" in parts and int(parts["COUNT"]) > limit:
        raise _bad(
            _("A series can have at most %(limit)s dates. Please make it shorter."), limit=limit
        )
    until = _until_local(parts.pop("UNTIL"), tz) if "UNTIL" in parts else None
    if until is not None and until < start_wall:
        raise _bad(_("UNTIL is before the first date."))
    text = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        rule: dateutil_rrule.rrule = dateutil_rrule.rrulestr(text, dtstart=start_wall)
        if until is not None:
            rule = rule.replace(until=until)
    except (ValueError, TypeError) as error:
        raise _bad(
            _("The recurrence rule could not be read: %(error)s"), error=str(error)
        ) from error
    return rule


def _wall_starts(rule: dateutil_rrule.rrule, *, limit: int) -> list[datetime]:
    """Every naive local start the rule gives; refuses more than ``limit``."""
    naive_starts: list[datetime] = []
    for value in rule:
        naive_starts.append(value)
        if len(naive_starts) > limit:
            raise _bad(
                _("A series can have at most %(limit)s dates. Please make it shorter."),
                limit=limit,
            )
    return naive_starts


def _closed_reasons(
    *, branch: Branch | None, first_day: date, last_day: date, include_closed: bool
) -> dict[date, str]:
    """``{day: reason}`` for the closed days in [first_day, last_day] (none if kept anyway)."""
    if include_closed:
        return {}
    if branch is not None:
        return closure_reasons(branch=branch, start=first_day, end=last_day)
    return {
        day: str(name)
        for year in range(first_day.year, last_day.year + 1)
        for day, name in closed_days(year).items()
        if first_day <= day <= last_day
    }


def _occurrence(
    wall: datetime, *, span: _Span, reasons: dict[date, str], tz: ZoneInfo
) -> Occurrence:
    """The occurrence starting at local wall time ``wall``: skipped on a closed day, and at a
    wall time that does not exist or happens twice (daylight saving)."""
    start = _aware(wall, tz)
    if start is None:
        fallback = wall.replace(tzinfo=tz)
        return Occurrence(
            start=fallback,
            end=fallback + span.real_duration,
            day=wall.date(),
            skipped=True,
            reason=str(
                _("%(time)s does not exist or happens twice that day (daylight saving time).")
                % {"time": clock(wall)}
            ),
        )
    end = _aware(wall + span.wall_duration, tz) or start + span.real_duration
    reason = reasons.get(wall.date())
    return Occurrence(
        start=start,
        end=end,
        day=wall.date(),
        skipped=reason is not None,
        reason=reason or "",
    )


_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def nth_weekday(day: date) -> str:
    """``day`` as "the n-th weekday of its month" in RRULE form: ``+2WE`` for 9 December 2026
    (the second Wednesday); the fifth weekday of a month is ``-1WE`` (the last), since not
    every month has a fifth."""
    n = (day.day - 1) // 7 + 1
    return f"{'-1' if n == 5 else f'+{n}'}{_WEEKDAY_CODES[day.weekday()]}"


def with_first_day(rule: str, first_day: date) -> str:
    """The rule a page's repeat option means, anchored on the first date.

    "Every month" on the pages means the same weekday each month (the second Wednesday),
    not the same day of the month, so a monthly rule without ``BYDAY``/``BYMONTHDAY`` gets
    ``BYDAY=`` :func:`nth_weekday` of the first date. Every form that offers a repeat
    option builds its rule through here (events, shifts, proposals); other rules are
    returned unchanged.
    """
    parts = [p for p in (rule or "").split(";") if p]
    keys = {p.partition("=")[0].upper() for p in parts}
    if "FREQ=MONTHLY" in (p.upper() for p in parts) and not keys & {"BYDAY", "BYMONTHDAY"}:
        parts.append(f"BYDAY={nth_weekday(first_day)}")
    return ";".join(parts)


def kept(occurrences: list[Occurrence]) -> list[Occurrence]:
    """Only the occurrences that take place."""
    return [o for o in occurrences if not o.skipped]


__all__ = [
    "DEFAULT_LIMIT",
    "Occurrence",
    "expand",
    "kept",
    "nth_weekday",
    "parse_rule",
    "with_first_day",
]
