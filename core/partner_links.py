"""What is linked to a partner (events, initiatives), asked of the apps above core.

Core cannot import events or plans, so each of them registers one source in its
``AppConfig.ready()``::

    register_partner_links(
        "events", _("Events"), add_label=_("Link to an event"),
        groups=..., choices=..., link=..., order=10,
    )

- ``groups(user, partner)``: what is linked, as ``LinkGroup``s (events: coming and past),
  each item saying whether ``user`` may unlink it, in a fixed number of queries;
- ``choices(user, partner)``: what ``user`` may link (not linked yet), as ``LinkChoice``s;
- ``link(actor, partner, object_id, linked)``: link (``linked=True``) or unlink through the
  app's own service, which checks the actor's rights and writes the audit row. An unknown
  ``object_id`` is a ``NotFound``.

The partner page (``core.views_partners``) shows every source in the order registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from core.exceptions import NotFound
from core.models import Partner, User


@dataclass(frozen=True)
class LinkedItem:
    id: int
    title: str
    url: str
    when: datetime | None = None
    detail: str = ""
    can_unlink: bool = False


@dataclass(frozen=True)
class LinkGroup:
    title: object  # a lazy translation, e.g. "Coming events"
    items: list[LinkedItem]
    note: object = ""  # e.g. "Only the 50 most recent are shown."


@dataclass(frozen=True)
class LinkChoice:
    id: int
    label: str


GroupsFn = Callable[[User, Partner], list[LinkGroup]]
ChoicesFn = Callable[[User, Partner], list[LinkChoice]]
LinkFn = Callable[[User, Partner, int, bool], None]


@dataclass(frozen=True)
class LinkSource:
    key: str
    label: object
    add_label: object
    groups: GroupsFn
    choices: ChoicesFn
    link: LinkFn
    order: int


@dataclass
class LinkSection:
    """One source as the partner page shows it."""

    key: str
    label: object
    add_label: object
    groups: list[LinkGroup] = field(default_factory=list)
    choices: list[LinkChoice] = field(default_factory=list)


_sources: dict[str, LinkSource] = {}


def register_partner_links(
    key: str,
    label: object,
    *,
    add_label: object,
    groups: GroupsFn,
    choices: ChoicesFn,
    link: LinkFn,
    order: int = 50,
) -> None:
    """Register (or replace) what of ``key`` may be linked to a partner."""
    _sources[key] = LinkSource(
        key=key,
        label=label,
        add_label=add_label,
        groups=groups,
        choices=choices,
        link=link,
        order=order,
    )


def partner_link_sections(*, user: User, partner: Partner) -> list[LinkSection]:
    """Every registered source: what is linked to ``partner`` and what ``user`` may link."""
    return [
        LinkSection(
            key=source.key,
            label=source.label,
            add_label=source.add_label,
            groups=source.groups(user, partner),
            choices=source.choices(user, partner),
        )
        for source in sorted(_sources.values(), key=lambda s: (s.order, s.key))
    ]


def partner_link_set(
    *, actor: User, partner: Partner, key: str, object_id: int, linked: bool
) -> None:
    """Link (or unlink) the object ``object_id`` of source ``key`` to ``partner``."""
    source = _sources.get(key)
    if source is None:
        raise NotFound(_("There is nothing of that kind to link."))
    source.link(actor, partner, object_id, linked)
