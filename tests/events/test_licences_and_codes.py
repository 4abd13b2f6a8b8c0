"""Issue #13, point 5 and 8: a licence is granted only by staff of a branch that owns that kind
of machine, undoing a licence course's check-in takes back the licence that check-in gave,
and a QR check-in code opens nothing once the event's check-in has closed."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from core.contracts import AuditAction
from core.exceptions import PermissionDenied
from core.models import AuditLog
from core.timeutils import local_today, make_local
from events import checkin_codes, services
from events.models import Event
from rooms import services as room_services
from rooms.models import EquipmentKind, Licence, LicenceSource
from tests.events.factories import make_event, make_person, make_registration, make_staff
from tests.factories import make_branch
from tests.rooms.factories import make_equipment

pytestmark = pytest.mark.django_db

LASER = EquipmentKind.LASER_CUTTER


def _event(**overrides: Any) -> Event:
    return make_event(start=make_local(local_today() + timedelta(days=5), time(18, 0)), **overrides)


def _client(user: Any) -> Client:
    client = Client()
    client.cookies.load({"django_language": "en"})
    client.force_login(user)
    return client


def test_only_staff_of_a_branch_with_that_machine_grant_its_licence() -> None:
    viby, roskilde = make_branch(slug="viby"), make_branch(slug="roskilde")
    make_equipment(branch=roskilde, kind=LASER)
    maker = make_person(email="maker@example.org")
    with pytest.raises(PermissionDenied):
        room_services.licence_grant_by_staff(
            actor=make_staff(viby), person=maker, equipment_kind=LASER
        )
    # The page grants nothing (a 404, as for a machine the staff member cannot see).
    response = _client(make_staff(viby)).post(
        "/makerspace/koerekort/", {"email": maker.email, "equipment_kind": LASER}
    )
    assert response.status_code == 404
    assert not Licence.objects.filter(person=maker).exists()
    # The API: 403 with the code, nothing granted.
    api = _client(make_staff(viby)).post(
        "/api/licences/",
        {"person": maker.pk, "equipment_kind": LASER},
        content_type="application/json",
    )
    assert api.status_code in (400, 403, 404), api.content
    assert not Licence.objects.filter(person=maker).exists()

    licence = room_services.licence_grant_by_staff(
        actor=make_staff(roskilde), person=maker, equipment_kind=LASER
    )
    assert licence.source == LicenceSource.STAFF


def test_undoing_a_licence_course_check_in_takes_back_the_licence_it_gave() -> None:
    branch = make_branch()
    event = _event(branch=branch, licence_equipment_kind=LASER)
    newcomer = make_registration(event=event, user=make_person(name="Ny Maker"))
    holder = make_person(name="Har Kørekort")
    room_services.licence_grant(person=holder, equipment_kind=LASER, actor=None)
    already = make_registration(event=event, user=holder)
    staff = make_staff(branch)
    client = _client(staff)
    with time_machine.travel(event.start - timedelta(minutes=5), tick=True):
        for reg in (newcomer, already):
            client.post(f"/personale/tilmeldinger/{reg.pk}/tjek-ind/")
        assert Licence.objects.filter(person=newcomer.user, equipment_kind=LASER).exists()

        for reg in (newcomer, already):
            client.post(f"/personale/tilmeldinger/{reg.pk}/fortryd-tjek-ind/")
    # The newcomer's licence came with the check-in: gone with its undo, with an audit row.
    assert not Licence.objects.filter(person=newcomer.user).exists()
    row = AuditLog.objects.get(action=AuditAction.LICENCE_REVOKED)
    assert row.actor == staff and row.data["person"] == newcomer.user_id
    # The one held before the course stays.
    assert Licence.objects.filter(person=holder, equipment_kind=LASER).exists()

    # Checked in again: the licence comes back; the second undo takes it again.
    with time_machine.travel(event.start - timedelta(minutes=5), tick=True):
        services.registration_check_in(actor=staff, registration=newcomer)
        assert Licence.objects.filter(person=newcomer.user).exists()
        services.registration_check_in_undo(actor=staff, registration=newcomer)
    assert not Licence.objects.filter(person=newcomer.user).exists()


def test_a_qr_code_expires_when_the_events_check_in_closes() -> None:
    branch = make_branch()
    event = _event(branch=branch)
    reg = make_registration(event=event, user=make_person(name="Birte Jensen"))
    token = checkin_codes.check_in_token(reg)
    staff = _client(make_staff(branch))
    page = f"/personale/tjek-ind/{token}/"
    picture = "/" + checkin_codes.qr_svg_url(reg).split("://", 1)[1].split("/", 1)[1]
    with time_machine.travel(event.start - timedelta(minutes=5), tick=True):
        assert staff.get(page).status_code == 200
        assert Client().get(picture).status_code == 200
    with time_machine.travel(event.end + timedelta(hours=12, minutes=1), tick=True):
        assert staff.get(page).status_code == 404
        assert staff.post(page).status_code == 404
        assert Client().get(picture).status_code == 404
    reg.refresh_from_db()
    assert reg.checked_in_at is None
