"""The dispatcher: claim a due delivery, send it, mark it sent; each row once.

* The claim is a compare-and-swap UPDATE (pending, or "sending" with a lease run out ->
  sending, with a claim token and a lease of ``MODESTED_DELIVERY_LEASE_SECONDS``), committed
  before the SMTP conversation. Taking over a row whose lease ran out flags it
  ``maybe_duplicate``: the dispatcher that held it may have got as far as the SMTP accept.
* While a send is in progress a helper thread renews the lease every third of it, so a slow
  SMTP server never lets a second dispatcher take the row over, and a killed worker's row is
  free again within one lease.
* The mark after an accepted send is retried, reconnecting to the database, until it holds
  or the lease would run out (a database restart takes well under a second).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone

from core.contracts import AuditAction
from core.models import User
from core.services import audit_log
from notifications.messages import Prepared, build_email, prepare
from notifications.models import Delivery, DeliveryStatus
from notifications.selectors import claimable_q, deliveries_due
from notifications.services.kick import kick_dispatcher_on_commit
from notifications.services.outbox import (
    certificates_queue_expiring,
    openings_queue_due,
    reminders_queue_due,
    scrub_after_sending,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
LONGEST_RETRY = timedelta(hours=2)
BATCH = 100

# Test-only switches for the negative controls (the concurrency test, the database restart
# between the accept and the mark); never changed in code.
CLAIMS_ENABLED = True
MARK_RETRIES = True


def lease() -> timedelta:
    """How long a claimed delivery belongs to one dispatcher before another may take it over
    (``MODESTED_DELIVERY_LEASE_SECONDS``, 60 s; renewed while a send is in progress)."""
    return timedelta(seconds=float(settings.MODESTED_DELIVERY_LEASE_SECONDS))


@dataclass
class DispatchResult:
    queued: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def dispatch_due(*, now: datetime | None = None, batch: int = BATCH) -> DispatchResult:
    """Queue what the current state makes due (one scan per pass), then send everything
    waiting, each row once."""
    result = DispatchResult()
    now = now or timezone.now()
    result.queued += reminders_queue_due(now=now)
    result.queued += openings_queue_due(now=now)
    try:
        result.queued += certificates_queue_expiring(now=now)
    except Exception:  # a volunteers selector in flux must not stop the reminders
        logger.exception("Could not look up expiring certificates")
    for _round in range(50):
        ids = deliveries_due(now=timezone.now(), limit=batch)
        if not ids:
            break
        for pk in ids:
            token = _claim(pk)
            if token is None:
                continue  # another dispatcher has it
            outcome = _send_claimed(pk, token)
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def _claim(pk: int) -> str | None:
    now = timezone.now()
    token = secrets.token_hex(8)
    rows = Delivery.objects.filter(pk=pk)
    if CLAIMS_ENABLED:
        rows = rows.filter(claimable_q(now))
    claimed = (
        rows.update(
            # A row still "sending" had a dispatcher that stopped after it claimed the row:
            # it may have died after the SMTP server accepted the message.
            maybe_duplicate=Case(
                When(status=DeliveryStatus.SENDING, then=Value(True)),
                default=F("maybe_duplicate"),
            ),
            status=DeliveryStatus.SENDING,
            claim_token=token,
            claimed_until=now + lease(),
            attempts=F("attempts") + 1,
        )
        == 1
    )
    return token if claimed else None


def _drop_connection() -> None:
    try:
        connection.close()
    except DatabaseError:  # already gone
        connection.connection = None


class _Lease:
    """Renews one claim every third of the lease while the send is in progress, from a
    thread with its own database connection."""

    def __init__(self, pk: int, token: str) -> None:
        self.pk = pk
        self.token = token
        self.until = time.monotonic() + lease().total_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"lease-{pk}")

    def _run(self) -> None:
        period = max(lease().total_seconds() / 3, 0.05)
        try:
            while not self._stop.wait(period):
                self._renew()
        finally:
            connection.close()  # this thread's own connection

    def _renew(self) -> None:
        started = time.monotonic()
        try:
            renewed = Delivery.objects.filter(
                pk=self.pk, claim_token=self.token, status=DeliveryStatus.SENDING
            ).update(claimed_until=timezone.now() + lease())
        except DatabaseError:
            logger.warning("Could not renew the lease of delivery %s", self.pk, exc_info=True)
            _drop_connection()
            return
        if renewed:
            self.until = started + lease().total_seconds()

    @contextmanager
    def held(self) -> Iterator[_Lease]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(timeout=5)


def _send_claimed(pk: int, token: str) -> str:
    delivery = Delivery.objects.select_related("recipient").get(pk=pk)
    mine = Delivery.objects.filter(pk=pk, claim_token=token, status=DeliveryStatus.SENDING)
    held = _Lease(pk, token)
    try:
        with held.held():
            prepared = prepare(delivery)
            if prepared is None:
                mine.update(
                    status=DeliveryStatus.SKIPPED,
                    claimed_until=None,
                    last_error="",
                    **scrub_after_sending(delivery),
                )
                return "skipped"
            build_email(delivery, prepared).send()
    except Exception as error:
        _mark_failed(delivery, mine, error)
        return "failed"
    _mark_sent(delivery, token, prepared, lease_until=held.until)
    return "sent"


def _mark_failed(delivery: Delivery, mine: QuerySet[Delivery], error: Exception) -> None:
    attempts = delivery.attempts
    final = attempts >= MAX_ATTEMPTS
    first = timedelta(seconds=float(getattr(settings, "MODESTED_DELIVERY_FIRST_RETRY_SECONDS", 30)))
    delay = min(first * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)
    mine.update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + delay,
        claimed_until=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        **(scrub_after_sending(delivery) if final else {}),
    )
    logger.warning("Delivery %s failed (attempt %s): %s", delivery.pk, attempts, error)


# How long before the lease runs out the mark stops trying: another dispatcher may take the
# row over after that, and will flag it as possibly sent twice.
MARK_MARGIN_SECONDS = 1.0


def _mark_sent(delivery: Delivery, token: str, prepared: Prepared, *, lease_until: float) -> None:
    """Record the accepted send; a dropped database connection is reopened and the UPDATE
    tried again (back-off from 0.1 s) until it holds or the lease would run out."""
    values = {
        "status": DeliveryStatus.SENT,
        "sent_at": timezone.now(),
        "claimed_until": None,
        "subject": prepared.subject[:250],
        "to_email": prepared.to_email,
        "last_error": "",
        **scrub_after_sending(delivery),
    }
    pause = 0.1
    attempt = 0
    while True:
        attempt += 1
        try:
            Delivery.objects.filter(
                pk=delivery.pk, claim_token=token, status=DeliveryStatus.SENDING
            ).update(**values)
        except DatabaseError as error:
            _drop_connection()  # the next query opens a fresh one
            if not MARK_RETRIES or time.monotonic() + pause > lease_until - MARK_MARGIN_SECONDS:
                logger.error(
                    "Delivery %s was accepted by the mail server but could not be marked sent "
                    "(%s attempts, last: %s); it will be sent again when its lease runs out "
                    "and flagged as possibly sent twice",
                    delivery.pk,
                    attempt,
                    error,
                )
                return
            logger.warning(
                "Delivery %s: marking it sent failed (%s); trying again", delivery.pk, error
            )
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
            continue
        if attempt > 1:
            logger.warning("Delivery %s marked sent after %s attempts", delivery.pk, attempt)
        return


@transaction.atomic(durable=True)
def delivery_retry(*, actor: User, delivery: Delivery) -> Delivery:
    """Staff: send a failed (or skipped) delivery again now."""
    if delivery.status in {DeliveryStatus.SENT, DeliveryStatus.SENDING}:
        return delivery
    old = delivery.status
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0, last_error=""
    )
    audit_log(
        actor=actor, action=AuditAction.DELIVERY_RETRIED, target=delivery, data={"old_status": old}
    )
    kick_dispatcher_on_commit()
    delivery.refresh_from_db()
    return delivery
