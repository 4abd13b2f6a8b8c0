"""Writes of the plan: plans, targets and initiatives. Every change leaves an audit row."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any, Final

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


class _Unset(Enum):
    """An argument that was not given (``None`` is a value: "nobody responsible")."""

    UNSET = "unset"


_UNSET: Final = _Unset.UNSET


def _require_staff(actor: User | None) -> User:
    """``actor`` if they are library staff (the only ones who change the plan), else 403."""
    if actor is None or not actor.is_authenticated or not actor.is_library_staff:
        raise PermissionDenied(_("Only library staff may change the action plan."))
    return actor


def _managed_ids(actor: User) -> set[int] | None:
    """The branch ids ``actor`` manages; None means every branch (administrators)."""
    if actor.is_administrator:
        return None
    return set(branches_managed_by(user=actor).values_list("pk", flat=True))


def _clean_quarters(quarters: Iterable[int | str]) -> list[int]:
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


STATUS_MAX_LENGTH = 2000


@transaction.atomic(durable=True)
def plan_status_write(
    *, actor: User | None, plan: Plan, overall: str, per_track: dict[str, str]
) -> Plan:
    """The manager's written status for the report: overall and per track (by slug).

    Saved with the plan, shown on page 1 of the report. Unknown track slugs are refused;
    empty texts are dropped. Writing the same text again changes nothing.
    """
    _require_staff(actor)
    known = set(Track.objects.values_list("slug", flat=True))
    unknown = sorted(set(per_track) - known)
    if unknown:
        raise RuleViolation(
            _("There is no track called “%(track)s”."), field="track_status", track=unknown[0]
        )
    texts = {slug: text.strip() for slug, text in per_track.items() if text.strip()}
    overall = overall.strip()
    for text in [overall, *texts.values()]:
        if len(text) > STATUS_MAX_LENGTH:
            raise RuleViolation(
                _("A status may be at most %(n)s characters."),
                field="track_status",
                n=STATUS_MAX_LENGTH,
            )
    fresh = lock_one(Plan, plan.pk)
    if fresh.status_overall == overall and fresh.track_status == texts:
        return fresh
    old = {"overall": fresh.status_overall, "tracks": fresh.track_status}
    fresh.status_overall, fresh.track_status = overall, texts
    fresh.save(update_fields=["status_overall", "track_status"])
    audit_log(
        actor=actor,
        action=AuditAction.PLAN_STATUS_WRITTEN,
        target=fresh,
        data={"old": old, "new": {"overall": overall, "tracks": texts}},
    )
    return fresh


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
    managed = _managed_ids(_require_staff(actor))
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
    staff = _require_staff(actor)
    tracks, branches = list(tracks), list(branches)
    if not tracks:
        raise RuleViolation(_("Choose at least one track."), field="tracks")
    if not branches:
        raise RuleViolation(_("Choose at least one branch."), field="branches")
    managed = _managed_ids(staff)
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
    title: str | _Unset = _UNSET,
    description: str | _Unset = _UNSET,
    quarters: Iterable[int] | _Unset = _UNSET,
    tracks: Iterable[Track] | _Unset = _UNSET,
    branches: Iterable[Branch] | _Unset = _UNSET,
    partners: Iterable[Partner] | _Unset = _UNSET,
    responsible: User | None | _Unset = _UNSET,
    status: str | _Unset = _UNSET,
    evaluation: str | _Unset = _UNSET,
    events: Iterable[Event] | _Unset = _UNSET,
    series: Iterable[EventSeries] | _Unset = _UNSET,
) -> Initiative:
    """Change an initiative; only the given fields change.

    Staff may change an initiative that runs at one of their branches, and may add or
    remove only their own branches; administrators may change every initiative.
    """
    initiative, managed, current_branches = _lock_for_edit(_require_staff(actor), initiative)
    before = _snapshot(initiative)
    fields = _apply_fields(
        initiative,
        title=title,
        description=description,
        quarters=quarters,
        responsible=responsible,
        status=status,
        evaluation=evaluation,
    )
    new_tracks = _given_tracks(tracks)
    new_branches = _given_branches(branches, current=current_branches, managed=managed)
    if fields:
        initiative.save(update_fields=[*fields, "updated_at"])
    if new_tracks is not None:
        initiative.tracks.set(new_tracks)
    if new_branches is not None:
        initiative.branches.set(new_branches)
    if not isinstance(partners, _Unset):
        initiative.partners.set(list(partners))
    if not isinstance(events, _Unset):
        initiative.events.set(list(events))
    if not isinstance(series, _Unset):
        initiative.series.set(list(series))
    after = _snapshot(initiative)
    if after != before:
        changes = {k: {"old": before[k], "new": after[k]} for k in after if after[k] != before[k]}
        audit_log(
            actor=actor, action=AuditAction.INITIATIVE_CHANGED, target=initiative, data=changes
        )
    return initiative


@transaction.atomic(durable=True)
def initiative_partner_set(
    *, actor: User | None, initiative: Initiative, partner: Partner, linked: bool
) -> Initiative:
    """Link ``partner`` to an initiative (``linked``) or unlink it, as from the partner page.

    The same rights as ``initiative_update``: staff of one of the initiative's branches,
    administrators for all; the audit row (``initiative.changed``) has the old and new
    partners. Already so: nothing happens.
    """
    initiative, _managed, _branches = _lock_for_edit(_require_staff(actor), initiative)
    current = set(initiative.partners.values_list("pk", flat=True))
    if (partner.pk in current) == linked:
        return initiative
    new = current | {partner.pk} if linked else current - {partner.pk}
    initiative.partners.set(sorted(new))
    audit_log(
        actor=actor,
        action=AuditAction.INITIATIVE_CHANGED,
        target=initiative,
        data={"partners": {"old": sorted(current), "new": sorted(new)}},
    )
    return initiative


def _lock_for_edit(
    staff: User, initiative: Initiative
) -> tuple[Initiative, set[int] | None, set[int]]:
    """The initiative locked, the branches ``staff`` manage and the initiative's branches.

    A 403 unless the initiative runs at one of the branches ``staff`` manage.
    """
    try:
        initiative = lock_one(Initiative, initiative.pk)
    except Initiative.DoesNotExist as error:
        raise RuleViolation(_("The initiative no longer exists."), code=ErrorCode.GONE) from error
    managed = _managed_ids(staff)
    current_branches = set(initiative.branches.values_list("pk", flat=True))
    if managed is not None and not (managed & current_branches):
        raise PermissionDenied(
            _(
                "You can only change initiatives of your own branches. "
                "Ask a colleague at the branch to make the change."
            )
        )
    return initiative, managed, current_branches


def _apply_fields(
    initiative: Initiative,
    *,
    title: str | _Unset,
    description: str | _Unset,
    quarters: Iterable[int] | _Unset,
    responsible: User | None | _Unset,
    status: str | _Unset,
    evaluation: str | _Unset,
) -> list[str]:
    """Set each given field, checked; the names of the fields set (not yet saved)."""
    fields: list[str] = []
    if not isinstance(title, _Unset):
        initiative.title = _clean_text(title, field="title", required=True, max_length=200)
        fields.append("title")
    if not isinstance(description, _Unset):
        initiative.description = _clean_text(
            description, field="description", required=False, max_length=5000
        )
        fields.append("description")
    if not isinstance(quarters, _Unset):
        initiative.quarters = _clean_quarters(quarters)
        fields.append("quarters")
    if not isinstance(responsible, _Unset):
        initiative.responsible = _clean_responsible(responsible)
        fields.append("responsible")
    if not isinstance(status, _Unset):
        initiative.status = _check_status(status)
        fields.append("status")
    if not isinstance(evaluation, _Unset):
        initiative.evaluation = _clean_text(
            evaluation, field="evaluation", required=False, max_length=5000
        )
        fields.append("evaluation")
    return fields


def _given_tracks(tracks: Iterable[Track] | _Unset) -> list[Track] | None:
    """The new tracks (at least one), or None if they do not change."""
    if isinstance(tracks, _Unset):
        return None
    chosen = list(tracks)
    if not chosen:
        raise RuleViolation(_("Choose at least one track."), field="tracks")
    return chosen


def _given_branches(
    branches: Iterable[Branch] | _Unset, *, current: set[int], managed: set[int] | None
) -> list[Branch] | None:
    """The new branches (at least one), or None if they do not change.

    Staff may add or remove only branches they manage.
    """
    if isinstance(branches, _Unset):
        return None
    chosen = list(branches)
    if not chosen:
        raise RuleViolation(_("Choose at least one branch."), field="branches")
    changed = current ^ {b.pk for b in chosen}
    if managed is not None and changed - managed:
        names = Branch.objects.filter(pk__in=changed - managed).values_list("name", flat=True)
        raise PermissionDenied(
            _("You can only add or remove your own branches, not %(branches)s."),
            branches=", ".join(sorted(names)),
        )
    return chosen
