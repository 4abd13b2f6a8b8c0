"""Reads for associations' event proposals: the bookings a member may propose an event for,
the proposals of a member and those waiting for staff."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from core.exceptions import NotFound
from core.models import User
from core.selectors import branches_managed_by, can_manage_branch
from events.models import AssociationEventProposal, AssociationEventStatus
from rooms.models import Booking, BookingKind, BookingStatus


def association_bookings_for(*, user: User) -> QuerySet[Booking]:
    """The coming confirmed room bookings of the associations ``user`` is a member of, where
    a public event can be proposed (with the room, branch and association joined)."""
    return (
        Booking.objects.filter(
            partner__members=user,
            kind=BookingKind.BOOKING,
            status=BookingStatus.CONFIRMED,
            start__gt=timezone.now(),
        )
        .select_related("room__branch", "partner")
        .order_by("start", "pk")
    )


def association_booking_get_for_member(*, actor: User | None, pk: int | str) -> Booking:
    if actor is None or not actor.is_authenticated or not str(pk).isdigit():
        raise NotFound()
    booking = association_bookings_for(user=actor).filter(pk=pk).first()
    if booking is None:
        raise NotFound()
    return booking


def _proposal_queryset() -> QuerySet[AssociationEventProposal]:
    joins = ("partner", "proposer", "booking__room__branch", "event")
    return AssociationEventProposal.objects.select_related(*joins).prefetch_related(
        "tracks", "audiences"
    )


def association_proposals_for(*, user: User) -> QuerySet[AssociationEventProposal]:
    """The event proposals of the associations ``user`` is a member of, newest first."""
    return _proposal_queryset().filter(partner__members=user).order_by("-created_at", "-pk")


def association_proposals_pending(*, actor: User) -> QuerySet[AssociationEventProposal]:
    """Proposals awaiting a decision in the branches ``actor`` manages, oldest first."""
    return (
        _proposal_queryset()
        .filter(
            status=AssociationEventStatus.PENDING,
            booking__room__branch__in=branches_managed_by(user=actor),
        )
        .order_by("created_at", "pk")
    )


def association_proposal_get_for_staff(
    *, actor: User | None, pk: int | str
) -> AssociationEventProposal:
    proposal = _proposal_queryset().filter(pk=pk).first() if str(pk).isdigit() else None
    if proposal is None or not can_manage_branch(
        user=actor, branch=proposal.booking.room.branch_id
    ):
        raise NotFound()
    return proposal
