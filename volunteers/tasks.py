"""Celery tasks of the volunteers app; they only call services."""

from __future__ import annotations

from celery import shared_task

from volunteers import services


@shared_task(name="volunteers.anonymise_old_signups")
def anonymise_old_signups() -> int:
    """Retention (daily is enough, see CELERY_BEAT_SCHEDULE): sign-ups 30 days after the shift,
    attended ones at the end of the first quarter after the shift's year."""
    return services.signups_anonymise_old()


@shared_task(name="volunteers.remove_idle_profiles")
def remove_idle_profiles() -> int:
    """Retention (daily): volunteer profiles with no shift for 12 months are removed."""
    return services.volunteer_profiles_remove_idle()
