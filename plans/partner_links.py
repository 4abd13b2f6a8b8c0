"""The partner page's initiatives (``core.partner_links``): the initiatives a partner is
linked to, those staff may link it to, and linking through
``services.initiative_partner_set``. Registered in ``PlansConfig.ready()``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.exceptions import NotFound
from core.models import Partner, User
from core.partner_links import LinkChoice, LinkedItem, LinkGroup
from plans import selectors, services
from plans.models import Initiative


def groups(user: User, partner: Partner) -> list[LinkGroup]:
    initiatives = selectors.initiatives_of_partner(partner=partner)
    editable = selectors.editable_initiative_ids(user=user, initiatives=initiatives)
    items = [
        LinkedItem(
            id=i.pk,
            title=i.title,
            # Only those who may change it can open it (there is no other page of one).
            url=reverse("plans:initiative-edit", args=[i.pk]) if i.pk in editable else "",
            detail=" · ".join(
                [str(i.plan.year), i.get_status_display(), *(b.name for b in i.branches.all())]
            ),
            can_unlink=i.pk in editable,
        )
        for i in initiatives
    ]
    return [LinkGroup(title=_("Initiatives in the action plan"), items=items)]


def choices(user: User, partner: Partner) -> list[LinkChoice]:
    return [
        LinkChoice(id=i.pk, label=f"{i.plan.year} – {i.title}")
        for i in selectors.initiatives_to_link(user=user, partner=partner)
    ]


def link(actor: User, partner: Partner, object_id: int, linked: bool) -> None:
    initiative = Initiative.objects.filter(pk=object_id).first()
    if initiative is None:
        raise NotFound(_("There is no such initiative."))
    services.initiative_partner_set(
        actor=actor, initiative=initiative, partner=partner, linked=linked
    )
