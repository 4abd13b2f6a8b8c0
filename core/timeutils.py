"""Time helpers. Every datetime is aware and stored in UTC; the library lives in local time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext_lazy as _

from core.exceptions import ErrorCode, RuleViolation


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
            time=clock(at),
            date=day.isoformat(),
        )
    return naive.replace(tzinfo=tz)


def localize_naive(value: datetime, *, field: str | None = None) -> datetime:
    """Make a naive local datetime aware, refusing DST gaps and doubled hours."""
    if timezone.is_aware(value):
        return value
    return make_local(value.date(), value.time(), field=field)


# Dates people may ask about; outside this range date arithmetic would overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def check_day_in_range(day: date, *, field: str | None = None) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise RuleViolation(
            _("Please choose a date between the years %(first)s and %(last)s."),
            field=field,
            code=ErrorCode.DATE_OUT_OF_RANGE,
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    return day


def parse_day(raw: str | None, *, field: str = "date") -> date | None:
    """A ``YYYY-MM-DD`` query parameter as a date: None when empty, 400 when not a real date."""
    if raw is None or not raw.strip():
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError as error:
        raise RuleViolation(
            _("%(value)s is not a date. Please write it as YYYY-MM-DD, e.g. 2027-03-28."),
            field=field,
            code=ErrorCode.INVALID_DATE,
            value=raw.strip()[:40],
        ) from error
    return check_day_in_range(day, field=field)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware start and end of a local day (23 or 25 hours long on DST Sundays)."""
    check_day_in_range(day)
    tz = local_tz()
    start = datetime.combine(day, time.min).replace(tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min).replace(tzinfo=tz)
    return start, end


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals [start, end): back-to-back intervals do not overlap."""
    return a_start < b_end and b_start < a_end


# --- One style for times and dates in every text people read ------------------------------
# Danish "mandag 30. november, 07.00–22.00"; English "Monday 30 November, 07:00–22:00".
# Templates use the filters of the same names (``core.templatetags.core_time``, built in).

DATE_STYLES: dict[str, tuple[str, str]] = {  # name: (Danish, English) date formats
    "clock": ("H.i", "H:i"),
    "day_month": ("j. F", "j F"),
    "long_date": ("j. F Y", "j F Y"),
    "weekday_day": ("l j. F", "l j F"),
    "weekday_date": ("l j. F Y", "l j F Y"),
    "long_date_clock": ("j. F Y, H.i", "j F Y, H:i"),
    "weekday_day_clock": ("l j. F, H.i", "l j F, H:i"),
    "short_date_clock": ("j.n. H.i", "j.n. H:i"),
    "numeric_date_clock": ("d.m.Y H.i", "d.m.Y H:i"),
}


def _english() -> bool:
    return (translation.get_language() or "da").startswith("en")


def styled(value: date | time | datetime, style: str) -> str:
    """``value`` (a local date or time; an aware datetime in the library's zone) in the
    named style of ``DATE_STYLES`` for the active language."""
    danish, english = DATE_STYLES[style]
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value, local_tz())
    fmt = english if _english() else danish
    if isinstance(value, time):
        return dateformat.time_format(value, fmt)
    return dateformat.format(value, fmt)


def clock(value: time | datetime) -> str:
    """A time of day: ``07.00`` in Danish, ``07:00`` in English."""
    return styled(value, "clock")


def clock_span(start: time | datetime, end: time | datetime) -> str:
    """``07.00–22.00`` (Danish) or ``07:00–22:00`` (English)."""
    return f"{clock(start)}–{clock(end)}"


def date_and_clock(value: datetime) -> str:
    """``03.12.2026 10.00`` (Danish) or ``03.12.2026 10:00`` (English), in local time."""
    local = timezone.localtime(value, local_tz()) if timezone.is_aware(value) else value
    return f"{local:%d.%m.%Y} {clock(local)}"
