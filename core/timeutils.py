"""Time helpers. Every datetime is aware and stored in UTC; the library lives in local time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import RuleViolation


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_now() -> datetime:
    return timezone.localtime(timezone.now(), local_tz())


def local_today() -> date:
    return local_now().date()


def is_real_local_time(naive: datetime, tz: ZoneInfo | None = None) -> bool:
    """False for wall times in the spring-forward gap or doubled in the autumn."""
    tz = tz or local_tz()
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        return False  # ambiguous (autumn) or non-existent (spring)
    round_trip = first.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None)
    return round_trip == naive


def make_local(
    day: date, at: time, tz: ZoneInfo | None = None, *, field: str | None = None
) -> datetime:
    """The aware datetime of wall time ``at`` on ``day``; refuses DST gaps and doubled hours."""
    tz = tz or local_tz()
    naive = datetime.combine(day, at)
    if not is_real_local_time(naive, tz):
        raise RuleViolation(
            _(
                "%(time)s on %(date)s does not exist or happens twice because of the change "
                "to or from daylight saving time. Please choose another time."
            ),
            field=field,
            time=at.strftime("%H:%M"),
            date=day.isoformat(),
        )
    return naive.replace(tzinfo=tz)


def localize_naive(value: datetime, *, field: str | None = None) -> datetime:
    """Make a naive local datetime aware, refusing DST gaps and doubled hours."""
    if timezone.is_aware(value):
        return value
    return make_local(value.date(), value.time(), field=field)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware start and end of a local day (23 or 25 hours long on DST Sundays)."""
    tz = local_tz()
    start = datetime.combine(day, time.min).replace(tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min).replace(tzinfo=tz)
    return start, end


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals [start, end): back-to-back intervals do not overlap."""
    return a_start < b_end and b_start < a_end
