"""The dispatcher: claim a batch of due deliveries, send each, mark each sent; each row once.

* The claim takes up to ``BATCH`` due rows in one transaction: the oldest due ones nobody
  else holds (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so parallel dispatchers
  take different batches), set from pending (or "sending" with a lease run out) to sending,
  with one claim token and a lease of ``MODESTED_DELIVERY_LEASE_SECONDS``, committed before
  the SMTP conversation. Taking over a row whose lease ran out flags it ``maybe_duplicate``:
  the dispatcher that held it may have got as far as the SMTP accept (a dispatcher killed
  mid-batch leaves its untried rows "sending" too, so they are flagged as well).
* The batch's objects are loaded in a few queries (``messages.preload``) and its messages go
  out over one SMTP connection, one after the other; each is marked sent on its own right
  after the server accepted it, and a failure (its own retry with back-off) touches no
  other row.
* While the batch is in progress a helper thread renews its lease every third of it, so a
  slow SMTP server never lets a second dispatcher take a row over, and a killed worker's
  rows are free again within one lease. If the renewals fail, the rows not yet tried are
  given back before the lease runs out.
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
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone

from core.contracts import AuditAction
from core.models import User
from core.services import audit_log
from notifications.messages import Loaded, Prepared, build_email, preload, prepare
from notifications.models import Delivery, DeliveryStatus
from notifications.selectors import claimable_q
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
BATCH = 200
# How long one dispatcher pass sends before it hands the rest to a fresh run.
PASS_SECONDS = 240.0

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
    """Beat's pass, every minute: queue what the current state makes due (reminders, "the
    registration is open", expiring certificates: one scan each), then send everything
    waiting (``send_waiting``)."""
    now = now or timezone.now()
    queued = reminders_queue_due(now=now)
    queued += openings_queue_due(now=now)
    try:
        queued += certificates_queue_expiring(now=now)
    except Exception:  # a volunteers selector in flux must not stop the reminders
        logger.exception("Could not look up expiring certificates")
    result = send_waiting(batch=batch)
    result.queued = queued
    return result


def send_waiting(*, batch: int = BATCH) -> DispatchResult:
    """The kicked pass, after a write: send everything waiting, each row once, a batch at a
    time, claimed in one statement (other dispatchers skip the rows this one holds and take
    the next batch), over one SMTP connection. No scan: the messages a write causes are
    already rows (written in its transaction), and what only time makes due is beat's."""
    result = DispatchResult()
    deadline = time.monotonic() + PASS_SECONDS
    while True:
        claimed = _claim_batch(batch)
        if claimed is None:
            break
        token, rows = claimed
        for outcome in _send_batch(rows, token):
            setattr(result, outcome, getattr(result, outcome) + 1)
        if time.monotonic() > deadline:
            # A long queue: hand the rest to a fresh run (coalesced like any kick) rather than
            # hold this worker process indefinitely.
            kick_dispatcher_on_commit()
            break
    return result


def _claim(pk: int) -> str | None:
    """Claim one row (compare-and-swap), the way a batch claims many: the token, or None if
    another dispatcher has it."""
    now = timezone.now()
    token = secrets.token_hex(8)
    rows = Delivery.objects.filter(pk=pk)
    if CLAIMS_ENABLED:
        rows = rows.filter(claimable_q(now))
    return token if rows.update(**_claim_values(token, now)) == 1 else None


def _claim_values(token: str, now: datetime) -> dict[str, Any]:
    return {
        # A row still "sending" had a dispatcher that stopped after it claimed the row:
        # it may have died after the SMTP server accepted the message.
        "maybe_duplicate": Case(
            When(status=DeliveryStatus.SENDING, then=Value(True)),
            default=F("maybe_duplicate"),
        ),
        "status": DeliveryStatus.SENDING,
        "claim_token": token,
        "claimed_until": now + lease(),
        "attempts": F("attempts") + 1,
    }


def _claim_batch(size: int) -> tuple[str, list[Delivery]] | None:
    """Claim up to ``size`` due rows at once: the oldest due ones no other dispatcher holds
    (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two dispatchers take different batches),
    set to "sending" with one token and one lease in the same transaction, then loaded with
    their recipients. None when nothing is due."""
    now = timezone.now()
    token = secrets.token_hex(8)
    with transaction.atomic():
        due = Delivery.objects.filter(claimable_q(now)).order_by("next_attempt_at", "id")
        if CLAIMS_ENABLED:
            ids = list(due.select_for_update(skip_locked=True).values_list("id", flat=True)[:size])
            claimed = Delivery.objects.filter(pk__in=ids).filter(claimable_q(now))
        else:  # the negative control: every dispatcher takes whatever is not sent yet
            unsent = Delivery.objects.filter(status__in=("pending", "sending"))
            ids = list(unsent.order_by("id").values_list("id", flat=True)[:size])
            claimed = Delivery.objects.filter(pk__in=ids)
        if not ids:
            return None
        claimed.update(**_claim_values(token, now))
    rows = Delivery.objects.filter(pk__in=ids).select_related("recipient").order_by("id")
    if CLAIMS_ENABLED:
        rows = rows.filter(claim_token=token, status=DeliveryStatus.SENDING)
    return token, list(rows)


def _drop_connection() -> None:
    try:
        connection.close()
    except DatabaseError:  # already gone
        connection.connection = None


class _Lease:
    """Renews the claim of a batch (every row still "sending" under its token) every third
    of the lease while the sends are in progress, from a thread with its own database
    connection. ``until`` is when the lease runs out as far as this dispatcher knows."""

    def __init__(self, token: str, ids: list[int]) -> None:
        self.token = token
        self.ids = ids
        self.until = time.monotonic() + lease().total_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"lease-{token}")

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
                pk__in=self.ids, claim_token=self.token, status=DeliveryStatus.SENDING
            ).update(claimed_until=timezone.now() + lease())
        except DatabaseError:
            logger.warning("Could not renew the lease of claim %s", self.token, exc_info=True)
            _drop_connection()
            return
        if renewed:
            self.until = started + lease().total_seconds()

    def running_out(self) -> bool:
        """Too little of the lease is left to start another send (the renewals failed): a
        second dispatcher may take the rows over soon."""
        return time.monotonic() >= self.until - lease().total_seconds() / 4

    @contextmanager
    def held(self) -> Iterator[_Lease]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(timeout=5)


class _Mailer:
    """One SMTP connection for a batch, opened on the first send and opened again after a
    failed one (a refused recipient or a dropped connection must not fail the rest)."""

    def __init__(self) -> None:
        self.backend = get_connection()
        self.opened = False

    def send(self, message: EmailMultiAlternatives) -> None:
        if not self.opened:
            self.backend.open()
            self.opened = True
        message.connection = self.backend
        self.backend.send_messages([message])

    def reset(self) -> None:
        self.close()

    def close(self) -> None:
        if self.opened:
            self.opened = False
            try:
                self.backend.close()
            except Exception:  # noqa: BLE001 (a broken connection is closed either way)
                logger.debug("Closing the SMTP connection failed", exc_info=True)


def _send_batch(rows: list[Delivery], token: str) -> list[str]:
    """Send a claimed batch one message after the other over one SMTP connection, marking
    each sent as soon as the server accepted it (never before, and each on its own, so a
    failure of one leaves the others alone). Each row's outcome."""
    loaded = preload(rows)
    held = _Lease(token, [r.pk for r in rows])
    mailer = _Mailer()
    outcomes: list[str] = []
    try:
        with held.held():
            for n, delivery in enumerate(rows):
                if held.running_out():
                    _release(rows[n:], token)
                    break
                outcomes.append(_send_one(delivery, token, loaded, mailer, held))
    finally:
        mailer.close()
    return outcomes


def _send_one(delivery: Delivery, token: str, loaded: Loaded, mailer: _Mailer, held: _Lease) -> str:
    mine = Delivery.objects.filter(pk=delivery.pk, claim_token=token, status=DeliveryStatus.SENDING)
    try:
        prepared = prepare(delivery, loaded=loaded)
        if prepared is None:
            mine.update(
                status=DeliveryStatus.SKIPPED,
                claimed_until=None,
                last_error="",
                **scrub_after_sending(delivery),
            )
            return "skipped"
        mailer.send(build_email(delivery, prepared))
    except Exception as error:
        mailer.reset()
        _mark_failed(delivery, mine, error)
        return "failed"
    _mark_sent(delivery, token, prepared, lease_until=held.until)
    return "sent"


def _release(rows: list[Delivery], token: str) -> None:
    """Give back claimed rows not yet tried (the lease is running out): pending again, the
    attempt not counted."""
    try:
        Delivery.objects.filter(
            pk__in=[r.pk for r in rows], claim_token=token, status=DeliveryStatus.SENDING
        ).update(status=DeliveryStatus.PENDING, claimed_until=None, attempts=F("attempts") - 1)
    except DatabaseError:  # they are taken over once the lease runs out
        logger.warning("Could not give back %s claimed deliveries", len(rows), exc_info=True)
        _drop_connection()


def _send_claimed(pk: int, token: str) -> str:
    """Send one row claimed with ``_claim``."""
    delivery = Delivery.objects.select_related("recipient").get(pk=pk)
    return next(iter(_send_batch([delivery], token)), "skipped")


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
            _update_mine(delivery, token, values)
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


# The mark of an ordinary message, written out once: it runs once for every message sent,
# and building the same UPDATE through the ORM each time cost more than running it.
_MARK_SENT_SQL = f"""
    UPDATE {Delivery._meta.db_table}
    SET status = %s, sent_at = %s, claimed_until = NULL, subject = %s, to_email = %s,
        last_error = ''
    WHERE id = %s AND claim_token = %s AND status = %s
"""  # noqa: S608 - the table's name from the model; every value is a parameter
_MARK_SENT_FIELDS = ["status", "sent_at", "claimed_until", "subject", "to_email", "last_error"]


def _update_mine(delivery: Delivery, token: str, values: dict[str, Any]) -> None:
    """UPDATE the row if this dispatcher still holds it."""
    if list(values) != _MARK_SENT_FIELDS:  # an account e-mail forgets more (its text)
        Delivery.objects.filter(
            pk=delivery.pk, claim_token=token, status=DeliveryStatus.SENDING
        ).update(**values)
        return
    params = [values["status"], values["sent_at"], values["subject"], values["to_email"]]
    with connection.cursor() as cursor:
        cursor.execute(_MARK_SENT_SQL, [*params, delivery.pk, token, DeliveryStatus.SENDING])


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
