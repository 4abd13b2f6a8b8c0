"""Demo data of the notifications app: the reminder defaults (24 and 2 hours before)."""

from __future__ import annotations

from notifications.models import DEFAULT_LEAD_MINUTES, ReminderDefault, ReminderKind


def load() -> None:
    for kind in ReminderKind.values:
        ReminderDefault.objects.get_or_create(
            kind=kind, defaults={"enabled": True, "lead_minutes": list(DEFAULT_LEAD_MINUTES)}
        )
