"""Check-in at the door, on a tablet: open from 00:00 on the day, search, check in and undo,
walk-ins while seats are free, two tablets that agree, and the QR code a person shows."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client

from core.contracts import AuditAction
from core.exceptions import EventFull, NotFound, RuleViolation
from core.locking import Pause
from core.models import AuditLog, Role
from core.timeutils import local_today, make_local
from events import checkin_codes, services
from events.models import Event, Registration, RegistrationStatus
from events.selectors import event_attendance
from tests.events.factories import make_event, make_person, make_registration, make_staff
from tests.factories import make_branch, make_user
from tests.race import POSTGRES_ONLY, locks_off, run_together, widen

pytestmark = pytest.mark.django_db

EN = {"django_language": "en"}


def _day() -> date:
    return local_today() + timedelta(days=5)


def _event(**overrides: Any) -> Event:
    """An event at 18:00 local time five days from now."""
    return make_event(start=make_local(_day(), time(18, 0)), **overrides)


def _client(user: Any) -> Client:
    client = Client()
    client.cookies.load(EN)
    client.force_login(user)
    return client


def _page(client: Client, event: Event, query: str = "") -> str:
    url = f"/personale/arrangementer/{event.pk}/tjek-ind/"
    response = client.get(url, {"q": query} if query else {})
    assert response.status_code == 200
    return response.content.decode()


def _at_the_door(event: Event) -> Any:
    return time_machine.travel(event.start - timedelta(minutes=10), tick=True)


# --- When the door opens ----------------------------------------------------------------


def test_check_in_opens_at_midnight_of_the_day_not_the_day_before() -> None:
    branch = make_branch()
    event = _event(branch=branch)
    reg = make_registration(event=event)
    staff = make_staff(branch)
    midnight = make_local(_day(), time(0, 0))
    with time_machine.travel(midnight - timedelta(seconds=1), tick=False):
        with pytest.raises(RuleViolation) as refused:
            services.registration_check_in(actor=staff, registration=reg)
        assert refused.value.code == "check_in_closed"
        with pytest.raises(RuleViolation):
            services.registration_walk_in(actor=staff, event=event)
        page = _page(_client(staff), event)
        assert "Check-in opens on" in page and "at 00:00" in page
    with time_machine.travel(midnight):
        done = services.registration_check_in(actor=staff, registration=reg)
        assert "Check-in opens" not in _page(_client(staff), event)
    assert done.checked_in_at is not None


# --- Search ---------------------------------------------------------------------------------


def test_search_by_name_filters_the_list_without_javascript() -> None:
    branch = make_branch()
    event = _event(branch=branch)
    make_registration(event=event, user=make_person(name="Birte Jensen"))
    make_registration(event=event, user=make_person(name="Ole Hansen"))
    client = _client(make_staff(branch))
    with _at_the_door(event):
        services.registration_walk_in(actor=make_staff(branch), event=event, name="Birgit Walk")
    everyone = _page(client, event)
    assert "Birte Jensen" in everyone and "Ole Hansen" in everyone
    found = _page(client, event, "bir")
    assert "Birte Jensen" in found and "Birgit Walk" in found and "Ole Hansen" not in found
    assert 'value="bir"' in found  # the box keeps what was typed
    assert "Nobody by the name" in _page(client, event, "xyz")
    # The counts are of everyone, not only those found.
    assert "1 of 3 seats checked in" in found


# --- Check in and undo ----------------------------------------------------------------------


def test_check_in_and_undo_from_the_page_with_audit_rows_and_attendance() -> None:
    branch = make_branch()
    event = _event(branch=branch)
    reg = make_registration(event=event, user=make_person(name="Birte Jensen"), seats=2)
    make_registration(event=event)
    staff = make_staff(branch)
    client = _client(staff)
    with _at_the_door(event):
        response = client.post(f"/personale/tilmeldinger/{reg.pk}/tjek-ind/", {"q": "birte"})
        assert response.status_code == 302
        assert response["Location"].endswith(f"?q=birte#reg-{reg.pk}")
        reg.refresh_from_db()
        assert reg.checked_in_at is not None
        assert event_attendance(event) == 2
        page = _page(client, event)
        assert "2 of 3 seats checked in" in page and "Undo" in page

        client.post(f"/personale/tilmeldinger/{reg.pk}/fortryd-tjek-ind/")
        reg.refresh_from_db()
        assert reg.checked_in_at is None
        assert reg.status == RegistrationStatus.CONFIRMED  # still registered
        assert event_attendance(Event.objects.get(pk=event.pk)) == 0
        assert "0 of 3 seats checked in" in _page(client, event)
        # Undoing again changes nothing and writes nothing.
        client.post(f"/personale/tilmeldinger/{reg.pk}/fortryd-tjek-ind/")
    actions = list(
        AuditLog.objects.filter(target_id=str(reg.pk)).order_by("pk").values_list("action", "actor")
    )
    assert actions == [
        (AuditAction.REGISTRATION_CHECKED_IN, staff.pk),
        (AuditAction.REGISTRATION_CHECK_IN_UNDONE, staff.pk),
    ]


def test_undo_is_for_staff_of_the_branch_only() -> None:
    branch = make_branch()
    event = _event(branch=branch)
    reg = make_registration(event=event)
    with _at_the_door(event):
        services.registration_check_in(actor=make_staff(branch), registration=reg)
        with pytest.raises(NotFound):
            services.registration_check_in_undo(actor=make_staff(make_branch()), registration=reg)
        response = _client(reg.user).post(f"/personale/tilmeldinger/{reg.pk}/fortryd-tjek-ind/")
        assert response.status_code == 404
    reg.refresh_from_db()
    assert reg.checked_in_at is not None


# --- Walk-ins --------------------------------------------------------------------------------


def test_walk_ins_are_counted_in_attendance_and_refused_when_full() -> None:
    branch = make_branch()
    event = _event(branch=branch, capacity=4)
    make_registration(event=event, seats=2)
    staff = make_staff(branch)
    client = _client(staff)
    with _at_the_door(event):
        response = client.post(
            f"/personale/arrangementer/{event.pk}/tjek-ind/uden-tilmelding/",
            {"seats": 1, "name": ""},
        )
        assert response.status_code == 302
        walk_in = Registration.objects.get(event=event, walk_in=True)
        assert walk_in.user is None and walk_in.checked_in_at is not None
        assert event_attendance(event) == 1
        page = _page(client, event)
        assert "Walk-in" in page and "1 of 3 seats checked in" in page and "1 free" in page

        with pytest.raises(EventFull):
            services.registration_walk_in(actor=staff, event=event, seats=2, name="Too many")
        services.registration_walk_in(actor=staff, event=event, seats=1, name="Kim")
        page = _page(client, event)
        assert "The event is full" in page
        response = client.post(
            f"/personale/arrangementer/{event.pk}/tjek-ind/uden-tilmelding/",
            {"seats": 1},
            follow=True,
        )
        assert "There is no room for 1 more: 0 seats are free." in response.content.decode()
        assert event_attendance(event) == 2
        # Undoing a walk-in frees its seat again.
        services.registration_check_in_undo(actor=staff, registration=walk_in)
        walk_in.refresh_from_db()
        assert walk_in.status == RegistrationStatus.CANCELLED
        assert event_attendance(event) == 1
    assert AuditLog.objects.filter(action=AuditAction.REGISTRATION_WALK_IN).count() == 2


# --- Two tablets at one door ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@POSTGRES_ONLY
def test_two_tablets_at_once_agree_on_the_last_seat_and_the_check_in() -> None:
    branch = make_branch()
    event = _event(branch=branch, capacity=3)
    reg = make_registration(event=event)
    make_registration(event=event)  # one seat left
    tablets = [_client(make_staff(branch)), _client(make_staff(branch))]
    walk_in_url = f"/personale/arrangementer/{event.pk}/tjek-ind/uden-tilmelding/"
    check_in_url = f"/personale/tilmeldinger/{reg.pk}/tjek-ind/"
    with _at_the_door(event):
        results = run_together([lambda c=c: c.post(walk_in_url, {"seats": 1}) for c in tablets])
        assert all(r.status_code == 302 for r in results), results
        assert Registration.objects.filter(event=event, walk_in=True).count() == 1
        run_together([lambda c=c: c.post(check_in_url) for c in tablets])
        assert (
            AuditLog.objects.filter(
                action=AuditAction.REGISTRATION_CHECKED_IN, target_id=str(reg.pk)
            ).count()
            == 1
        )
        pages = [_page(c, event) for c in tablets]
    for page in pages:
        assert "2 of 3 seats checked in" in page and "0 free" in page


@pytest.mark.django_db(transaction=True)
@POSTGRES_ONLY
def test_negative_control_without_the_lock_two_walk_ins_take_one_seat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locks_off(monkeypatch)
    widen(monkeypatch, Pause.REGISTRATION_AFTER_SEAT_COUNT, 0.3)
    branch = make_branch()
    event = _event(branch=branch, capacity=1)
    staff = [make_staff(branch), make_staff(branch)]
    with _at_the_door(event):
        run_together(
            [lambda s=s: services.registration_walk_in(actor=s, event=event) for s in staff]
        )
    assert Registration.objects.filter(event=event, walk_in=True).count() == 2  # oversold


# --- The QR code -----------------------------------------------------------------------------


def _code_url(reg: Registration) -> str:
    return f"/personale/tjek-ind/{checkin_codes.check_in_token(reg)}/"


def test_the_qr_token_checks_in_the_right_registration_for_staff_of_the_branch() -> None:
    branch = make_branch()
    event = _event(branch=branch)
    other = make_registration(event=event, user=make_person(name="Ole Hansen"))
    reg = make_registration(event=event, user=make_person(name="Birte Jensen"))
    client = _client(make_staff(branch))
    url = _code_url(reg)
    assert checkin_codes.check_in_url(reg).endswith(url)
    with _at_the_door(event):
        page = client.get(url)
        assert page.status_code == 200 and "Birte Jensen" in page.content.decode()
        reg.refresh_from_db()
        assert reg.checked_in_at is None  # opening the link checks nobody in
        response = client.post(url)
        assert response.status_code == 302
    reg.refresh_from_db()
    other.refresh_from_db()
    assert reg.checked_in_at is not None and other.checked_in_at is None


def test_the_qr_token_is_a_404_for_anyone_else_and_when_forged() -> None:
    branch = make_branch()
    event = _event(branch=branch)
    reg = make_registration(event=event)
    url = _code_url(reg)
    outsiders = [
        make_staff(make_branch()),  # staff of another branch
        reg.user,  # the person themself
        make_user(role=Role.VOLUNTEER, password=None),
    ]
    forged = signing.dumps(reg.pk, salt="something else")
    with _at_the_door(event):
        for person in outsiders:
            client = _client(person)
            assert client.get(url).status_code == 404
            assert client.post(url).status_code == 404
        staff = _client(make_staff(branch))
        assert staff.post(f"/personale/tjek-ind/{forged}/").status_code == 404
        assert staff.post(f"/personale/tjek-ind/{reg.pk}/").status_code == 404
        tampered = checkin_codes.check_in_token(reg)[:-2] + "xx"
        assert staff.post(f"/personale/tjek-ind/{tampered}/").status_code == 404
    reg.refresh_from_db()
    assert reg.checked_in_at is None


def test_the_qr_code_shows_on_my_page_for_confirmed_registrations_only() -> None:
    person = make_person(name="Birte Jensen")
    confirmed = make_registration(event=_event(title="Strikkecafé"), user=person)
    full = _event(title="Foredrag", capacity=1)
    make_registration(event=full)
    make_registration(
        event=full, user=person, status=RegistrationStatus.WAITLISTED, waitlist_position=1
    )
    html = _client(person).get("/min-side/").content.decode()
    assert html.count('class="qr"') == 1
    assert re.search(r'<span class="qr" role="img" aria-label="[^"]+"><svg', html)
    # The SVG picture the e-mail links to encodes the same token.
    svg = Client().get(checkin_codes.qr_svg_url(confirmed).split("8000", 1)[-1])
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content


def test_the_confirmation_email_links_to_the_qr_code() -> None:
    from notifications.services import dispatch_due

    mail.outbox = []
    person = make_person(email="birte@example.org")
    reg = services.registration_create(actor=person, event=_event())
    dispatch_due()
    [message] = [m for m in mail.outbox if m.to == ["birte@example.org"]]
    # The token carries the second it was signed in, so compare what it opens, not its text.
    prefix = checkin_codes.qr_svg_url(reg).split("/tjek-ind-kode/")[0] + "/tjek-ind-kode/"
    found = re.search(re.escape(prefix) + r"([^\s/]+)\.svg", message.body)
    assert found is not None, message.body
    assert checkin_codes.registration_id_from_token(found.group(1)) == reg.pk


def test_a_walk_in_costs_the_same_queries_however_many_are_registered(
    django_assert_num_queries: Any,
) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    for registered in (1, 8):
        event = _event(branch=branch, capacity=20)
        for _ in range(registered):
            make_registration(event=event)
        with _at_the_door(event), django_assert_num_queries(7):
            # 1  SAVEPOINT (the durable transaction)
            # 2  the Event row, locked
            # 3  is the actor staff of its branch (can_manage_branch)
            # 4  the confirmed seats, summed under the lock
            # 5  INSERT the walk-in (no constraint to turn into a 409: no savepoint)
            # 6  INSERT the audit row
            # 7  RELEASE
            services.registration_walk_in(actor=staff, event=event, name="Kim")


def test_walk_in_names_are_forgotten_with_the_registrations_after_30_days() -> None:
    event = make_event(start=make_local(local_today() - timedelta(days=40), time(18, 0)))
    walk_in = Registration.objects.create(
        event=event,
        walk_in=True,
        walk_in_name="Kim",
        seats=2,
        status=RegistrationStatus.CONFIRMED,
        checked_in_at=event.start,
    )
    services.registrations_anonymise_old()
    walk_in.refresh_from_db()
    assert walk_in.walk_in_name == "" and walk_in.seats == 2
    assert event_attendance(event) == 2
