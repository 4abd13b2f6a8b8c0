"""Celery tasks of the rooms app: they only call services."""

from __future__ import annotations

from celery import shared_task

from rooms import services


@shared_task(name="rooms.anonymise_old_bookings")
def anonymise_old_bookings() -> int:
    """Retention: clear the booker of bookings that ended more than 30 days ago."""
    return services.bookings_anonymise_old()


@shared_task(name="rooms.release_unclaimed_slots")
def release_unclaimed_slots() -> int:
    """Free makerspace slots nobody checked in to within the release time."""
    return services.equipment_release_unclaimed()


@shared_task(name="rooms.release_expired_holds")
def release_expired_holds() -> int:
    """Tentative holds past their expiry give their room back (every minute)."""
    return services.holds_release_expired()
