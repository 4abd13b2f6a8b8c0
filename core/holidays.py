"""The Danish holiday calendar, computed for any year.

Public holidays (helligdage) follow the law; Store bededag is no holiday from
2024. The libraries are also closed on some days that are not public holidays
(Easter Saturday, 24 and 31 December by default); which ones is configurable
with ``settings.MODESTED_EXTRA_CLOSED_DAYS``.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from dateutil.easter import easter
from django.conf import settings
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Store bededag (the fourth Friday after Easter) was abolished by law from 2024.
LAST_YEAR_WITH_GREAT_PRAYER_DAY = 2023

EXTRA_CLOSED_DAYS = {
    "easter_saturday": _("Easter Saturday"),
    "christmas_eve": _("Christmas Eve"),
    "new_years_eve": _("New Year's Eve"),
    "constitution_day": _("Constitution Day"),
}


@lru_cache(maxsize=256)
def public_holidays(year: int) -> dict[date, StrOrPromise]:
    """The public holidays of ``year``, as ``{date: name}`` (names are lazy translations)."""
    e = easter(year)
    days = {
        date(year, 1, 1): _("New Year's Day"),
        e - timedelta(days=3): _("Maundy Thursday"),
        e - timedelta(days=2): _("Good Friday"),
        e: _("Easter Sunday"),
        e + timedelta(days=1): _("Easter Monday"),
        e + timedelta(days=39): _("Ascension Day"),
        e + timedelta(days=49): _("Whit Sunday"),
        e + timedelta(days=50): _("Whit Monday"),
        date(year, 12, 25): _("Christmas Day"),
        date(year, 12, 26): _("Boxing Day"),
    }
    if year <= LAST_YEAR_WITH_GREAT_PRAYER_DAY:
        days[e + timedelta(days=26)] = _("Great Prayer Day")
    return dict(sorted(days.items()))


def extra_closed_days(year: int, names: list[str] | None = None) -> dict[date, StrOrPromise]:
    """Days the libraries close although they are not public holidays."""
    names = settings.MODESTED_EXTRA_CLOSED_DAYS if names is None else names
    e = easter(year)
    dates = {
        "easter_saturday": e - timedelta(days=1),
        "christmas_eve": date(year, 12, 24),
        "new_years_eve": date(year, 12, 31),
        "constitution_day": date(year, 6, 5),
    }
    return {dates[n]: EXTRA_CLOSED_DAYS[n] for n in names if n in dates}


def closed_days(year: int) -> dict[date, StrOrPromise]:
    """Every day all libraries are closed in ``year`` by the calendar alone."""
    days = {**extra_closed_days(year), **public_holidays(year)}
    return dict(sorted(days.items()))


def holiday_name(day: date) -> str | None:
    """The name of the holiday (or calendar closing day) on ``day``, else None."""
    name = closed_days(day.year).get(day)
    return str(name) if name is not None else None
