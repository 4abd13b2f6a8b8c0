"""Session proposals: a volunteer proposes a session (one-off or recurring), changes or
withdraws it; staff of the branch approve it (it becomes a published event, with its room
occupied and the volunteer as host), reject it or ask for changes. The host then checks
people in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction, MessageKind
from core.exceptions import ErrorCode, NotFound, RuleViolation
from core.models import Audience, Branch, Track, User
from core.recurrence import Occurrence, expand, kept
from core.selectors import can_manage_branch
from core.services import audit_log
from core.signals import state_changed
from core.timeutils import local_tz
from events import services as event_services
from events.models import EventSeries, EventState, Registration
from events.selectors import event_get_for_host, registration_get_for
from events.services import registration_check_in
from rooms.models import Room
from volunteers.models import ProposalStatus, SessionProposal, VolunteerProfile
from volunteers.services._common import (
    _PROPOSAL_NOT_FOUND,
    _paused_problem,
    _profile_of,
    certificate_problem,
    format_day,
)

PROPOSAL_FIELDS = {
    "title",
    "description",
    "branch",
    "room",
    "start",
    "end",
    "rrule",
    "capacity",
    "children_under_15",
}

# --- The dates and rules of a proposal -----------------------------------------------------


def proposal_occurrences(
    *, start: datetime, end: datetime, rrule: str, branch: Branch
) -> list[Occurrence]:
    """Every date a proposal's rule gives, skipped ones (holidays, closures) included with
    their reason: the preview the volunteer sees. Raises RuleViolation for a bad rule."""
    if not rrule.strip():
        return [Occurrence(start=start, end=end, day=timezone.localtime(start, local_tz()).date())]
    return expand(rrule=rrule, first_start=start, first_end=end, branch=branch, limit=120)


def proposal_dates(
    *, start: datetime, end: datetime, rrule: str, branch: Branch
) -> list[tuple[datetime, datetime]]:
    """The dates a proposal would really give (the events' recurrence engine)."""
    occurrences = proposal_occurrences(start=start, end=end, rrule=rrule, branch=branch)
    return [(o.start, o.end) for o in kept(occurrences)]


def _check_proposal(
    *,
    branch: Branch,
    room: Room | None,
    start: datetime,
    end: datetime,
    rrule: str,
    capacity: int | None,
) -> list[tuple[datetime, datetime]]:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise RuleViolation(_("Give times with their UTC offset."), field="start")
    if end <= start:
        raise RuleViolation(_("The session must end after it starts."), field="end")
    if start <= timezone.now():
        raise RuleViolation(_("Choose a time in the future."), field="start")
    if room is not None and room.branch_id != branch.pk:
        raise RuleViolation(
            _("The room %(room)s is not at %(branch)s."),
            field="room",
            room=room.name,
            branch=branch.name,
        )
    if capacity is not None and capacity < 1:
        raise RuleViolation(_("The capacity must be at least 1."), field="capacity")
    if room is not None and capacity is not None and capacity > room.capacity:
        raise RuleViolation(
            _("%(room)s holds at most %(max)s people."),
            field="capacity",
            room=room.name,
            max=room.capacity,
        )
    dates = proposal_dates(start=start, end=end, rrule=rrule, branch=branch)
    if not dates:
        raise RuleViolation(
            _("The repeat rule gives no dates (they may all be holidays or closures)."),
            field="rrule",
        )
    if len(dates) > 60:
        raise RuleViolation(_("A series can have at most 60 sessions."), field="rrule")
    return dates


def _check_tracks(tracks: list[Track]) -> None:
    if not tracks:
        raise RuleViolation(
            _("Choose at least one of the plan's tracks the session belongs to."), field="tracks"
        )


# --- The volunteer's side ------------------------------------------------------------------


@transaction.atomic(durable=True)
def proposal_submit(
    *,
    actor: User,
    title: str,
    branch: Branch,
    start: datetime,
    end: datetime,
    description: str = "",
    room: Room | None = None,
    rrule: str = "",
    tracks: Iterable[Track] = (),
    audiences: Iterable[Audience] = (),
    capacity: int | None = None,
    children_under_15: bool = False,
) -> SessionProposal:
    """A volunteer proposes a session; staff of ``branch`` decide."""
    profile = _profile_of(actor)
    problem = _paused_problem(profile)
    if problem is not None:
        raise problem
    title = title.strip()
    if not title:
        raise RuleViolation(_("Give the session a title."), field="title")
    tracks = list(tracks)
    _check_tracks(tracks)
    _check_proposal(branch=branch, room=room, start=start, end=end, rrule=rrule, capacity=capacity)
    proposal = SessionProposal.objects.create(
        volunteer=actor,
        title=title,
        description=description,
        branch=branch,
        room=room,
        start=start,
        end=end,
        rrule=rrule.strip(),
        capacity=capacity,
        children_under_15=children_under_15,
    )
    proposal.tracks.set(list(tracks))
    proposal.audiences.set(list(audiences))
    audit_log(
        actor=actor,
        action=AuditAction.PROPOSAL_SUBMITTED,
        target=proposal,
        data={"title": title, "branch": branch.slug},
    )
    return proposal


@transaction.atomic(durable=True)
def proposal_update(
    *, actor: User, proposal: SessionProposal, data: dict[str, Any]
) -> SessionProposal:
    """The volunteer changes their proposal while it waits, or as asked; it waits again."""
    proposal = locking.lock_one(SessionProposal, proposal.pk)
    if proposal.volunteer_id != actor.pk:
        raise _PROPOSAL_NOT_FOUND.error()
    if proposal.status not in {ProposalStatus.PENDING, ProposalStatus.CHANGES_REQUESTED}:
        raise RuleViolation(
            _("This proposal has been decided and can no longer be changed."),
            code=ErrorCode.DECIDED,
        )
    if "tracks" in data:
        _check_tracks(list(data["tracks"]))
    for field in PROPOSAL_FIELDS & set(data):
        setattr(proposal, field, data[field])
    _check_proposal(
        branch=proposal.branch,
        room=proposal.room,
        start=proposal.start,
        end=proposal.end,
        rrule=proposal.rrule,
        capacity=proposal.capacity,
    )
    old_status = proposal.status
    proposal.status = ProposalStatus.PENDING
    proposal.save()
    if "tracks" in data:
        proposal.tracks.set(list(data["tracks"]))
    if "audiences" in data:
        proposal.audiences.set(list(data["audiences"]))
    audit_log(
        actor=actor,
        action=AuditAction.PROPOSAL_UPDATED,
        target=proposal,
        data={"fields": sorted(set(data)), "old_status": old_status},
    )
    return proposal


@transaction.atomic(durable=True)
def proposal_withdraw(*, actor: User, proposal: SessionProposal) -> SessionProposal:
    proposal = locking.lock_one(SessionProposal, proposal.pk)
    if proposal.volunteer_id != actor.pk:
        raise _PROPOSAL_NOT_FOUND.error()
    if proposal.status == ProposalStatus.WITHDRAWN:
        return proposal
    if proposal.status not in {ProposalStatus.PENDING, ProposalStatus.CHANGES_REQUESTED}:
        raise RuleViolation(_("This proposal has already been decided."), code=ErrorCode.DECIDED)
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, action=AuditAction.PROPOSAL_WITHDRAWN, target=proposal)
    return proposal


# --- The staff's decision ------------------------------------------------------------------


def _lock_undecided(actor: User, proposal: SessionProposal) -> SessionProposal:
    locking.lock_one(SessionProposal, proposal.pk)
    proposal = SessionProposal.objects.select_related("branch", "room", "volunteer").get(
        pk=proposal.pk
    )
    if not can_manage_branch(user=actor, branch=proposal.branch_id):
        raise _PROPOSAL_NOT_FOUND.error()
    if proposal.status != ProposalStatus.PENDING:
        raise RuleViolation(
            _("Only a proposal that awaits a decision can be decided (this one is %(status)s)."),
            code=ErrorCode.NOT_PENDING,
            status=proposal.get_status_display(),
        )
    return proposal


def _decide(
    proposal: SessionProposal, *, actor: User, status: ProposalStatus, note: str | None = None
) -> None:
    """Save the decision: who, when, and the note to the volunteer (if any)."""
    proposal.status = status
    if note is not None:
        proposal.decision_note = note
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()


@transaction.atomic(durable=True)
def proposal_approve(*, actor: User, proposal: SessionProposal) -> SessionProposal:
    """Staff of the branch approve: the proposal becomes a published event (or series) with
    its room occupied and the volunteer as host."""
    proposal = _lock_undecided(actor, proposal)
    host = _host_to_approve(proposal)
    dates = proposal_dates(
        start=proposal.start, end=proposal.end, rrule=proposal.rrule, branch=proposal.branch
    )
    if proposal.children_under_15:
        _check_host_certificate(host=host, dates=dates)
    series = _publish(actor=actor, proposal=proposal, host=host)
    proposal.event = None if proposal.rrule else series.events.get()
    proposal.event_series = series
    _decide(proposal, actor=actor, status=ProposalStatus.APPROVED)
    audit_log(
        actor=actor,
        action=AuditAction.PROPOSAL_APPROVED,
        target=proposal,
        data={
            "event": proposal.event_id,
            "series": proposal.event_series_id,
        },
    )
    state_changed.send(
        sender=SessionProposal,
        kind=MessageKind.PROPOSAL_APPROVED,
        instance=proposal,
        actor=actor,
        data={},
    )
    return proposal


def _host_to_approve(proposal: SessionProposal) -> User:
    """The volunteer who will host the session; a proposal whose time has passed waits for a
    new time instead."""
    host = proposal.volunteer
    if host is None:
        raise RuleViolation(_("The volunteer's account no longer exists."), code=ErrorCode.NO_HOST)
    if proposal.start <= timezone.now():
        raise RuleViolation(
            _("The proposed time has passed. Ask the volunteer for a new time instead."),
            code=ErrorCode.PROPOSAL_IN_THE_PAST,
        )
    return host


def _check_host_certificate(*, host: User, dates: list[tuple[datetime, datetime]]) -> None:
    """A session with children under 15 needs the host's child certificate clear and valid
    until its last date."""
    profile = VolunteerProfile.objects.filter(user=host).first()
    last_day = timezone.localtime(dates[-1][0], local_tz()).date() if dates else None
    problem = (
        certificate_problem(profile=profile, day=last_day)
        if profile is not None and last_day is not None
        else RuleViolation(_("The host is not a volunteer."), code=ErrorCode.NOT_A_VOLUNTEER)
    )
    if problem is not None:
        raise RuleViolation(
            _(
                "The session is with children under 15, and the host's child certificate "
                "is not clear and valid until its last date (%(day)s). Record the "
                "certificate first."
            ),
            code=problem.code,
            day=format_day(last_day) if last_day else "",
        )


def _publish(*, actor: User, proposal: SessionProposal, host: User) -> EventSeries:
    """The proposal as a published event series (one event for a one-off session), its room
    occupied, the volunteer as host."""
    # The events app's composable series writer (its event_create/series_create are durable
    # entry points and cannot run inside this transaction).
    return event_services.series_build(
        actor=actor,
        rrule=proposal.rrule,
        start=proposal.start,
        end=proposal.end,
        title=proposal.title,
        branch=proposal.branch,
        state=EventState.PUBLISHED,
        include_closed=not proposal.rrule,
        tracks=list(proposal.tracks.all()),
        audiences=list(proposal.audiences.all()),
        partners=[],
        description=proposal.description,
        room=proposal.room,
        capacity=proposal.capacity,
        host=host,
    )


@transaction.atomic(durable=True)
def proposal_reject(*, actor: User, proposal: SessionProposal, reason: str) -> SessionProposal:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give the volunteer a reason."), field="reason")
    proposal = _lock_undecided(actor, proposal)
    _decide(proposal, actor=actor, status=ProposalStatus.REJECTED, note=reason)
    audit_log(
        actor=actor, action=AuditAction.PROPOSAL_REJECTED, target=proposal, data={"reason": reason}
    )
    state_changed.send(
        sender=SessionProposal,
        kind=MessageKind.PROPOSAL_REJECTED,
        instance=proposal,
        actor=actor,
        data={"reason": reason},
    )
    return proposal


@transaction.atomic(durable=True)
def proposal_request_changes(
    *, actor: User, proposal: SessionProposal, note: str
) -> SessionProposal:
    note = (note or "").strip()
    if not note:
        raise RuleViolation(_("Say which changes you would like."), field="note")
    proposal = _lock_undecided(actor, proposal)
    _decide(proposal, actor=actor, status=ProposalStatus.CHANGES_REQUESTED, note=note)
    audit_log(
        actor=actor,
        action=AuditAction.PROPOSAL_CHANGES_REQUESTED,
        target=proposal,
        data={"note": note},
    )
    state_changed.send(
        sender=SessionProposal,
        kind=MessageKind.PROPOSAL_CHANGES_REQUESTED,
        instance=proposal,
        actor=actor,
        data={"note": note},
    )
    return proposal


# --- The host at the session ---------------------------------------------------------------


def session_check_in(*, actor: User, event_pk: int, registration_pk: int) -> Registration:
    """The host of a session checks a registration in (the events app's gate and service:
    only the host of that event, or its branch's staff; anyone else gets a 404)."""
    event = event_get_for_host(actor=actor, pk=event_pk)
    registration = registration_get_for(actor=actor, pk=registration_pk)
    if registration.event_id != event.pk:
        raise NotFound()
    return registration_check_in(actor=actor, registration=registration)
