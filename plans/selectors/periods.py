"""The year and its quarters in local time, and the scope a person asks for."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils.translation import gettext as _

from core.exceptions import ErrorCode, RuleViolation
from core.timeutils import local_today, local_tz
from plans.models import QUARTERS

# The periods of the status report: June (first half) and December (the whole year).
PERIODS = {"h1": (1, 2), "year": (1, 2, 3, 4)}


def year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = local_tz()
    return (
        datetime.combine(date(year, 1, 1), time.min).replace(tzinfo=tz),
        datetime.combine(date(year + 1, 1, 1), time.min).replace(tzinfo=tz),
    )


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    tz = local_tz()
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return (
        datetime.combine(start, time.min).replace(tzinfo=tz),
        datetime.combine(end, time.min).replace(tzinfo=tz),
    )


def current_year() -> int:
    return local_today().year


def quarter_name(quarter: int) -> str:
    return _("Q%(quarter)s") % {"quarter": quarter}


def _as_int(value: str | int) -> int:
    """An integer from a query parameter or form value, or 0 (always refused) if it is none."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def parse_scope(
    *,
    year: str | int | None = None,
    quarter: str | int | None = None,
    branch: str | None = None,
) -> tuple[int, int | None, str | None]:
    """Validate the year/quarter/branch a person asked for; a clear 400 otherwise."""
    if year is None or year == "":
        year_value = current_year()
    else:
        year_value = _as_int(year)
        if not 2000 <= year_value <= 2100:
            raise RuleViolation(
                _("Please give the year as four digits, e.g. 2027."),
                field="year",
                code=ErrorCode.BAD_YEAR,
            )
    quarter_value: int | None = None
    if quarter is not None and quarter != "":
        quarter_value = _as_int(quarter)
        if quarter_value not in QUARTERS:
            raise RuleViolation(
                _("The quarter must be 1, 2, 3 or 4."), field="quarter", code=ErrorCode.BAD_QUARTER
            )
    branch_value = str(branch) if branch else None
    return year_value, quarter_value, branch_value
