"""Staff register a person on their behalf (issue 14, point 4): ``POST
/api/events/<id>/registrations/`` with ``on_behalf_of`` and ``override_reason``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from core.models import AuditLog
from events.models import Registration
from tests.events.factories import make_event, make_person, make_staff
from tests.factories import make_branch

pytestmark = pytest.mark.django_db


def test_too_many_seats_without_a_reason_is_the_citizens_400_and_with_one_is_bent(
    client_for: Any,
) -> None:
    event = make_event(max_seats_per_registration=2, capacity=20)
    person = make_person()
    desk = make_staff(branch=event.branch)
    url = f"/api/events/{event.pk}/registrations/"
    as_person = client_for(person).post(url, {"seats": 3})
    refused = client_for(desk).post(url, {"seats": 3, "on_behalf_of": person.email})
    assert as_person.status_code == refused.status_code == 400
    assert as_person.json() == refused.json()
    bent = client_for(desk).post(
        url,
        {"seats": 3, "on_behalf_of": person.email, "override_reason": "Bedsteforældre med"},
    )
    assert bent.status_code == 201
    assert bent.json()["override"] == {
        "rule": "seats",
        "reason": "Bedsteforældre med",
        "by": desk.email,
    }
    reg = Registration.objects.get(pk=bent.json()["id"])
    assert reg.user == person and reg.registered_by == desk and reg.seats == 3
    assert AuditLog.objects.filter(
        action="rule.overridden", actor=desk, target_id=str(reg.pk)
    ).exists()
    # other staff see the override in the registrations list of the event
    listing = client_for(make_staff(branch=event.branch)).get(url).json()
    row = next(r for r in listing if r["id"] == reg.pk)
    assert row["override_reason"] == "Bedsteforældre med"


def test_a_started_event_needs_a_reason_at_the_desk(client_for: Any) -> None:
    event = make_event()
    person = make_person()
    desk = make_staff(branch=event.branch)
    url = f"/api/events/{event.pk}/registrations/"
    with time_machine.travel(event.start + timedelta(minutes=10), tick=False):
        refused = client_for(desk).post(url, {"on_behalf_of": person.email})
        assert refused.status_code == 400 and refused.json()["code"] == "event_started"
        bent = client_for(desk).post(
            url, {"on_behalf_of": person.email, "override_reason": "Kom for sent, bussen"}
        )
    assert bent.status_code == 201
    assert bent.json()["override"]["rule"] == "event_started"


def test_no_rule_broken_registers_the_person_without_an_override(client_for: Any) -> None:
    event = make_event()
    person = make_person()
    response = client_for(make_staff(branch=event.branch)).post(
        f"/api/events/{event.pk}/registrations/", {"on_behalf_of": person.email}
    )
    assert response.status_code == 201
    assert "override" not in response.json()
    assert Registration.objects.get(pk=response.json()["id"]).user == person


def test_only_staff_of_the_events_branch_register_on_behalf(client_for: Any) -> None:
    event = make_event()
    person = make_person()
    for actor in (make_person(), make_staff(branch=make_branch())):
        response = client_for(actor).post(
            f"/api/events/{event.pk}/registrations/",
            {"on_behalf_of": person.email, "override_reason": "x"},
        )
        assert response.status_code == 403
        assert response.json()["code"] == "on_behalf_not_allowed"
    assert not Registration.objects.exists()


def test_the_desk_form_on_the_check_in_page_registers_and_shows_the_override() -> None:
    from django.test import Client
    from django.urls import reverse

    from tests.factories import PASSWORD, make_user

    event = make_event(max_seats_per_registration=1)
    person = make_person(name="Hanne Hansen")
    desk = make_user(role="staff", branches=[event.branch])
    browser = Client()
    browser.cookies["django_language"] = "en"
    browser.login(email=desk.email, password=PASSWORD)
    url = reverse("events:desk-register", args=[event.pk])
    browser.post(url, {"on_behalf_of": person.email, "seats": 2})
    assert not Registration.objects.exists()
    browser.post(url, {"on_behalf_of": person.email, "seats": 2, "override_reason": "Med hjælper"})
    reg = Registration.objects.get()
    assert reg.user == person and reg.seats == 2
    page = browser.get(reverse("events:check-in", args=[event.pk])).content.decode()
    assert "Hanne Hansen" in page and "rule bent (seats): Med hjælper" in page


def test_each_rule_bent_is_named(client_for: Any) -> None:
    event = make_event(max_seats_per_registration=1)
    person = make_person()
    desk = make_staff(branch=event.branch)
    with time_machine.travel(event.start + timedelta(minutes=5), tick=False):
        bent = client_for(desk).post(
            f"/api/events/{event.pk}/registrations/",
            {"seats": 2, "on_behalf_of": person.email, "override_reason": "Familie, for sent"},
        )
    assert bent.status_code == 201
    assert bent.json()["override"]["rule"] == "event_started, seats"
