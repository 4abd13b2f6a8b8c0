"""One style for dates and times on every page (built into the template engine, see
``TEMPLATES`` in settings): Danish "mandag 30. november, 07.00–22.00", English "Monday
30 November, 07:00–22:00". ``{{ event.start|weekday_day }}``, ``{{ h.opens|clock }}``."""

from __future__ import annotations

from datetime import date, datetime, time

from django import template

from core.timeutils import DATE_STYLES, styled

register = template.Library()


def _styled(style: str):  # type: ignore[no-untyped-def]
    def render(value: date | time | datetime | None) -> str:
        if value in (None, ""):
            return ""
        return styled(value, style)

    render.__name__ = style
    return render


for _style in DATE_STYLES:
    register.filter(_style, _styled(_style), expects_localtime=True)
