"""Sections of "my page" (min side), contributed by the apps above core.

Core cannot import the apps that build on it, so each app registers a section
in its ``AppConfig.ready()``::

    from core.mypage import register_section
    register_section("rooms", render_my_bookings, order=20)

A section is a function ``(request) -> str`` of safe HTML (usually
``render_to_string(...)``), or ``""`` to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from core.models import User


@dataclass(frozen=True)
class Section:
    key: str
    render: Callable[[HttpRequest], str]
    order: int


_sections: dict[str, Section] = {}


def register_section(key: str, render: Callable[[HttpRequest], str], *, order: int = 50) -> None:
    _sections[key] = Section(key=key, render=render, order=order)


def render_sections(request: HttpRequest) -> list[str]:
    parts = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        html = section.render(request)
        if html:
            parts.append(html)
    return parts


# --- The staff start page -------------------------------------------------------


@dataclass(frozen=True)
class StaffLink:
    key: str
    label: object  # a lazy translation
    url_name: str
    order: int


_staff_links: dict[str, StaffLink] = {}


def register_staff_link(key: str, label: object, url_name: str, *, order: int = 50) -> None:
    """A link on the staff start page, e.g. the approval queue of the rooms app."""
    _staff_links[key] = StaffLink(key=key, label=label, url_name=url_name, order=order)


def staff_links() -> list[StaffLink]:
    return sorted(_staff_links.values(), key=lambda link: (link.order, link.key))


# --- The staff start page's counts --------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """What a count function found: the number, a short line under it (e.g. the
    registrations of this week's events) or ``""``, and a query string for the list's URL
    (``"quarter=2"``) or ``""``."""

    count: int
    detail: str = ""
    query: str = ""


@dataclass(frozen=True)
class StaffCount:
    key: str
    label: object  # a lazy translation
    count: Callable[[User], int | Tally]
    url_name: str
    order: int


_staff_counts: dict[str, StaffCount] = {}


def register_staff_count(
    key: str,
    label: object,
    *,
    count: Callable[[User], int | Tally],
    url_name: str,
    order: int = 50,
) -> None:
    """A number on the staff start page that links to the list behind it, e.g. the room
    requests waiting. ``count(user)`` counts within the branches ``user`` manages
    (administrators: all) in a fixed number of queries (one, where it can)."""
    _staff_counts[key] = StaffCount(
        key=key, label=label, count=count, url_name=url_name, order=order
    )


@dataclass(frozen=True)
class ShownCount:
    key: str
    label: object
    count: int
    detail: str
    url: str


def staff_counts(user: User) -> list[ShownCount]:
    """The counts ``user`` sees on the staff start page, in order; a count whose list's URL
    is not installed is left out."""
    shown = []
    for item in sorted(_staff_counts.values(), key=lambda c: (c.order, c.key)):
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        found = item.count(user)
        tally = found if isinstance(found, Tally) else Tally(count=found)
        if tally.query:
            url = f"{url}?{tally.query}"
        shown.append(
            ShownCount(
                key=item.key, label=item.label, count=tally.count, detail=tally.detail, url=url
            )
        )
    return shown
