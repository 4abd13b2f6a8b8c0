"""Staff set up rooms, machines and licences in the pages (issue #13, deliverables 4 and 5)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.contracts import AuditAction
from core.exceptions import PermissionDenied, RuleViolation
from core.models import AuditLog, Role, User
from rooms import services
from rooms.models import (
    BookableBy,
    BookingStatus,
    Equipment,
    EquipmentKind,
    Licence,
    LicenceSource,
    Room,
)
from rooms.services import EQUIPMENT_FIELDS, ROOM_FIELDS
from tests.factories import make_branch, make_user
from tests.rooms.factories import at, future_day, make_booking, make_equipment, make_room

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def room_form(room: Room, **overrides: Any) -> dict[str, Any]:
    """The edit form as the page fills it in for ``room``, with ``overrides`` typed in."""
    data: dict[str, Any] = {}
    for name in ROOM_FIELDS:
        value = getattr(room, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def viby() -> Any:
    return make_branch(name="Viby Bibliotek", slug="viby")


@pytest.fixture
def roskilde() -> Any:
    return make_branch(name="Roskilde Bibliotek", slug="roskilde")


@pytest.fixture
def viby_staff(viby: Any) -> User:
    return make_user(role=Role.STAFF, branches=[viby])


def test_staff_home_links_to_the_set_up_and_licence_pages(viby_staff: User) -> None:
    page = logged_in(viby_staff).get("/personale/").content.decode()
    assert "/personale/lokaler/" in page
    assert "/personale/lokaler/koerekort/" in page


def test_staff_of_viby_add_a_machine_with_an_audit_row(viby: Any, viby_staff: User) -> None:
    room = make_room(branch=viby, name="Makerspace")
    client = logged_in(viby_staff)
    assert client.get("/personale/lokaler/maskiner/ny/").status_code == 200
    response = client.post(
        "/personale/lokaler/maskiner/ny/",
        {
            "branch": viby.pk,
            "name": "Laserskærer",
            "kind": EquipmentKind.LASER_CUTTER,
            "room": room.pk,
            "is_active": "on",
            "licence_required": "on",
            "min_age": "15",
            "slot_minutes": "60",
            "max_slots_per_day": "2",
            "max_slots_per_week": "4",
            "max_days_ahead": "30",
            "release_after_minutes": "10",
        },
    )
    assert response.status_code == 302
    machine = Equipment.objects.get(name="Laserskærer")
    assert machine.branch == viby and machine.room == room
    assert machine.licence_required and machine.release_after_minutes == 10
    row = AuditLog.objects.get(action=AuditAction.EQUIPMENT_CREATED)
    assert row.actor == viby_staff and row.target_id == str(machine.pk)

    # and change its release time
    edit = {f: v for f, v in response.wsgi_request.POST.items() if f in EQUIPMENT_FIELDS}
    edit.update(release_after_minutes="20")
    client.post(f"/personale/lokaler/maskiner/{machine.pk}/ret/", edit)
    machine.refresh_from_db()
    assert machine.release_after_minutes == 20
    changed = AuditLog.objects.get(action=AuditAction.EQUIPMENT_CHANGED)
    assert changed.data["changes"]["release_after_minutes"] == {"old": 10, "new": 20}


def test_staff_of_viby_edit_a_viby_room_with_an_audit_row(viby: Any, viby_staff: User) -> None:
    room = make_room(branch=viby, name="Mødelokale", capacity=12)
    client = logged_in(viby_staff)
    assert "Mødelokale" in client.get("/personale/lokaler/").content.decode()
    assert client.get(f"/personale/lokaler/{room.pk}/ret/").status_code == 200
    response = client.post(
        f"/personale/lokaler/{room.pk}/ret/",
        room_form(
            room,
            capacity="20",
            buffer_minutes="15",
            bookable_by=BookableBy.ASSOCIATIONS,
            requires_approval="on",
            rent_dkk="250.00",
        ),
    )
    assert response.status_code == 200
    assert "rules are saved" in response.content.decode()
    room.refresh_from_db()
    assert (room.capacity, room.buffer_minutes, room.bookable_by) == (20, 15, "associations")
    assert room.requires_approval and str(room.rent_dkk) == "250.00"
    row = AuditLog.objects.get(action=AuditAction.ROOM_CHANGED)
    assert row.actor == viby_staff
    assert row.data["changes"]["capacity"] == {"old": 12, "new": 20}
    assert row.data["bookings_not_allowed"] == 0


def test_staff_create_a_room_only_in_their_own_branch(
    viby: Any, roskilde: Any, viby_staff: User
) -> None:
    client = logged_in(viby_staff)
    fields = room_form(make_room(branch=viby), name="Studierum")
    assert client.post("/personale/lokaler/ny/", {**fields, "branch": viby.pk}).status_code == 302
    created = Room.objects.get(name="Studierum")
    assert created.branch == viby
    assert AuditLog.objects.filter(
        action=AuditAction.ROOM_CREATED, target_id=str(created.pk)
    ).exists()
    # Roskilde is not among the choices: a form error, nothing created
    refused = client.post("/personale/lokaler/ny/", {**fields, "name": "X", "branch": roskilde.pk})
    assert refused.status_code == 200 and not Room.objects.filter(name="X").exists()


def test_staff_of_viby_cannot_edit_a_roskilde_room(roskilde: Any, viby_staff: User) -> None:
    room = make_room(branch=roskilde, capacity=12)
    client = logged_in(viby_staff)
    assert client.get(f"/personale/lokaler/{room.pk}/ret/").status_code == 404
    response = client.post(f"/personale/lokaler/{room.pk}/ret/", room_form(room, capacity="2"))
    assert response.status_code == 404
    room.refresh_from_db()
    assert room.capacity == 12
    machine = make_equipment(branch=roskilde)
    assert client.get(f"/personale/lokaler/maskiner/{machine.pk}/ret/").status_code == 404
    # and the service refuses as well, whatever the door
    with pytest.raises(PermissionDenied):
        services.room_update(actor=viby_staff, room=room, changes={"capacity": 2})


def test_citizens_do_not_reach_the_set_up_pages(viby: Any) -> None:
    room = make_room(branch=viby)
    client = logged_in(make_user())
    assert client.get("/personale/lokaler/").status_code == 403
    assert client.get(f"/personale/lokaler/{room.pk}/ret/").status_code == 403


def test_a_rule_change_lists_the_coming_booking_it_would_forbid_and_keeps_it(
    viby: Any, viby_staff: User
) -> None:
    room = make_room(branch=viby, capacity=12, max_duration_minutes=240)
    citizen = make_user(name="Karen Jensen")
    day = future_day(5)
    long_meeting = make_booking(room=room, start=at(day, 10), end=at(day, 13), booker=citizen)
    short_meeting = make_booking(room=room, start=at(day, 14), end=at(day, 15), booker=citizen)
    client = logged_in(viby_staff)
    new_rules = room_form(room, max_duration_minutes="120")

    # Check first: listed, nothing saved
    check = client.post(f"/personale/lokaler/{room.pk}/ret/", {**new_rules, "check": "1"})
    text = check.content.decode()
    assert check.status_code == 200 and "Karen Jensen" in text
    assert "at most 120 minutes" in text
    room.refresh_from_db()
    assert room.max_duration_minutes == 240 and not AuditLog.objects.exists()

    # Save: the rule changes, the booking stays confirmed and is listed, the audit counts it
    saved = client.post(f"/personale/lokaler/{room.pk}/ret/", new_rules)
    text = saved.content.decode()
    assert saved.status_code == 200
    assert "Karen Jensen" in text and "They stay in place" in text
    room.refresh_from_db()
    long_meeting.refresh_from_db()
    assert room.max_duration_minutes == 120
    assert long_meeting.status == BookingStatus.CONFIRMED
    row = AuditLog.objects.get(action=AuditAction.ROOM_CHANGED)
    assert row.data["bookings_not_allowed"] == 1
    assert row.data["booking_ids"] == [long_meeting.pk]
    assert short_meeting.pk not in row.data["booking_ids"]


def test_breaches_of_capacity_buffer_and_limits_are_found(viby: Any, viby_staff: User) -> None:
    room = make_room(branch=viby, capacity=12)
    ann, bo = make_user(), make_user()
    day = future_day(6)
    big = make_booking(room=room, start=at(day, 9), end=at(day, 10), booker=ann, attendees=10)
    tight = make_booking(room=room, start=at(day, 10), end=at(day, 11), booker=bo)
    second = make_booking(room=room, start=at(day, 15), end=at(day, 16), booker=ann)

    def ids(**changes: Any) -> set[int]:
        return {b.booking.pk for b in services.room_rule_breaches(room=room, changes=changes)}

    assert ids(capacity=8) == {big.pk}
    assert ids(buffer_minutes=15) == {big.pk, tight.pk}
    assert ids(max_per_day=1) == {second.pk}
    assert ids(name="Nyt navn") == set()


def test_staff_grant_and_revoke_a_licence(viby: Any, viby_staff: User) -> None:
    make_equipment(branch=viby, kind=EquipmentKind.PRINTER_3D)
    maker = make_user(email="maker@example.org", name="Mads Maker")
    client = logged_in(viby_staff)
    page = client.get("/personale/lokaler/koerekort/")
    assert page.status_code == 200
    granted = client.post(
        "/makerspace/koerekort/",
        {
            "email": "maker@example.org",
            "equipment_kind": EquipmentKind.PRINTER_3D,
            "next": "/personale/lokaler/koerekort/",
        },
    )
    assert granted.status_code == 302 and granted["Location"] == "/personale/lokaler/koerekort/"
    licence = Licence.objects.get(person=maker)
    assert licence.source == LicenceSource.STAFF
    assert "Mads Maker" in client.get("/personale/lokaler/koerekort/").content.decode()

    revoked = client.post(f"/personale/lokaler/koerekort/{licence.pk}/tilbagekald/")
    assert revoked.status_code == 302
    assert not Licence.objects.filter(person=maker).exists()
    row = AuditLog.objects.get(action=AuditAction.LICENCE_REVOKED)
    assert row.actor == viby_staff
    assert row.data["person"] == maker.pk and row.data["kind"] == EquipmentKind.PRINTER_3D


def test_staff_cannot_revoke_a_licence_for_machines_they_do_not_have(
    viby: Any, roskilde: Any, viby_staff: User
) -> None:
    make_equipment(branch=roskilde, kind=EquipmentKind.LASER_CUTTER)
    maker = make_user()
    licence = services.licence_grant(
        person=maker, equipment_kind=EquipmentKind.LASER_CUTTER, actor=None
    )
    client = logged_in(viby_staff)
    assert maker.email not in client.get("/personale/lokaler/koerekort/").content.decode()
    assert client.post(f"/personale/lokaler/koerekort/{licence.pk}/tilbagekald/").status_code == 404
    assert Licence.objects.filter(pk=licence.pk).exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"capacity": "0"},
        {"capacity": "abc"},
        {"capacity": "99999999999"},
        {"name": ""},
        {"min_duration_minutes": "120", "max_duration_minutes": "60"},
        {"slot_minutes": "1"},
        {"bookable_by": "aliens"},
        {"fee_dkk": "1e30"},
        {"rent_dkk": "-5"},
    ],
)
def test_bad_room_input_is_a_form_error_never_a_500(
    viby: Any, viby_staff: User, overrides: dict[str, str]
) -> None:
    room = make_room(branch=viby, capacity=12)
    response = logged_in(viby_staff).post(
        f"/personale/lokaler/{room.pk}/ret/", room_form(room, **overrides)
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    room.refresh_from_db()
    assert room.capacity == 12 and not AuditLog.objects.exists()


def test_bad_machine_input_is_a_form_error_never_a_500(
    viby: Any, roskilde: Any, viby_staff: User
) -> None:
    other_room = make_room(branch=roskilde)
    response = logged_in(viby_staff).post(
        "/personale/lokaler/maskiner/ny/",
        {
            "branch": viby.pk,
            "name": "Printer",
            "kind": "warp_drive",
            "room": other_room.pk,
            "slot_minutes": "0",
            "max_days_ahead": "-1",
            "release_after_minutes": "x",
        },
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Equipment.objects.exists()


def test_a_machine_in_a_room_of_another_branch_is_refused_by_the_service(
    viby: Any, roskilde: Any, viby_staff: User
) -> None:
    with pytest.raises(RuleViolation):
        services.equipment_create(
            actor=viby_staff,
            branch=viby,
            fields={
                "name": "Printer",
                "kind": EquipmentKind.PRINTER_3D,
                "room": make_room(branch=roskilde),
            },
        )


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_lists_cost_the_same_queries_at_any_length(viby: Any, viby_staff: User) -> None:
    client = logged_in(viby_staff)

    def add(n: int) -> None:
        for _i in range(n):
            room = make_room(branch=viby)
            make_equipment(branch=viby, room=room)
            services.licence_grant(
                person=make_user(), equipment_kind=EquipmentKind.PRINTER_3D, actor=viby_staff
            )

    add(1)
    few = (
        _queries(client, "/personale/lokaler/"),
        _queries(client, "/personale/lokaler/koerekort/"),
    )
    add(5)
    many = (
        _queries(client, "/personale/lokaler/"),
        _queries(client, "/personale/lokaler/koerekort/"),
    )
    assert few == many
