"""What the events app keeps about a person, for the export and the account's deletion
(registered with ``core.privacy`` in ``EventsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from core.models import User
from events import selectors, services


def export(user: User) -> dict[str, Any]:
    """The person's registrations and the events they host; never who else registered."""
    registrations = [
        {
            "event": reg.event.title,
            "branch": reg.event.branch.name,
            "start": reg.event.start,
            "end": reg.event.end,
            "seats": reg.seats,
            "status": reg.status,
            "waiting_list_position": reg.waitlist_position,
            "checked_in_at": reg.checked_in_at,
            "registered_at": reg.created_at,
            "cancelled_at": reg.cancelled_at,
            "cancel_reason": reg.cancel_reason,
            "answers": {a.question.label: a.answer for a in reg.answers.all()},
        }
        for reg in selectors.registration_list_for(user=user)
        .prefetch_related("answers__question")
        .order_by("event__start", "pk")
    ]
    hosted = [
        {
            "event": event.title,
            "branch": event.branch.name,
            "start": event.start,
            "end": event.end,
            "state": event.state,
        }
        for event in selectors.events_hosted_by(user=user)
    ]
    opening = [
        {"event": r.event.title, "registration_opens_at": r.event.registration_opens_at}
        for r in selectors.opening_reminders_of(user=user)
    ]
    return {
        "registrations": registrations,
        "hosted_events": hosted,
        "told_when_registration_opens": opening,
    }


def erase(user: User) -> dict[str, int]:
    return services.registrations_release_person(person=user)
