"""Celery tasks: thin wrappers around the services (no ETA or countdown anywhere)."""

from __future__ import annotations

from celery import shared_task

from notifications import services


def _counts(result: services.DispatchResult) -> dict[str, int]:
    return {
        "queued": result.queued,
        "sent": result.sent,
        "skipped": result.skipped,
        "failed": result.failed,
    }


@shared_task(name="notifications.dispatch_due", ignore_result=True)
def dispatch_due() -> dict[str, int]:
    """Run every minute by beat: queue what time made due (reminders...), then send."""
    return _counts(services.dispatch_due())


@shared_task(name="notifications.send_waiting", ignore_result=True)
def send_waiting() -> dict[str, int]:
    """Kicked after writes (coalesced: the kick's mark goes as the run starts): send what is
    waiting."""
    services.dispatcher_started()
    return _counts(services.send_waiting())
