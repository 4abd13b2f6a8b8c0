"""Associations host their own public events.

A member of an association with a room booking of the association's proposes a public event
in it (``association_event_propose``); staff of the room's branch approve it
(``association_event_approve``: the event is published in the booked room and time, with the
association as host and partner, so it appears in the programme and
the feeds and counts in the plan's coverage) or reject it with a reason
(``association_event_reject``). The association's booking becomes the event's hold on the
room: cancelling the event gives the room back.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction, MessageKind
from core.db import is_conflict_error
from core.exceptions import Conflict, ErrorCode, NotFound, PermissionDenied, RuleViolation
from core.models import Audience, Partner, Track, User
from core.selectors import can_manage_branch
from core.services import audit_log
from core.signals import state_changed
from events.models import (
    AssociationEventProposal,
    AssociationEventStatus,
    Event,
    EventState,
    PlaceKind,
)
from events.services.series import series_build
from rooms.models import Booking, BookingKind, BookingStatus


def _check_booking(actor: User, booking: Booking) -> Partner:
    """A confirmed, coming booking of an association ``actor`` is a member of; returns the
    association."""
    partner = booking.partner
    if partner is None or not partner.members.filter(pk=actor.pk).exists():
        raise PermissionDenied(
            _("Only members of the association the room is booked for can propose an event."),
            code=ErrorCode.NOT_A_MEMBER,
        )
    if booking.kind != BookingKind.BOOKING or booking.status != BookingStatus.CONFIRMED:
        raise RuleViolation(
            _("The room booking must be confirmed before you propose an event in it."),
            field="booking",
        )
    if booking.start <= timezone.now():
        raise RuleViolation(_("This booking has already started."), field="booking")
    return partner


@transaction.atomic(durable=True)
def association_event_propose(
    *,
    actor: User,
    booking: Booking,
    title: str,
    description: str,
    tracks: Iterable[Track],
    audiences: Iterable[Audience] = (),
    capacity: int | None = None,
    registration_required: bool = True,
) -> AssociationEventProposal:
    """A member proposes a public event of the association in its room booking."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Please log in."))
    partner = _check_booking(actor, booking)
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise RuleViolation(_("Please give the event a title."), field="title")
    if not description:
        raise RuleViolation(_("Please describe the event for the programme."), field="description")
    tracks = list(tracks)
    if not tracks:
        raise RuleViolation(
            _("Choose at least one track."), field="tracks", code=ErrorCode.TRACK_REQUIRED
        )
    if capacity is not None and (capacity < 1 or capacity > booking.room.capacity):
        raise RuleViolation(
            _("%(room)s holds at most %(capacity)s people."),
            field="capacity",
            room=booking.room.name,
            capacity=booking.room.capacity,
        )
    try:
        with transaction.atomic():
            proposal = AssociationEventProposal.objects.create(
                partner=partner,
                proposer=actor,
                booking=booking,
                title=title[:200],
                description=description,
                capacity=capacity,
                registration_required=registration_required,
            )
    except IntegrityError as error:
        if is_conflict_error(error):
            raise Conflict(
                _("An event is already proposed in this booking."), code=ErrorCode.DECIDED
            ) from error
        raise
    proposal.tracks.set(tracks)
    proposal.audiences.set(list(audiences))
    audit_log(
        actor=actor,
        action=AuditAction.ASSOCIATION_EVENT_PROPOSED,
        target=proposal,
        data={"booking": booking.pk, "partner": booking.partner_id, "title": proposal.title},
    )
    return proposal


def _lock_pending(actor: User, proposal: AssociationEventProposal) -> AssociationEventProposal:
    locking.lock_one(AssociationEventProposal, proposal.pk)
    fresh = AssociationEventProposal.objects.select_related(
        "booking__room__branch", "partner", "proposer"
    ).get(pk=proposal.pk)
    if not can_manage_branch(user=actor, branch=fresh.booking.room.branch_id):
        raise NotFound()
    if fresh.status != AssociationEventStatus.PENDING:
        raise RuleViolation(
            _("Only a proposal that awaits a decision can be decided (this one is %(status)s)."),
            code=ErrorCode.NOT_PENDING,
            status=fresh.get_status_display(),
        )
    return fresh


def _decide(
    proposal: AssociationEventProposal, *, actor: User, status: str, reason: str = ""
) -> None:
    proposal.status = status
    proposal.decision_reason = reason[:300]
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()


@transaction.atomic(durable=True)
def association_event_approve(
    *, actor: User, proposal: AssociationEventProposal
) -> AssociationEventProposal:
    """Staff of the branch publish the proposed event in the association's booked room and
    time, with the association as host and partner (its members check people in: see
    ``events.selectors.can_host_event``)."""
    proposal = _lock_pending(actor, proposal)
    booking = proposal.booking
    if booking.status != BookingStatus.CONFIRMED or booking.start <= timezone.now():
        raise RuleViolation(
            _("The association's room booking was cancelled or has started; reject instead."),
            code=ErrorCode.PROPOSAL_IN_THE_PAST,
        )
    series = series_build(
        actor=actor,
        rrule="",
        start=booking.start,
        end=booking.end,
        title=proposal.title,
        branch=booking.room.branch,
        state=EventState.PUBLISHED,
        include_closed=False,
        tracks=list(proposal.tracks.all()),
        audiences=list(proposal.audiences.all()),
        partners=[proposal.partner],
        description=proposal.description,
        capacity=proposal.capacity,
        registration_required=proposal.registration_required,
        place_kind=PlaceKind.BRANCH,  # the room is already held by the association's booking
    )
    event = series.events.get()
    # The association's booking is the event's hold on its room (no second booking).
    Event.objects.filter(pk=event.pk).update(
        room=booking.room, place_kind=PlaceKind.ROOM, room_booking=booking
    )
    series.room, series.place_kind = booking.room, PlaceKind.ROOM
    series.save(update_fields=["room", "place_kind"])
    proposal.event = event
    _decide(proposal, actor=actor, status=AssociationEventStatus.APPROVED)
    audit_log(
        actor=actor,
        action=AuditAction.ASSOCIATION_EVENT_APPROVED,
        target=proposal,
        data={"event": event.pk, "booking": booking.pk},
    )
    state_changed.send(
        sender=AssociationEventProposal,
        kind=MessageKind.ASSOCIATION_EVENT_APPROVED,
        instance=proposal,
        actor=actor,
        data={},
    )
    return proposal


@transaction.atomic(durable=True)
def association_event_reject(
    *, actor: User, proposal: AssociationEventProposal, reason: str
) -> AssociationEventProposal:
    """Staff of the branch turn the proposal down with a reason the association reads."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give the association a reason."), field="reason")
    proposal = _lock_pending(actor, proposal)
    _decide(proposal, actor=actor, status=AssociationEventStatus.REJECTED, reason=reason)
    audit_log(
        actor=actor,
        action=AuditAction.ASSOCIATION_EVENT_REJECTED,
        target=proposal,
        data={"reason": reason},
    )
    state_changed.send(
        sender=AssociationEventProposal,
        kind=MessageKind.ASSOCIATION_EVENT_REJECTED,
        instance=proposal,
        actor=actor,
        data={"reason": reason},
    )
    return proposal
