"""The partner page's events (``core.partner_links``): the coming and past events a partner
is linked to, the coming events staff may link it to, and linking through
``services.event_partner_set``. Registered in ``EventsConfig.ready()``."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.exceptions import NotFound
from core.models import Partner, User
from core.partner_links import LinkChoice, LinkedItem, LinkGroup
from core.selectors import branches_managed_by
from events import selectors, services
from events.models import Event, EventState


def _item(event: Event, managed: set[int] | None) -> LinkedItem:
    may = managed is None or event.branch_id in managed
    detail = event.branch.name
    if event.state != EventState.PUBLISHED:
        detail = f"{detail} · {event.get_state_display()}"
    return LinkedItem(
        id=event.pk,
        title=event.title,
        url=reverse("events:event-edit" if may else "events:event-detail", args=[event.pk]),
        when=event.start,
        detail=detail,
        can_unlink=may and event.state != EventState.CANCELLED,
    )


def _managed(user: User) -> set[int] | None:
    """The branch ids ``user`` manages; None: every branch."""
    if user.is_administrator:
        return None
    return set(branches_managed_by(user=user).values_list("pk", flat=True))


def groups(user: User, partner: Partner) -> list[LinkGroup]:
    coming, past = selectors.events_of_partner(partner=partner)
    managed = _managed(user)
    note = ""
    if len(past) > selectors.PARTNER_PAST_LIMIT:
        past = past[: selectors.PARTNER_PAST_LIMIT]
        note = _("Only the %(n)s most recent are shown.") % {"n": selectors.PARTNER_PAST_LIMIT}
    return [
        LinkGroup(title=_("Coming events"), items=[_item(e, managed) for e in coming]),
        LinkGroup(title=_("Past events"), items=[_item(e, managed) for e in past], note=note),
    ]


def choices(user: User, partner: Partner) -> list[LinkChoice]:
    return [
        LinkChoice(
            id=e.pk,
            label=f"{date_format(timezone.localtime(e.start), 'SHORT_DATETIME_FORMAT')}"
            f" – {e.title} ({e.branch.name})",
        )
        for e in selectors.events_to_link(user=user, partner=partner)
    ]


def link(actor: User, partner: Partner, object_id: int, linked: bool) -> None:
    event = Event.objects.filter(pk=object_id).first()
    if event is None:
        raise NotFound(_("The event does not exist."))
    services.event_partner_set(actor=actor, event=event, partner=partner, linked=linked)
