"""The dispatcher works in batches: one claim, a few loads and one SMTP connection per batch,
each message marked sent on its own once accepted, a failure touching no other row, and the
same invitation bytes as ``calendar.invitation_ical``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import services
from notifications.calendar import CalendarItem, ItemStatus, invitation_ical
from notifications.messages import invitation
from notifications.models import Delivery, DeliveryStatus
from notifications.services import dispatch as dispatcher
from tests.events.factories import make_event
from tests.factories import make_user
from tests.notifications.factories import at, ics_parts, registered

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 10)


class CountingBackend(EmailBackend):
    """The locmem backend, counting the connections opened; refuses the addresses in
    ``refuse``."""

    opened = 0
    refuse: set[str] = set()

    def open(self) -> bool:
        type(self).opened += 1
        return True

    def send_messages(self, messages: Any) -> int:
        for message in messages:
            if set(message.to) & self.refuse:
                raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


@pytest.fixture
def counting(settings: Any) -> type[CountingBackend]:
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.opened = 0
    CountingBackend.refuse = set()
    return CountingBackend


def _confirmations(n: int) -> list[Any]:
    event = make_event(start=at(DAY, 10), capacity=100, title="Strikkecafé")
    people = [make_user() for _ in range(n)]
    for person in people:
        registered(event, person)
    return people


def test_a_batch_goes_over_one_smtp_connection(mail_expected, counting) -> None:
    people = _confirmations(7)
    result = services.dispatch_due()
    assert result.sent == 7
    assert counting.opened == 1
    assert sorted(m.to[0] for m in mail_expected) == sorted(p.email for p in people)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 7


def _dispatch_queries(n: int) -> int:
    _confirmations(n)
    with CaptureQueriesContext(connection) as captured:
        assert services.dispatch_due().sent == n
    Delivery.objects.all().delete()
    return len(captured)


def test_the_queries_of_a_batch_do_not_grow_with_it_beyond_one_mark_each(
    mail_expected, counting
) -> None:
    """Claiming, loading the registrations with their events, branches and rooms, and the
    recipients is a fixed number of queries; each message adds only its own mark."""
    few, more = _dispatch_queries(2), _dispatch_queries(8)
    assert more - few == 6


def test_a_refused_message_fails_alone(mail_expected, counting) -> None:
    people = _confirmations(5)
    refused = people[2].email
    counting.refuse = {refused}
    result = services.dispatch_due()
    assert (result.sent, result.failed) == (4, 1)
    assert sorted(m.to[0] for m in mail_expected) == sorted(
        p.email for p in people if p.email != refused
    )
    failed = Delivery.objects.get(recipient=people[2])
    assert (failed.status, failed.attempts) == (DeliveryStatus.PENDING, 1)
    assert "550" in failed.last_error
    assert failed.next_attempt_at > timezone.now()
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 4
    # The connection is opened again after the failure.
    assert counting.opened == 2


def test_two_claims_take_different_rows(mail_expected) -> None:
    _confirmations(6)
    first = dispatcher._claim_batch(4)
    second = dispatcher._claim_batch(4)
    third = dispatcher._claim_batch(4)
    assert first is not None and second is not None and third is None
    ids_first = {d.pk for d in first[1]}
    ids_second = {d.pk for d in second[1]}
    assert len(ids_first) == 4 and len(ids_second) == 2 and not ids_first & ids_second
    assert all(d.status == DeliveryStatus.SENDING and d.attempts == 1 for d in first[1])
    assert {d.claim_token for d in first[1]} == {first[0]}


def test_rows_not_tried_are_given_back_when_the_lease_runs_out(mail_expected, monkeypatch) -> None:
    _confirmations(3)
    token, rows = dispatcher._claim_batch(10) or ("", [])
    monkeypatch.setattr(dispatcher._Lease, "running_out", lambda self: True)
    assert dispatcher._send_batch(rows, token) == []
    assert mail_expected == []
    assert (
        sorted(Delivery.objects.values_list("status", "attempts", "maybe_duplicate"))
        == [(DeliveryStatus.PENDING, 0, False)] * 3
    )


def test_a_long_queue_is_drained_in_one_pass(mail_expected, counting) -> None:
    _confirmations(12)
    result = services.dispatch_due(batch=5)
    assert result.sent == 12
    assert counting.opened == 3  # one connection per batch


@pytest.mark.parametrize("status", [ItemStatus.CONFIRMED, ItemStatus.CANCELLED])
def test_the_invitation_is_byte_for_byte_the_calendars(status: str) -> None:
    start = at(DAY, 10)
    item = CalendarItem(
        uid="registration-17@modested.dk",
        sequence=3,
        summary="Strikkecafé med en meget lang titel, der skal foldes over flere linjer",
        start=start,
        end=start + timedelta(hours=2),
        status=status,
        location="Roskilde Bibliotek, Dronning Margrethes Vej 14, 4000 Roskilde",
        description="Kom og strik; vi har garn.\n\n" * 4,
        url="https://modested.example/arrangementer/17/",
        last_modified=start - timedelta(days=3),
    )
    for _ in range(2):  # the cached head the second time
        assert invitation(item, attendee="birte@example.org") == invitation_ical(
            item, attendee="birte@example.org"
        )


def test_the_invitation_in_a_sent_mail_is_the_calendars(mail_expected) -> None:
    [person] = _confirmations(1)
    services.dispatch_due()
    [(method, body)] = ics_parts(mail_expected[0])
    reg = Delivery.objects.get().object_id
    from events.models import Registration
    from notifications.sources import registration_item

    registration = Registration.objects.get(pk=reg)
    assert (body, method) == invitation_ical(registration_item(registration), attendee=person.email)


def test_the_lease_of_a_whole_batch_is_renewed_and_only_its_own(mail_expected) -> None:
    _confirmations(5)
    token, rows = dispatcher._claim_batch(3) or ("", [])
    other, others = dispatcher._claim_batch(3) or ("", [])
    before = {d.pk: d.claimed_until for d in [*rows, *others]}
    held = dispatcher._Lease(token, [d.pk for d in rows])
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        held._renew()
    after = dict(Delivery.objects.values_list("pk", "claimed_until"))
    assert all(after[d.pk] > before[d.pk] for d in rows)
    assert all(after[d.pk] == before[d.pk] for d in others)
