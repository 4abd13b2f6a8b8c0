"""Writes of the notifications app: the outbox, the dispatcher, reminder settings, feed tokens.

Delivery guarantee (see notifications/README.md and docs/notifications.md):

* A message is a ``Delivery`` row whose key (kind, object, recipient, version) is unique.
  Messages about a change are written by the ``state_changed`` receiver in the same
  transaction as the change; account e-mails (sign-up links, password resets, the deletion
  receipt) by the ``account_mail`` receiver, also in the sender's transaction; reminders are
  inserted by the dispatcher from the current state. A second scan, a second dispatcher or a
  retried task finds the row already there.
* Sending claims a batch of rows in one transaction (``FOR UPDATE SKIP LOCKED``; pending ->
  sending, with a short lease, ``MODESTED_DELIVERY_LEASE_SECONDS``, 60 s, and a claim token)
  that is committed before the SMTP conversation; the lease is renewed while the batch is in
  progress, and each row is marked sent right after the SMTP server accepted it. The mark is
  retried (reconnecting) until it holds or the lease would run out. Two dispatchers never
  send the same row. A dispatcher that dies mid-batch leaves its unsent rows "sending"; they
  are sent when their lease runs out and flagged "possibly sent twice" in the delivery log. The only window
  for a real repeat is between the SMTP server accepting the message and our UPDATE; the
  Message-ID is the same on every attempt for that case.
* Failures are retried with back-off (30 s doubling up to 2 h, 10 attempts), then the row
  is "failed" and visible in the admin's delivery log, where staff can retry it.
* The kicks after a commit are coalesced: at most one dispatcher task waits in the queue.
  A kicked run only sends (``send_waiting``); beat's run every minute scans for what time
  made due (reminders, openings, certificates) and then sends (``dispatch_due``).
"""

from notifications.services.dispatch import BATCH as BATCH
from notifications.services.dispatch import CLAIMS_ENABLED as CLAIMS_ENABLED
from notifications.services.dispatch import MAX_ATTEMPTS as MAX_ATTEMPTS
from notifications.services.dispatch import DispatchResult as DispatchResult
from notifications.services.dispatch import _claim as _claim
from notifications.services.dispatch import _send_claimed as _send_claimed
from notifications.services.dispatch import delivery_retry as delivery_retry
from notifications.services.dispatch import dispatch_due as dispatch_due
from notifications.services.dispatch import lease as lease
from notifications.services.dispatch import send_waiting as send_waiting
from notifications.services.kick import _kick as _kick
from notifications.services.kick import dispatcher_started as dispatcher_started
from notifications.services.kick import kick_dispatcher_on_commit as kick_dispatcher_on_commit
from notifications.services.outbox import RECIPIENTS as RECIPIENTS
from notifications.services.outbox import account_mail_add as account_mail_add
from notifications.services.outbox import certificate_coordinators as certificate_coordinators
from notifications.services.outbox import certificate_rows as certificate_rows
from notifications.services.outbox import (
    certificates_queue_expiring as certificates_queue_expiring,
)
from notifications.services.outbox import openings_queue_due as openings_queue_due
from notifications.services.outbox import outbox_add as outbox_add
from notifications.services.outbox import outbox_rows as outbox_rows
from notifications.services.outbox import reminders_queue_due as reminders_queue_due
from notifications.services.preferences import LEAD_CHOICES as LEAD_CHOICES
from notifications.services.preferences import (
    deliveries_forget_person as deliveries_forget_person,
)
from notifications.services.preferences import feed_token_renew as feed_token_renew
from notifications.services.preferences import feed_token_revoke as feed_token_revoke
from notifications.services.preferences import reminder_default_set as reminder_default_set
from notifications.services.preferences import (
    reminder_preference_set as reminder_preference_set,
)

__all__ = [
    "BATCH",
    "CLAIMS_ENABLED",
    "LEAD_CHOICES",
    "MAX_ATTEMPTS",
    "RECIPIENTS",
    "DispatchResult",
    "account_mail_add",
    "certificate_coordinators",
    "certificate_rows",
    "certificates_queue_expiring",
    "deliveries_forget_person",
    "delivery_retry",
    "dispatch_due",
    "dispatcher_started",
    "feed_token_renew",
    "feed_token_revoke",
    "kick_dispatcher_on_commit",
    "lease",
    "outbox_add",
    "openings_queue_due",
    "outbox_rows",
    "reminder_default_set",
    "reminder_preference_set",
    "reminders_queue_due",
    "send_waiting",
]
