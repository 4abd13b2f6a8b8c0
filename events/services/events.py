"""One event (an occurrence): create a one-off, change it, cancel it, record who came."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction
from core.exceptions import RuleViolation
from core.models import Audience, Branch, Partner, Track, User
from core.services import audit_log
from events.models import Event, EventState
from events.services._common import (
    M2M_FIELDS,
    SHARED_FIELDS,
    EventChanges,
    SharedFields,
    _require_branch,
    _require_host_or_staff,
)
from events.services.images import image_prepared
from events.services.occurrences import _apply_changes, _event_cancel
from events.services.questions import _questions_update
from events.services.series import series_build
from events.services.validation import ClosedOverride

if TYPE_CHECKING:
    from typing_extensions import Unpack

EVENT_EDITABLE = set(SHARED_FIELDS) | set(M2M_FIELDS) | {"start", "end", "state", "questions"}


@transaction.atomic(durable=True)
def event_create(
    *,
    actor: User | None,
    start: datetime,
    end: datetime,
    title: str,
    branch: Branch,
    state: str = EventState.DRAFT,
    tracks: Iterable[Track] = (),
    audiences: Iterable[Audience] = (),
    partners: Iterable[Partner] = (),
    closed_override: bool = False,
    closed_override_reason: str = "",
    questions: Iterable[str] = (),
    **fields: Unpack[SharedFields],
) -> Event:
    """A one-off event: a series of one; ``questions`` are asked at sign-up.

    On a day its branch is closed (a holiday, a calendar closing day, a closure) it is
    refused, naming the closure (409 ``branch_closed``), unless staff tick
    ``closed_override`` ("held although the library is closed") and give
    ``closed_override_reason`` (else 400 ``closed_reason_required``); the reason is kept
    on the event, shown to staff and written in the audit row.
    """
    series = series_build(
        actor=actor,
        rrule="",
        start=start,
        end=end,
        title=title,
        branch=branch,
        state=state,
        include_closed=True,
        tracks=tracks,
        audiences=audiences,
        partners=partners,
        closed_override=closed_override,
        closed_override_reason=closed_override_reason,
        questions=questions,
        **fields,
    )
    return series.events.get()


@transaction.atomic(durable=True)
def event_update(*, actor: User | None, event: Event, **changes: Unpack[EventChanges]) -> Event:
    """Change one occurrence (time, place, capacity, tracks, state draft/published...).

    The occurrence is marked ``edited`` so later edits of its series leave it
    alone. A change of time or place bumps ``sequence`` and tells those registered
    (``event.changed``); a higher capacity promotes from the waiting list.
    Cancelling goes through :func:`event_cancel`. A move onto a day the branch is closed
    is refused as in :func:`event_create`, unless ``closed_override`` with
    ``closed_override_reason``. Registrations and waiting-list places stay with the event;
    a room smaller than the confirmed seats is a 409 ``room_too_small`` unless ``room_fit``
    says who moves to the waiting list. A draft holds no room; publishing takes it (or
    turns its tentative hold into the booking), a clash then being a 409.

    ``image``: a new upload replaces the image (resized as on create; 400 ``image_invalid``
    if it cannot be read); ``None`` removes it and its description. An image needs its
    ``image_alt`` (400 ``image_alt_required``). ``questions`` sets the sign-up questions of
    the event's series (every date asks them; see ``events.services.questions``).
    """
    questions = changes.pop("questions", None)
    override = ClosedOverride(
        held=bool(changes.pop("closed_override", False)),
        reason=changes.pop("closed_override_reason", "") or "",
    )
    fit = changes.pop("room_fit", None)
    event = locking.lock_one(Event, event.pk)
    _require_branch(actor, event.branch)
    unknown = set(changes) - EVENT_EDITABLE
    if unknown:
        raise RuleViolation(_("Unknown field: %(field)s."), field=sorted(unknown)[0])
    if event.state == EventState.CANCELLED:
        raise RuleViolation(_("This event is cancelled and can no longer be changed."))
    if changes.get("state") not in (None, EventState.DRAFT, EventState.PUBLISHED):
        raise RuleViolation(_("To cancel the event, use “Cancel event”."), field="state")
    new_branch = changes.get("branch")
    if "branch" in changes and new_branch is not None and new_branch != event.branch:
        _require_branch(actor, new_branch)
    if "image" in changes:
        _image_change(changes)
    _apply_changes(
        actor=actor, event=event, changes=changes, mark_edited=True, override=override, fit=fit
    )
    if questions is not None:
        _questions_update(actor=actor, event=event, questions=questions)
    return event


def _image_change(changes: EventChanges) -> None:
    """A new upload made fit for the web; no image: none, and no description either."""
    upload = changes.get("image")
    if upload:
        changes["image"] = image_prepared(upload)
    else:
        cast(dict[str, Any], changes)["image"] = ""  # the field's "no file"
        changes["image_alt"] = ""


@transaction.atomic(durable=True)
def event_cancel(*, actor: User | None, event: Event, reason: str = "") -> Event:
    """Cancel one occurrence: its registrations are cancelled, its room released.

    Sends ``event.cancelled`` (the registered people hear it from that one signal;
    their registrations get status cancelled with the event's reason).
    """
    return _event_cancel(actor=actor, event=event, reason=reason)


@transaction.atomic(durable=True)
def event_record_attendance(*, actor: User | None, event: Event, count: int) -> Event:
    """Staff (or the host) record how many came to a drop-in event, after it started."""
    event = locking.lock_one(Event, event.pk)
    _require_host_or_staff(actor, event)
    if count < 0:
        raise RuleViolation(_("The number of people cannot be negative."), field="attendance_count")
    if event.state == EventState.CANCELLED:
        raise RuleViolation(_("This event was cancelled."), field="attendance_count")
    if event.start > timezone.now():
        raise RuleViolation(
            _("Attendance can be recorded once the event has started."), field="attendance_count"
        )
    if event.attendance_count == count:
        return event
    old = event.attendance_count
    event.attendance_count = count
    event.save(update_fields=["attendance_count", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.EVENT_ATTENDANCE_RECORDED,
        target=event,
        data={"old": old, "new": count},
    )
    return event


@transaction.atomic(durable=True)
def event_partner_set(*, actor: User | None, event: Event, partner: Partner, linked: bool) -> Event:
    """Link ``partner`` to one event (``linked``) or unlink it, as from the partner page.

    The same change as the event's edit form making the partner one of its partners: staff
    of the event's branch only, not on a cancelled event; the occurrence is marked edited and
    the audit row (``event.changed``) names the old partners. Already so: nothing happens.
    """
    event = locking.lock_one(Event, event.pk)
    _require_branch(actor, event.branch)
    if event.state == EventState.CANCELLED:
        raise RuleViolation(_("This event is cancelled and can no longer be changed."))
    current = list(event.partners.all())
    if (partner in current) == linked:
        return event
    partners = [*current, partner] if linked else [p for p in current if p.pk != partner.pk]
    _apply_changes(actor=actor, event=event, changes={"partners": partners}, mark_edited=True)
    return event
