"""The makerspace: machine licences (kørekort), slot bookings, check-in and the release of
slots nobody claimed.

``equipment_booking_create`` reads as its steps: check the slot asked for, the maker
(licence, age) and the time (not passed, not too far ahead, the makerspace open), then lock
the machine, free the slots nobody claimed, check the maker's limits and that the slot is
free, write and tell. Every writer of a machine's slots locks its ``Equipment`` row first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction, MessageKind
from core.exceptions import BookingConflict, Conflict, ErrorCode, PermissionDenied, RuleViolation
from core.locking import lock_many, lock_one
from core.models import User
from core.selectors import can_manage_branch, closure_reason
from core.services import audit_log
from core.timeutils import local_today
from rooms import selectors
from rooms.models import (
    Equipment,
    EquipmentBooking,
    EquipmentBookingStatus,
    EquipmentKind,
    Licence,
    LicenceSource,
)
from rooms.services._common import (
    EQUIPMENT_CONSTRAINTS,
    _local,
    _save_or_conflict,
    _signal,
    _utc,
    format_when,
)

# --- Licences ----------------------------------------------------------------------------


@transaction.atomic
def licence_grant(
    *, person: User, equipment_kind: str, actor: User | None, source: str = LicenceSource.STAFF
) -> Licence:
    """Give ``person`` the licence (kørekort) for ``equipment_kind``. Idempotent."""
    if equipment_kind not in EquipmentKind.values:
        raise RuleViolation(
            _("Unknown kind of machine: %(kind)s."), field="equipment_kind", kind=equipment_kind
        )
    if source not in LicenceSource.values:
        raise RuleViolation(_("Unknown licence source: %(source)s."), source=source)
    existing = Licence.objects.filter(person=person, equipment_kind=equipment_kind).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            licence = Licence.objects.create(
                person=person,
                equipment_kind=equipment_kind,
                granted_by=actor if actor is not None and actor.pk else None,
                source=source,
            )
    except IntegrityError:  # granted at the same moment by someone else
        return Licence.objects.get(person=person, equipment_kind=equipment_kind)
    audit_log(
        actor=actor,
        action=AuditAction.LICENCE_GRANTED,
        target=licence,
        data={"person": person.pk, "kind": equipment_kind, "source": source},
    )
    return licence


@transaction.atomic(durable=True)
def licence_grant_by_staff(*, actor: User, person: User, equipment_kind: str) -> Licence:
    """Staff grant a licence: only for a kind of machine one of their branches owns
    (administrators: every kind), as for revoking."""
    if not (actor and actor.is_authenticated and actor.is_library_staff):
        raise PermissionDenied(_("Only library staff can grant licences."))
    if equipment_kind in EquipmentKind.values and equipment_kind not in (
        selectors.licence_kinds_managed_by(user=actor)
    ):
        raise PermissionDenied(
            _("Only staff of a branch with this kind of machine can grant its licences.")
        )
    return licence_grant(person=person, equipment_kind=equipment_kind, actor=actor)


def licence_revoke_course_grant(*, actor: User | None, licence_id: int) -> None:
    """Take back a licence a licence course's check-in gave, when that check-in is undone.

    Called inside the undo's transaction; only a licence still from a course is removed (one
    staff granted by hand since then stays). Gone already: nothing changes.
    """
    fresh = Licence.objects.filter(pk=licence_id, source=LicenceSource.COURSE).first()
    if fresh is None:
        return
    audit_log(
        actor=actor,
        action=AuditAction.LICENCE_REVOKED,
        target=fresh,
        data={
            "person": fresh.person_id,
            "kind": fresh.equipment_kind,
            "source": fresh.source,
            "granted_at": fresh.granted_at.isoformat(),
            "check_in_undone": True,
        },
    )
    fresh.delete()


@transaction.atomic(durable=True)
def licence_revoke(*, actor: User, licence: Licence) -> None:
    """Take a licence (kørekort) back: staff of a branch with a machine of that kind, or an
    administrator. Slots already booked stay; new ones need the licence again. Idempotent."""
    if licence.equipment_kind not in selectors.licence_kinds_managed_by(user=actor):
        raise PermissionDenied(
            _("Only staff of a branch with this kind of machine can revoke its licences.")
        )
    fresh = Licence.objects.filter(pk=licence.pk).first()
    if fresh is None:
        return
    audit_log(
        actor=actor,
        action=AuditAction.LICENCE_REVOKED,
        target=fresh,
        data={
            "person": fresh.person_id,
            "kind": fresh.equipment_kind,
            "source": fresh.source,
            "granted_at": fresh.granted_at.isoformat(),
        },
    )
    fresh.delete()


# --- Slots ---------------------------------------------------------------------------------


def _release_unclaimed(equipment: Equipment, now: datetime, start: datetime, end: datetime) -> None:
    stale = EquipmentBooking.objects.filter(
        equipment=equipment,
        status=EquipmentBookingStatus.CONFIRMED,
        checked_in_at__isnull=True,
        start__lte=now - timedelta(minutes=equipment.release_after_minutes),
        start__lt=end,
        end__gt=start,
    )
    for booking in stale:
        _equipment_booking_set_cancelled(
            booking,
            actor=None,
            reason=str(
                _("not checked in within %(m)s minutes") % {"m": equipment.release_after_minutes}
            ),
            no_show=True,
        )


def _equipment_booking_set_cancelled(
    booking: EquipmentBooking, *, actor: User | None, reason: str, no_show: bool = False
) -> None:
    booking.status = EquipmentBookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancel_reason = reason[:300]
    booking.no_show = no_show
    booking.sequence += 1
    booking.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancel_reason",
            "no_show",
            "sequence",
            "updated_at",
        ]
    )
    audit_log(
        actor=actor,
        action=AuditAction.EQUIPMENT_BOOKING_CANCELLED,
        target=booking,
        data={"reason": reason, "no_show": no_show},
    )
    _signal(
        EquipmentBooking, MessageKind.EQUIPMENT_BOOKING_CANCELLED, booking, actor, reason=reason
    )


@transaction.atomic(durable=True)
def equipment_booking_create(
    *, actor: User, equipment: Equipment, start: datetime, end: datetime | None = None
) -> EquipmentBooking:
    """Book one or more consecutive slots of a machine."""
    start, end = _check_slot(actor, equipment, start, end)
    _check_maker(actor, equipment, start)
    now = timezone.now()
    _check_slot_time(equipment, start, end, now)

    equipment = lock_one(Equipment, equipment.pk)
    _release_unclaimed(equipment, now, start, end)
    _check_slot_limits(equipment, actor, start, end)
    conflict = _check_slot_free(equipment, start, end)
    booking = EquipmentBooking(equipment=equipment, booker=actor, start=start, end=end)
    _save_or_conflict(booking, EQUIPMENT_CONSTRAINTS, conflict)
    audit_log(
        actor=actor,
        action=AuditAction.EQUIPMENT_BOOKING_CONFIRMED,
        target=booking,
        data={"equipment": equipment.pk, "start": start.isoformat(), "end": end.isoformat()},
    )
    _signal(EquipmentBooking, MessageKind.EQUIPMENT_BOOKING_CONFIRMED, booking, actor)
    return booking


def _check_slot(
    actor: User, equipment: Equipment, start: datetime, end: datetime | None
) -> tuple[datetime, datetime]:
    """A logged-in person, a bookable machine, and whole slots on the machine's steps.

    Returns the start and end in UTC (one slot if no end is given).
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Please log in to book a machine."))
    if not equipment.is_active:
        raise RuleViolation(_("This machine cannot be booked at the moment."), field="equipment")
    start = _utc(start)
    step = timedelta(minutes=equipment.slot_minutes)
    end = _utc(end) if end is not None else start + step
    if end <= start:
        raise RuleViolation(_("The end must be after the start."), field="end")
    slots = (end - start) / step
    if slots != int(slots):
        raise RuleViolation(
            _("This machine is booked in slots of %(minutes)s minutes."),
            field="end",
            minutes=equipment.slot_minutes,
        )
    local = _local(start)
    if (local.hour * 60 + local.minute) % equipment.slot_minutes or local.second:
        raise RuleViolation(
            _(
                "Slots of this machine start on whole %(minutes)s-minute steps; pick a slot from the list."
            ),
            field="start",
            minutes=equipment.slot_minutes,
        )
    return start, end


def _check_maker(actor: User, equipment: Equipment, start: datetime) -> None:
    """The maker holds the machine's licence (kørekort) and is old enough on the day."""
    if equipment.licence_required and not selectors.has_licence(
        user=actor, equipment_kind=equipment.kind
    ):
        raise RuleViolation(
            _(
                "You need the licence (kørekort) for the %(kind)s first. Join a licence course or ask the staff."
            ),
            code=ErrorCode.LICENCE_REQUIRED,
            kind=equipment.get_kind_display().lower(),
        )
    if equipment.min_age:
        if actor.birth_date is None:
            raise RuleViolation(
                _(
                    "This machine is for people aged %(age)s or over. Ask the staff to note your birth date."
                ),
                code=ErrorCode.AGE_UNKNOWN,
                age=equipment.min_age,
            )
        day = _local(start).date()
        if selectors.age_on(birth_date=actor.birth_date, day=day) < equipment.min_age:
            raise RuleViolation(
                _("This machine is for people aged %(age)s or over."),
                code=ErrorCode.TOO_YOUNG,
                age=equipment.min_age,
            )


def _check_slot_time(equipment: Equipment, start: datetime, end: datetime, now: datetime) -> None:
    """The slot has not passed, is not too far ahead, and the makerspace is open then."""
    step = timedelta(minutes=equipment.slot_minutes)
    day = _local(start).date()
    if start <= now - step:
        raise RuleViolation(_("That slot has already passed."), field="start")
    if day > local_today() + timedelta(days=equipment.max_days_ahead):
        raise RuleViolation(
            _("This machine can be booked at most %(days)s days ahead."),
            field="start",
            days=equipment.max_days_ahead,
        )
    reason = closure_reason(branch=equipment.branch, day=day)
    if reason is not None:
        raise RuleViolation(
            _("The library is closed on %(date)s (%(reason)s)."),
            field="start",
            date=f"{day:%d.%m.%Y}",
            reason=reason,
        )
    allowed = selectors.open_intervals(
        branch=equipment.branch, day=day, self_service_allowed=equipment.self_service_allowed
    )
    if not any(s <= start and end <= e for s, e in allowed):
        raise RuleViolation(
            _("That slot is outside the hours the makerspace is open."), field="start"
        )


def _check_slot_limits(equipment: Equipment, actor: User, start: datetime, end: datetime) -> None:
    """The maker's slots a day and an ISO week on this machine, the new ones included.

    Runs under the machine's lock, counting the maker's confirmed slots around the date.
    """
    mine = list(
        EquipmentBooking.objects.filter(
            equipment=equipment,
            booker=actor,
            status=EquipmentBookingStatus.CONFIRMED,
            start__gte=start - timedelta(days=8),
            start__lt=start + timedelta(days=8),
        ).values_list("start", "end")
    )
    step = timedelta(minutes=equipment.slot_minutes)
    n = int((end - start) / step)
    local = _local(start)
    if equipment.max_slots_per_day:
        today_slots = sum((e - s) / step for s, e in mine if _local(s).date() == local.date())
        if today_slots + n > equipment.max_slots_per_day:
            raise RuleViolation(
                _("You can book at most %(n)s slot(s) a day on this machine."),
                code=ErrorCode.LIMIT_PER_DAY,
                n=equipment.max_slots_per_day,
            )
    if equipment.max_slots_per_week:
        week = local.isocalendar()[:2]
        week_slots = sum((e - s) / step for s, e in mine if _local(s).isocalendar()[:2] == week)
        if week_slots + n > equipment.max_slots_per_week:
            raise RuleViolation(
                _("You can book at most %(n)s slot(s) a week on this machine."),
                code=ErrorCode.LIMIT_PER_WEEK,
                n=equipment.max_slots_per_week,
            )


def _check_slot_free(equipment: Equipment, start: datetime, end: datetime) -> BookingConflict:
    """Refuse a slot another maker holds, naming when; otherwise return the 409 the database's
    exclusion constraint would give, for the insert."""
    taken = list(
        EquipmentBooking.objects.filter(
            equipment=equipment,
            status=EquipmentBookingStatus.CONFIRMED,
            start__lt=end,
            end__gt=start,
        )
    )
    conflict = BookingConflict(
        _("%(machine)s is already booked %(when)s. Please pick a free slot."),
        machine=equipment.name,
        when=", ".join(format_when(b.start, b.end) for b in taken) or format_when(start, end),
    )
    if taken:
        raise conflict
    return conflict


@transaction.atomic(durable=True)
def equipment_booking_cancel(
    *, actor: User, booking: EquipmentBooking, reason: str = ""
) -> EquipmentBooking:
    is_staff = can_manage_branch(user=actor, branch=booking.equipment.branch_id)
    if booking.booker_id != actor.pk and not is_staff:
        raise PermissionDenied()
    lock_one(Equipment, booking.equipment_id)
    fresh = EquipmentBooking.objects.select_related("equipment").get(pk=booking.pk)
    if fresh.status == EquipmentBookingStatus.CANCELLED:
        return fresh
    if fresh.end <= timezone.now():
        raise RuleViolation(_("This slot has already passed."))
    if not is_staff and fresh.start <= timezone.now():
        raise RuleViolation(_("The slot has started; ask the staff if you need to stop."))
    _equipment_booking_set_cancelled(fresh, actor=actor, reason=(reason or "").strip())
    return fresh


@transaction.atomic(durable=True)
def equipment_booking_check_in(*, actor: User, booking: EquipmentBooking) -> EquipmentBooking:
    """The maker (or staff) checks in; a slot not checked in within 15 minutes is freed."""
    is_staff = can_manage_branch(user=actor, branch=booking.equipment.branch_id)
    if booking.booker_id != actor.pk and not is_staff:
        raise PermissionDenied()
    fresh = lock_one(EquipmentBooking, booking.pk)
    if fresh.status != EquipmentBookingStatus.CONFIRMED:
        raise Conflict(_("This slot is no longer yours; it was cancelled or freed."))
    if fresh.checked_in_at is not None:
        return fresh
    now = timezone.now()
    if now < fresh.start - timedelta(minutes=15) or now >= fresh.end:
        raise RuleViolation(_("You can check in from 15 minutes before the slot until it ends."))
    fresh.checked_in_at = now
    fresh.save(update_fields=["checked_in_at", "updated_at"])
    audit_log(actor=actor, action=AuditAction.EQUIPMENT_BOOKING_CHECKED_IN, target=fresh)
    return fresh


@transaction.atomic(durable=True)
def equipment_release_unclaimed(*, now: datetime | None = None) -> int:
    """Free slots not checked in within the machine's release time (15 minutes by default)."""
    now = now or timezone.now()
    released = 0
    candidates = EquipmentBooking.objects.filter(
        status=EquipmentBookingStatus.CONFIRMED,
        checked_in_at__isnull=True,
        start__lte=now,
        end__gt=now,
    ).select_related("equipment")
    due = [
        b
        for b in candidates
        if b.start + timedelta(minutes=b.equipment.release_after_minutes) <= now
    ]
    lock_many(Equipment, [b.equipment_id for b in due])  # all machines at once, in key order
    for booking in due:
        fresh = EquipmentBooking.objects.get(pk=booking.pk)
        if fresh.status != EquipmentBookingStatus.CONFIRMED or fresh.checked_in_at is not None:
            continue
        _equipment_booking_set_cancelled(
            fresh,
            actor=None,
            reason=str(
                _("not checked in within %(m)s minutes")
                % {"m": booking.equipment.release_after_minutes}
            ),
            no_show=True,
        )
        released += 1
    return released
