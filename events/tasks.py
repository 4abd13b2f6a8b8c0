"""Celery tasks of the events app; they only call services."""

from __future__ import annotations

from celery import shared_task

from events import services


@shared_task(name="events.anonymise_old_registrations")
def anonymise_old_registrations() -> int:
    """Retention (hourly, see CELERY_BEAT_SCHEDULE): registrations 30 days after the event."""
    return services.registrations_anonymise_old()
