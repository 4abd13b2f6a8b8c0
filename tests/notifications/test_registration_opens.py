"""Remind me when registration opens (issue 14, point 6): before the opening time nobody can
register, people may ask to be told, and each gets exactly one message when it opens; from
then the usual seat and waiting-list rules apply."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from core.exceptions import Conflict
from events import services
from events.models import OpeningReminder, RegistrationStatus
from notifications.services import dispatch_due
from tests.events.factories import make_event
from tests.factories import make_user
from tests.notifications.factories import at

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 10)
OPENS = at(date(2026, 12, 1), 9)  # TODAY (conftest) is 25 November 2026


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_registration_waits_for_its_opening_time_and_the_asker_is_told_once(
    mail_expected,
) -> None:
    event = make_event(start=at(DAY, 10), title="Juleklip", capacity=1, registration_opens_at=OPENS)
    early, other = make_user(language="en"), make_user(language="en")

    with pytest.raises(Conflict) as refused:
        services.registration_create(actor=early, event=event)
    assert refused.value.code == "registration_not_open"
    assert "Registration opens 01.12.2026 09:00" in refused.value.message

    services.opening_reminder_request(actor=early, event=event)
    services.opening_reminder_request(actor=early, event=event)  # asking twice: one request
    services.opening_reminder_request(actor=other, event=event)
    assert OpeningReminder.objects.filter(event=event).count() == 2
    dispatch_due()
    assert mail_expected == []  # not before it opens

    with time_machine.travel(OPENS + timedelta(minutes=1)):
        dispatch_due()
        dispatch_due()
        assert sorted(m.to[0] for m in mail_expected) == sorted([early.email, other.email])
        assert all(m.subject == "Registration is open: Juleklip" for m in mail_expected)
        assert all("is now open, as you asked to be told" in m.body for m in mail_expected)
        # From now on the usual rules: one seat, then the waiting list.
        first = services.registration_create(actor=other, event=event)
        second = services.registration_create(actor=early, event=event)
    assert first.status == RegistrationStatus.CONFIRMED
    assert (second.status, second.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    opened = [m for m in mail_expected if m.subject.startswith("Registration is open")]
    assert len(opened) == 2


def test_no_opening_message_for_an_event_cancelled_meanwhile(mail_expected, staff) -> None:
    event = make_event(branch=staff.branches.get(), start=at(DAY, 10), registration_opens_at=OPENS)
    services.opening_reminder_request(actor=make_user(), event=event)
    services.event_cancel(actor=staff, event=event, reason="Syg")

    with time_machine.travel(OPENS + timedelta(minutes=1)):
        dispatch_due()

    assert not [m for m in mail_expected if "open" in m.subject]


def test_asking_when_registration_is_already_open_says_so() -> None:
    event = make_event(start=at(DAY, 10), registration_opens_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(Conflict) as refused:
        services.opening_reminder_request(actor=make_user(), event=event)
    assert "already open" in refused.value.message


def test_the_api_asks_to_be_told_and_refuses_early_registration(client_for) -> None:
    event = make_event(start=at(DAY, 10), registration_opens_at=OPENS)
    person = client_for(make_user())

    early = person.post(f"/api/events/{event.pk}/registrations/", {"seats": 1}, format="json")
    asked = person.post(f"/api/events/{event.pk}/opening-reminder/", format="json")
    detail = person.get(f"/api/events/{event.pk}/").json()

    assert early.status_code == 409
    assert early.json()["code"] == "registration_not_open"
    assert early.json()["registration_opens_at"].startswith("2026-12-01T09:00")
    assert asked.status_code == 201
    assert asked.json()["event"] == event.pk
    assert detail["registration_opens_at"].startswith("2026-12-01T09:00")
    assert person.delete(f"/api/events/{event.pk}/opening-reminder/").status_code == 204
    assert not OpeningReminder.objects.filter(event=event).exists()


def test_staff_set_the_opening_time_through_the_api(client_for, staff) -> None:
    event = make_event(branch=staff.branches.get(), start=at(DAY, 10))

    response = client_for(staff).patch(
        f"/api/events/{event.pk}/",
        {"registration_opens_at": OPENS.isoformat()},
        format="json",
    )

    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert event.registration_opens_at == OPENS
