"""The kinds of message this app sends (``Delivery.kind``).

Two sources, each an enum, so a kind is never a loose string:

* ``core.contracts.MessageKind``: what the domain services send through
  ``core.signals.state_changed``; ``services.outbox_rows`` names the recipients of each.
* ``DerivedKind``: what the dispatcher derives from the current state itself (reminders, and
  the coordinators' copy of an expiring child certificate); nobody sends these.

A third source, ``core.contracts.AccountMail`` (``account.*``), is rendered by core itself (the
sign-up link, the password reset, the receipt of a deleted account) and handed over through
``core.signals.account_mail``; its subject and text travel in the row, so it has neither a
subject here nor a template.

Every kind of the first two has a subject in ``messages.SUBJECTS`` and a text in
``templates/notifications/email/<kind>.txt``; ``services`` checks the first when it is imported,
``tests/core/test_contracts.py`` both.
"""

from __future__ import annotations

from enum import StrEnum, unique

from core.contracts import MessageKind


@unique
class DerivedKind(StrEnum):
    CERTIFICATE_EXPIRING_COORDINATOR = "certificate.expiring_coordinator"
    REMINDER_REGISTRATION = "reminder.registration"
    REMINDER_BOOKING = "reminder.booking"
    REMINDER_EQUIPMENT_BOOKING = "reminder.equipment_booking"
    REMINDER_SHIFT = "reminder.shift"
    # "Tell me when registration opens": once, when the event's registration opens.
    REGISTRATION_OPENED = "event.registration_opened"

    @classmethod
    def reminder(cls, reminder_kind: str) -> DerivedKind:
        """The kind of a reminder of one ``ReminderKind`` ("booking" -> "reminder.booking")."""
        return cls(f"reminder.{reminder_kind}")


DeliveryKind = MessageKind | DerivedKind

ALL_KINDS: tuple[DeliveryKind, ...] = (*MessageKind, *DerivedKind)
