"""Writes of the plan: plans, targets and initiatives. Every change leaves an audit row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction
from core.exceptions import Conflict, ErrorCode, PermissionDenied, RuleViolation
from core.locking import lock_one
from core.models import Branch, Partner, Track, User
from core.selectors import branches_managed_by
from core.services import audit_log
from events.models import Event, EventSeries
from plans.models import (
    DEFAULT_MIN_INITIATIVES,
    QUARTERS,
    Initiative,
    InitiativeStatus,
    Plan,
    TrackTarget,
    plan_period_for,
)

_UNSET: Any = object()


def _require_staff(actor: User | None) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_library_staff:
        raise PermissionDenied(_("Only library staff may change the action plan."))


def _managed_ids(actor: User) -> set[int] | None:
    """The branch ids ``actor`` manages; None means every branch (administrators)."""
    if actor.is_administrator:
        return None
    return set(branches_managed_by(user=actor).values_list("pk", flat=True))


def _clean_quarters(quarters: Iterable[Any]) -> list[int]:
    try:
        values = sorted({int(q) for q in quarters})
    except (TypeError, ValueError) as error:
        raise RuleViolation(
            _("Quarters are the numbers 1 to 4."), field="quarters", code=ErrorCode.BAD_QUARTER
        ) from error
    if not values:
        raise RuleViolation(
            _("Choose the quarter or quarters the initiative runs in."), field="quarters"
        )
    if any(q not in QUARTERS for q in values):
        raise RuleViolation(
            _("Quarters are the numbers 1 to 4."), field="quarters", code=ErrorCode.BAD_QUARTER
        )
    return values


def _clean_text(value: str, *, field: str, required: bool, max_length: int) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation(_("Please fill in this field."), field=field, code=ErrorCode.REQUIRED)
    if len(value) > max_length:
        raise RuleViolation(
            _("Please keep this to %(max)s characters."), field=field, max=max_length
        )
    return value


def _clean_responsible(responsible: User | None) -> User | None:
    if responsible is not None and not responsible.is_library_staff:
        raise RuleViolation(
            _("The responsible person must be a member of staff."), field="responsible"
        )
    return responsible


def _check_status(status: str) -> str:
    if status not in InitiativeStatus.values:
        raise RuleViolation(
            _("The status must be planned, in progress, done or dropped."), field="status"
        )
    return status


def _snapshot(initiative: Initiative) -> dict[str, Any]:
    return {
        "title": initiative.title,
        "description": initiative.description,
        "quarters": list(initiative.quarters or []),
        "status": initiative.status,
        "evaluation": initiative.evaluation,
        "responsible": initiative.responsible_id,
        "tracks": sorted(initiative.tracks.values_list("slug", flat=True)),
        "branches": sorted(initiative.branches.values_list("slug", flat=True)),
        "partners": sorted(initiative.partners.values_list("pk", flat=True)),
        "events": sorted(initiative.events.values_list("pk", flat=True)),
        "series": sorted(initiative.series.values_list("pk", flat=True)),
    }


@transaction.atomic(durable=True)
def plan_create(
    *,
    actor: User | None,
    year: int,
    period: str = "",
    title: str = "",
    is_draft: bool = False,
    notes: str = "",
) -> Plan:
    """Start the action plan of ``year`` (a draft for next year). One plan per year."""
    _require_staff(actor)
    if Plan.objects.filter(year=year).exists():
        raise Conflict(
            _("There is already a plan for %(year)s."), code=ErrorCode.PLAN_EXISTS, year=year
        )
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                year=year,
                period=period or plan_period_for(year),
                title=title,
                is_draft=is_draft,
                notes=notes,
            )
    except IntegrityError as error:
        raise Conflict(
            _("There is already a plan for %(year)s."), code=ErrorCode.PLAN_EXISTS, year=year
        ) from error
    audit_log(
        actor=actor,
        action=AuditAction.PLAN_CREATED,
        target=plan,
        data={"year": year, "period": plan.period, "draft": is_draft},
    )
    return plan


@transaction.atomic(durable=True)
def track_target_set(
    *,
    actor: User | None,
    plan: Plan,
    track: Track,
    branch: Branch | None = None,
    min_initiatives: int = DEFAULT_MIN_INITIATIVES,
    min_events: int | None = None,
    min_attendance: int | None = None,
) -> TrackTarget:
    """Set the target of a track in a plan, overall (no branch) or for one branch."""
    _require_staff(actor)
    managed = _managed_ids(actor)  # type: ignore[arg-type]
    if managed is not None and (branch is None or branch.pk not in managed):
        raise PermissionDenied(
            _("Only an administrator can set targets for all branches or for other branches.")
        )
    for name, value in (
        ("min_initiatives", min_initiatives),
        ("min_events", min_events),
        ("min_attendance", min_attendance),
    ):
        if value is not None and value < 0:
            raise RuleViolation(_("A target cannot be negative."), field=name)
    target, created = TrackTarget.objects.select_for_update().get_or_create(
        plan=plan,
        track=track,
        branch=branch,
        defaults={
            "min_initiatives": min_initiatives,
            "min_events": min_events,
            "min_attendance": min_attendance,
        },
    )
    old = {
        "min_initiatives": target.min_initiatives,
        "min_events": target.min_events,
        "min_attendance": target.min_attendance,
    }
    new = {
        "min_initiatives": min_initiatives,
        "min_events": min_events,
        "min_attendance": min_attendance,
    }
    if not created and old == new:
        return target
    if not created:
        for key, value in new.items():
            setattr(target, key, value)
        target.save(update_fields=list(new))
    audit_log(
        actor=actor,
        action=AuditAction.PLAN_TARGET_SET,
        target=target,
        data={"old": None if created else old, "new": new},
    )
    return target


@transaction.atomic(durable=True)
def initiative_create(
    *,
    actor: User | None,
    plan: Plan,
    title: str,
    quarters: Iterable[int],
    tracks: Iterable[Track],
    branches: Iterable[Branch],
    description: str = "",
    partners: Iterable[Partner] = (),
    responsible: User | None = None,
    status: str = InitiativeStatus.PLANNED,
    evaluation: str = "",
    events: Iterable[Event] = (),
    series: Iterable[EventSeries] = (),
) -> Initiative:
    """Add an initiative to a plan. Staff add initiatives only for their own branches."""
    _require_staff(actor)
    tracks, branches = list(tracks), list(branches)
    if not tracks:
        raise RuleViolation(_("Choose at least one track."), field="tracks")
    if not branches:
        raise RuleViolation(_("Choose at least one branch."), field="branches")
    managed = _managed_ids(actor)  # type: ignore[arg-type]
    if managed is not None:
        foreign = [b.name for b in branches if b.pk not in managed]
        if foreign:
            raise PermissionDenied(
                _("You can only add initiatives for your own branches, not for %(branches)s."),
                branches=", ".join(foreign),
            )
    initiative = Initiative.objects.create(
        plan=plan,
        title=_clean_text(title, field="title", required=True, max_length=200),
        description=_clean_text(description, field="description", required=False, max_length=5000),
        quarters=_clean_quarters(quarters),
        responsible=_clean_responsible(responsible),
        status=_check_status(status),
        evaluation=_clean_text(evaluation, field="evaluation", required=False, max_length=5000),
    )
    initiative.tracks.set(tracks)
    initiative.branches.set(branches)
    initiative.partners.set(list(partners))
    initiative.events.set(list(events))
    initiative.series.set(list(series))
    audit_log(
        actor=actor,
        action=AuditAction.INITIATIVE_CREATED,
        target=initiative,
        data={"plan": plan.year, **_snapshot(initiative)},
    )
    return initiative


@transaction.atomic(durable=True)
def initiative_update(
    *,
    actor: User | None,
    initiative: Initiative,
    title: str = _UNSET,
    description: str = _UNSET,
    quarters: Iterable[int] = _UNSET,
    tracks: Iterable[Track] = _UNSET,
    branches: Iterable[Branch] = _UNSET,
    partners: Iterable[Partner] = _UNSET,
    responsible: User | None = _UNSET,
    status: str = _UNSET,
    evaluation: str = _UNSET,
    events: Iterable[Event] = _UNSET,
    series: Iterable[EventSeries] = _UNSET,
) -> Initiative:
    """Change an initiative; only the given fields change.

    Staff may change an initiative that runs at one of their branches, and may add or
    remove only their own branches; administrators may change every initiative.
    """
    _require_staff(actor)
    try:
        initiative = lock_one(Initiative, initiative.pk)
    except Initiative.DoesNotExist as error:
        raise RuleViolation(_("The initiative no longer exists."), code=ErrorCode.GONE) from error
    managed = _managed_ids(actor)  # type: ignore[arg-type]
    current_branches = set(initiative.branches.values_list("pk", flat=True))
    if managed is not None and not (managed & current_branches):
        raise PermissionDenied(
            _(
                "You can only change initiatives of your own branches. "
                "Ask a colleague at the branch to make the change."
            )
        )
    before = _snapshot(initiative)
    fields: list[str] = []
    if title is not _UNSET:
        initiative.title = _clean_text(title, field="title", required=True, max_length=200)
        fields.append("title")
    if description is not _UNSET:
        initiative.description = _clean_text(
            description, field="description", required=False, max_length=5000
        )
        fields.append("description")
    if quarters is not _UNSET:
        initiative.quarters = _clean_quarters(quarters)
        fields.append("quarters")
    if responsible is not _UNSET:
        initiative.responsible = _clean_responsible(responsible)
        fields.append("responsible")
    if status is not _UNSET:
        initiative.status = _check_status(status)
        fields.append("status")
    if evaluation is not _UNSET:
        initiative.evaluation = _clean_text(
            evaluation, field="evaluation", required=False, max_length=5000
        )
        fields.append("evaluation")
    if tracks is not _UNSET:
        tracks = list(tracks)
        if not tracks:
            raise RuleViolation(_("Choose at least one track."), field="tracks")
    if branches is not _UNSET:
        branches = list(branches)
        if not branches:
            raise RuleViolation(_("Choose at least one branch."), field="branches")
        changed = current_branches ^ {b.pk for b in branches}
        if managed is not None and changed - managed:
            names = Branch.objects.filter(pk__in=changed - managed).values_list("name", flat=True)
            raise PermissionDenied(
                _("You can only add or remove your own branches, not %(branches)s."),
                branches=", ".join(sorted(names)),
            )
    if fields:
        initiative.save(update_fields=[*fields, "updated_at"])
    if tracks is not _UNSET:
        initiative.tracks.set(tracks)
    if branches is not _UNSET:
        initiative.branches.set(branches)
    if partners is not _UNSET:
        initiative.partners.set(list(partners))
    if events is not _UNSET:
        initiative.events.set(list(events))
    if series is not _UNSET:
        initiative.series.set(list(series))
    after = _snapshot(initiative)
    if after != before:
        changes = {k: {"old": before[k], "new": after[k]} for k in after if after[k] != before[k]}
        audit_log(
            actor=actor, action=AuditAction.INITIATIVE_CHANGED, target=initiative, data=changes
        )
    return initiative
