"""What the notifications app keeps about a person, for the export and the account's deletion
(registered with ``core.privacy`` in ``NotificationsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from core.models import User
from notifications import selectors, services


def export(user: User) -> dict[str, Any]:
    """Reminder settings, the personal feed (never its secret or hash), messages sent."""
    pref = selectors.reminder_preference_for(user=user)
    token = selectors.feed_token_for(user=user)
    messages = [
        {
            "kind": delivery.kind,
            "subject": delivery.subject,
            "status": delivery.status,
            "created_at": delivery.created_at,
            "sent_at": delivery.sent_at,
            "sent_to": delivery.to_email,
        }
        for delivery in selectors.deliveries_to(user=user)
    ]
    return {
        "reminder_preference": (
            {
                "enabled": pref.enabled,
                "lead_minutes": pref.lead_minutes,
                "updated_at": pref.updated_at,
            }
            if pref
            else None
        ),
        "calendar_feed": (
            {"created_at": token.created_at, "last_used_at": token.last_used_at} if token else None
        ),
        "messages": messages,
    }


def erase(user: User) -> dict[str, int]:
    return services.deliveries_forget_person(person=user)
