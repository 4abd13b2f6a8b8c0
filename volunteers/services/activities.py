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
