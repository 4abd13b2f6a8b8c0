"""Celery tasks: thin wrappers around the services (no ETA or countdown anywhere)."""

from __future__ import annotations

from celery import shared_task

from notifications import services


@shared_task(name="notifications.dispatch_due", ignore_result=True)
def dispatch_due() -> dict[str, int]:
    """Run every minute by beat, and kicked after writes (coalesced): send whatever is due."""
    services.dispatcher_started()
    result = services.dispatch_due()
    return {
        "queued": result.queued,
        "sent": result.sent,
        "skipped": result.skipped,
        "failed": result.failed,
    }
