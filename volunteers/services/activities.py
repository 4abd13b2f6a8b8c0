"""Activities: the kinds of help a branch asks volunteers for (lektiecafé, IT-hjælp, ...)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction
from core.exceptions import RuleViolation
from core.models import Audience, Branch, Track, User
from core.services import audit_log
from volunteers.models import Activity
from volunteers.services._common import _require_branch_staff


@transaction.atomic(durable=True)
def activity_create(
    *,
    actor: User,
    branch: Branch,
    name: str,
    description: str = "",
    tracks: Iterable[Track] = (),
    audiences: Iterable[Audience] = (),
    coordinator: User | None = None,
    children_under_15: bool = False,
    withdraw_deadline_hours: int = 24,
) -> Activity:
    _require_branch_staff(actor, branch)
    name = name.strip()
    if not name:
        raise RuleViolation(_("Give the activity a name."), field="name")
    if coordinator is not None and not coordinator.is_library_staff:
        raise RuleViolation(_("The coordinator must be a member of staff."), field="coordinator")
    activity = Activity.objects.create(
        branch=branch,
        name=name,
        description=description,
        coordinator=coordinator or actor,
        children_under_15=children_under_15,
        withdraw_deadline_hours=withdraw_deadline_hours,
    )
    activity.tracks.set(list(tracks))
    activity.audiences.set(list(audiences))
    audit_log(
        actor=actor,
        action=AuditAction.ACTIVITY_CREATED,
        target=activity,
        data={"name": name, "branch": branch.slug, "children_under_15": children_under_15},
    )
    return activity


ACTIVITY_FIELDS = ("name", "description", "children_under_15", "withdraw_deadline_hours")


@transaction.atomic(durable=True)
def activity_update(
    *,
    actor: User,
    activity: Activity,
    data: dict[str, object],
    tracks: Iterable[Track] | None = None,
    audiences: Iterable[Audience] | None = None,
) -> Activity:
    """Change an activity of one of the actor's branches (it stays at its branch). The audit
    row holds the old and new values; nothing changed, no row."""
    _require_branch_staff(actor, activity.branch)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if "name" in data:
        data = {**data, "name": str(data["name"] or "").strip()}
        if not data["name"]:
            raise RuleViolation(_("Give the activity a name."), field="name")
    hours = data.get("withdraw_deadline_hours")
    if hours is not None and not (isinstance(hours, int) and 0 <= hours <= 24 * 14):
        raise RuleViolation(
            _("The withdrawal deadline must be between 0 and 336 hours."),
            field="withdraw_deadline_hours",
        )
    changes: dict[str, list[object]] = {}
    for field in ACTIVITY_FIELDS:
        if field in data and getattr(activity, field) != data[field]:
            changes[field] = [getattr(activity, field), data[field]]
            setattr(activity, field, data[field])
    if changes:
        activity.save()
    for name, items in (("tracks", tracks), ("audiences", audiences)):
        if items is None:
            continue
        manager = getattr(activity, name)
        old = sorted(manager.values_list("pk", flat=True))
        new = sorted({item.pk for item in items})
        if old != new:
            manager.set(new)
            changes[name] = [old, new]
    if changes:
        audit_log(actor=actor, action=AuditAction.ACTIVITY_CHANGED, target=activity, data=changes)
    return activity
