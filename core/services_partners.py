"""Partners (samarbejdspartnere) and associations' members, written by staff in pages.

Partners are shared by every branch: any member of staff may create and change them. Each
change writes an audit row in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction
from core.exceptions import Conflict, PermissionDenied, RuleViolation
from core.models import Partner, PartnerKind, User
from core.services import audit_log

PARTNER_FIELDS = ("name", "kind", "contact_name", "contact_email", "contact_phone", "website")


def _require_staff(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_library_staff:
        raise PermissionDenied(_("Only library staff may manage partners."))


def _clean(data: dict[str, Any], *, partner: Partner | None) -> dict[str, Any]:
    values = {field: str(data.get(field) or "").strip() for field in PARTNER_FIELDS}
    if not values["name"]:
        raise RuleViolation(_("Give the partner a name."), field="name")
    if values["kind"] not in PartnerKind.values:
        raise RuleViolation(_("Choose the partner's type."), field="kind")
    # Compared in Python: SQLite's case-insensitive match knows only ASCII ("Æ" vs "æ").
    wanted = values["name"].casefold()
    others = Partner.objects.all() if partner is None else Partner.objects.exclude(pk=partner.pk)
    if any(name.casefold() == wanted for name in others.values_list("name", flat=True)):
        raise Conflict(
            _("A partner called %(name)s already exists."), field="name", name=values["name"]
        )
    return values


@transaction.atomic(durable=True)
def partner_create(*, actor: User, data: dict[str, Any], members: Iterable[User] = ()) -> Partner:
    """A new partner with its type, contact and the members who may book on its behalf."""
    _require_staff(actor)
    values = _clean(data, partner=None)
    try:
        with transaction.atomic():  # two staff creating the same name at once
            partner = Partner.objects.create(**values)
    except IntegrityError as error:
        raise Conflict(
            _("A partner called %(name)s already exists."), field="name", name=values["name"]
        ) from error
    member_ids = sorted({m.pk for m in members})
    partner.members.set(member_ids)
    audit_log(
        actor=actor,
        action=AuditAction.PARTNER_CREATED,
        target=partner,
        data={**values, "members": member_ids},
    )
    return partner


@transaction.atomic(durable=True)
def partner_update(
    *, actor: User, partner: Partner, data: dict[str, Any], members: Iterable[User]
) -> Partner:
    """Change a partner; the audit row holds the old and new value of each changed field and
    the members added and removed. Nothing changed: no row."""
    _require_staff(actor)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    values = _clean(data, partner=partner)
    changes: dict[str, Any] = {}
    for field, new in values.items():
        old = getattr(partner, field)
        if old != new:
            setattr(partner, field, new)
            changes[field] = [old, new]
    if changes:
        try:
            with transaction.atomic():
                partner.save()
        except IntegrityError as error:
            raise Conflict(
                _("A partner called %(name)s already exists."), field="name", name=values["name"]
            ) from error
    old_ids = set(partner.members.values_list("pk", flat=True))
    new_ids = {m.pk for m in members}
    if old_ids != new_ids:
        partner.members.set(sorted(new_ids))
        changes["members_added"] = sorted(new_ids - old_ids)
        changes["members_removed"] = sorted(old_ids - new_ids)
    if changes:
        audit_log(actor=actor, action=AuditAction.PARTNER_CHANGED, target=partner, data=changes)
    return partner
