"""Least data (issue #11, finding 7): each reader gets the personal data their work needs.

Registrants' e-mail addresses go only to staff of the event's branch and administrators;
the volunteer hosting the session sees names. A person's user id, and the reason someone
gave for cancelling, likewise go only to staff of the branch.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from core.models import Branch, Role, User
from events.models import Event, Registration, RegistrationStatus
from rooms.models import EquipmentKind, Licence, LicenceSource
from tests.events.factories import make_event, make_registration
from tests.factories import make_branch, make_user
from tests.rooms.factories import make_equipment
from tests.volunteers.factories import make_activity, make_volunteer

pytestmark = pytest.mark.django_db


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def branch() -> Branch:
    return make_branch(name="Hovedbiblioteket")


@pytest.fixture
def host(branch: Branch) -> User:
    return make_volunteer(branches=[branch], name="Vera Vært")


@pytest.fixture
def event(branch: Branch, host: User) -> Event:
    return make_event(branch=branch, host=host, capacity=1)


@pytest.fixture
def registrations(event: Event) -> list[Registration]:
    return [
        make_registration(event=event, user=make_user(name="Anna", email="anna@example.org")),
        make_registration(
            event=event,
            user=make_user(name="Bo", email="bo@example.org"),
            status=RegistrationStatus.WAITLISTED,
            waitlist_position=1,
        ),
    ]


def _emails_in(body: Any) -> bool:
    return "@example.org" in json.dumps(body)


def test_the_host_sees_names_and_no_email_addresses(
    event: Event, host: User, registrations: list[Registration]
) -> None:
    response = api_as(host).get(f"/api/events/{event.pk}/registrations/")
    assert response.status_code == 200
    rows = response.json()
    assert [row["name"] for row in rows] == ["Anna", "Bo"]
    assert all("email" not in row and "cancel_reason" not in row for row in rows)
    assert not _emails_in(rows)


def test_staff_of_the_branch_see_the_email_addresses(
    branch: Branch, event: Event, registrations: list[Registration]
) -> None:
    staff = make_user(role=Role.STAFF, branches=[branch], password=None)
    rows = api_as(staff).get(f"/api/events/{event.pk}/registrations/").json()
    assert [row["email"] for row in rows] == ["anna@example.org", "bo@example.org"]


def test_an_administrator_sees_the_email_addresses(
    event: Event, registrations: list[Registration]
) -> None:
    administrator = make_user(role=Role.ADMINISTRATOR, password=None)
    rows = api_as(administrator).get(f"/api/events/{event.pk}/registrations/").json()
    assert {row["email"] for row in rows} == {"anna@example.org", "bo@example.org"}


def test_staff_of_another_branch_see_no_registrations_at_all(
    event: Event, registrations: list[Registration]
) -> None:
    elsewhere = make_user(role=Role.STAFF, branches=[make_branch()], password=None)
    response = api_as(elsewhere).get(f"/api/events/{event.pk}/registrations/")
    assert response.status_code == 404
    assert not _emails_in(response.json())


def test_checking_someone_in_shows_the_host_no_email_address(
    branch: Branch, event: Event, host: User, registrations: list[Registration]
) -> None:
    anna = registrations[0]
    staff = make_user(role=Role.STAFF, branches=[branch], password=None)
    with time_machine.travel(event.start, tick=False):  # check-in opens near the start
        by_host = api_as(host).post(f"/api/registrations/{anna.pk}/check-in/")
        by_staff = api_as(staff).post(f"/api/registrations/{anna.pk}/check-in/")
    assert by_host.status_code == 200, by_host.content
    assert by_host.json()["name"] == "Anna" and not _emails_in(by_host.json())
    assert by_staff.status_code == 200, by_staff.content
    assert by_staff.json()["email"] == "anna@example.org"


def test_the_check_in_page_shows_a_cancel_reason_to_staff_not_to_the_host(
    branch: Branch, event: Event, host: User
) -> None:
    make_registration(
        event=event,
        user=make_user(name="Carl"),
        status=RegistrationStatus.CANCELLED,
        cancel_reason="Min søn er syg",
    )
    path = f"/personale/arrangementer/{event.pk}/tjek-ind/"
    as_host = Client()
    as_host.force_login(host)
    page = as_host.get(path).content.decode()
    assert "Carl" in page and "Min søn er syg" not in page
    as_staff = Client()
    as_staff.force_login(make_user(role=Role.STAFF, branches=[branch], password=None))
    assert "Min søn er syg" in as_staff.get(path).content.decode()


def test_an_activity_coordinator_id_only_for_staff_of_its_branch(branch: Branch) -> None:
    coordinator = make_user(role=Role.STAFF, branches=[branch], password=None)
    make_activity(branch=branch, coordinator=coordinator)

    def coordinators(reader: User) -> list[Any]:
        rows = api_as(reader).get("/api/activities/").json()["results"]
        return [row["coordinator"] for row in rows]

    assert coordinators(make_volunteer(branches=[branch])) == [None]
    assert coordinators(make_user(password=None)) == [None]
    elsewhere = make_user(role=Role.STAFF, branches=[make_branch()], password=None)
    assert coordinators(elsewhere) == [None]
    assert coordinators(coordinator) == [coordinator.pk]
    assert coordinators(make_user(role=Role.ADMINISTRATOR, password=None)) == [coordinator.pk]


def test_a_citizen_sees_who_granted_a_licence_by_name_not_by_id(branch: Branch) -> None:
    staff = make_user(role=Role.STAFF, branches=[branch], name="Signe", password=None)
    citizen = make_user(password=None)
    Licence.objects.create(
        person=citizen,
        equipment_kind=EquipmentKind.PRINTER_3D,
        granted_by=staff,
        source=LicenceSource.STAFF,
    )
    row = api_as(citizen).get("/api/licences/").json()["results"][0]
    assert row["granted_by_name"] == "Signe" and "granted_by" not in row
    make_equipment(branch=branch, kind=EquipmentKind.LASER_CUTTER)  # staff grant for their machines
    granted = api_as(staff).post(
        "/api/licences/",
        {"person": citizen.pk, "equipment_kind": EquipmentKind.LASER_CUTTER},
        format="json",
    )
    assert granted.status_code == 201, granted.content
    assert granted.json()["granted_by"] == staff.pk
