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

from django.http import HttpRequest


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
