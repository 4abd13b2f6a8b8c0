"""Links and page parts that core's templates show for the apps above core.

Core's templates (the base layout, the branch page) cannot name the URLs of the apps that
build on core, as core's Python cannot import them (docs/architecture.md). Each app fills
these registries in its ``AppConfig.ready()``, as it fills ``core.mypage``::

    from core.navigation import for_staff, register_nav_link, register_page_part
    register_nav_link("plans", _("Plan"), "plans:dashboard", order=60, visible=for_staff)
    register_page_part("branch-detail", "feeds", render_branch_feed, order=10)

The base layout shows the main menu with ``{% main_nav_links as links %}`` and a page shows
its parts with ``{% page_parts "branch-detail" branch=branch %}`` (``core_navigation``
template tags). The same rule holds up the layers: rooms' templates do not name events'
URLs, and so on; ``tests/core/test_template_layers.py`` checks every template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

# --- The main menu ----------------------------------------------------------------------


@dataclass(frozen=True)
class NavLink:
    key: str
    label: object  # a lazy translation
    url_name: str
    order: int
    visible: Callable[[HttpRequest | None], bool] | None


_nav_links: dict[str, NavLink] = {}


def register_nav_link(
    key: str,
    label: object,
    url_name: str,
    *,
    order: int = 50,
    visible: Callable[[HttpRequest | None], bool] | None = None,
) -> None:
    """A link in the main menu; ``visible(request)`` says to whom (everyone if None)."""
    _nav_links[key] = NavLink(key=key, label=label, url_name=url_name, order=order, visible=visible)


def for_volunteers(request: HttpRequest | None) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_volunteer)


def for_staff(request: HttpRequest | None) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_library_staff)


@dataclass(frozen=True)
class ShownLink:
    label: object
    url: str


def nav_links(request: HttpRequest | None) -> list[ShownLink]:
    """The main menu's links this person sees, in order; a link whose URL is not installed
    is left out."""
    shown = []
    for link in sorted(_nav_links.values(), key=lambda link: (link.order, link.key)):
        if link.visible is not None and not link.visible(request):
            continue
        try:
            shown.append(ShownLink(label=link.label, url=reverse(link.url_name)))
        except NoReverseMatch:
            continue
    return shown


def nav_link_url(key: str) -> str | None:
    """The address of a registered main-menu link (e.g. ``"events"``), for core's pages to
    link to a higher app's page with their own query (the home page's track cards); None
    when no app registered it."""
    link = _nav_links.get(key)
    if link is None:
        return None
    try:
        return reverse(link.url_name)
    except NoReverseMatch:
        return None


# --- Parts of core's pages -----------------------------------------------------------------


@dataclass(frozen=True)
class PagePart:
    key: str
    render: Callable[..., str]
    order: int


_page_parts: dict[str, dict[str, PagePart]] = {}


def register_page_part(slot: str, key: str, render: Callable[..., str], *, order: int = 50) -> None:
    """A piece of a page that a higher app contributes, e.g. the branch page's calendar-feed
    links. ``render(request, **context)`` returns safe HTML (``render_to_string``) or ``""``."""
    _page_parts.setdefault(slot, {})[key] = PagePart(key=key, render=render, order=order)


def render_page_parts(slot: str, request: HttpRequest | None, **context: Any) -> SafeString:
    parts = sorted(_page_parts.get(slot, {}).values(), key=lambda part: (part.order, part.key))
    return mark_safe("".join(part.render(request, **context) for part in parts))  # noqa: S308
