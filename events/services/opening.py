"""“Tell me when registration opens”: an event whose registration opens at a set time
(``registration_opens_at``) takes no registrations before then; people may ask to be told,
and get one message when it opens (``event.registration_opened``, which the notifications
dispatcher derives from these rows each minute; from then the usual seat and waiting-list
rules apply)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction
from core.exceptions import Conflict, ErrorCode, NotFound, PermissionDenied
from core.models import User
from core.services import audit_log
from events.models import Event, EventState, OpeningReminder


@transaction.atomic(durable=True)
def opening_reminder_request(*, actor: User, event: Event) -> OpeningReminder:
    """``actor`` asks to be told when registration for ``event`` opens. Asking twice keeps
    the one request (and the one message)."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Please log in to be told when registration opens."))
    try:
        event = locking.lock_one(Event, event.pk)
    except Event.DoesNotExist as error:
        raise NotFound(_("This event does not exist.")) from error
    if event.state != EventState.PUBLISHED:
        raise NotFound(_("This event does not exist."))
    opens = event.registration_opens_at
    if opens is None or opens <= timezone.now():
        raise Conflict(
            _("Registration is already open: you can register now."),
            code=ErrorCode.CONFLICT,
        )
    existing = OpeningReminder.objects.filter(event=event, user=actor).first()
    if existing is not None:
        return existing
    reminder = OpeningReminder.objects.create(event=event, user=actor)
    audit_log(
        actor=actor,
        action=AuditAction.REGISTRATION_OPENING_REMINDER,
        target=reminder,
        data={"event": event.pk, "opens_at": opens.isoformat()},
    )
    return reminder


@transaction.atomic(durable=True)
def opening_reminder_withdraw(*, actor: User, event: Event) -> None:
    """The person no longer wants the message."""
    OpeningReminder.objects.filter(event=event, user=actor).delete()
