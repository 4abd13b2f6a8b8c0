"""Issue #13, "How it is checked", in a real browser.

Staff of Jyllinge close the branch tomorrow from 12:00 because of a burst pipe: the preview
lists two room bookings, one event with 12 registrations and 3 on the waiting list, and one
shift; they move the event to Roskilde the day after and confirm. Each person affected then
receives exactly one message, with a valid calendar update (METHOD:CANCEL, or a REQUEST with
the same UID and a higher SEQUENCE), and nothing else changes. The test data is built here.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from core.models import Closure, User
from core.timeutils import local_today
from events.models import Event, EventState, Registration, RegistrationStatus
from notifications.calendar import make_uid
from notifications.services import dispatch_due
from rooms.models import Booking, BookingStatus
from tests.e2e.axe import assert_accessible
from tests.events.factories import make_event, make_person, make_registration, make_staff
from tests.factories import make_branch
from tests.notifications.factories import ics_parts
from tests.rooms.factories import at, make_booking, make_room
from tests.volunteers.factories import make_activity, make_shift, make_signup, make_volunteer
from volunteers.models import Shift

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page: Page, live_server: Any, user: User) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _calendar(message: Any) -> tuple[str, Any]:
    parts = ics_parts(message)
    assert len(parts) == 1, (message.to, message.subject)
    method, body = parts[0]
    vevent = Calendar.from_ical(body).walk("VEVENT")[0]
    return str(method).upper(), vevent


def test_jyllinge_closes_tomorrow_from_noon_and_moves_the_event_to_roskilde(
    page: Page, live_server: Any
) -> None:
    tomorrow = local_today() + timedelta(days=1)
    jyllinge = make_branch(name="Jyllinge Bibliotek", slug="jyllinge")
    roskilde = make_branch(name="Roskilde Bibliotek", slug="roskilde")
    staff = make_staff(jyllinge, name="Sofie Sørensen")
    staff.branches.add(roskilde)
    room = make_room(branch=jyllinge, name="Mødelokale")
    sal = make_room(branch=roskilde, name="Store sal")
    bookings = [
        make_booking(
            room=room, booker=make_person(), start=at(tomorrow, h), end=at(tomorrow, h + 1)
        )
        for h in (13, 15)
    ]
    morning = make_booking(
        room=room, booker=make_person(), start=at(tomorrow, 9), end=at(tomorrow, 10)
    )
    event = make_event(branch=jyllinge, start=at(tomorrow, 18), capacity=12, title="Forfatteraften")
    registered = [make_registration(event=event, user=make_person()) for _ in range(12)]
    waiting = [
        make_registration(
            event=event,
            user=make_person(),
            status=RegistrationStatus.WAITLISTED,
            waitlist_position=n,
        )
        for n in (1, 2, 3)
    ]
    shift = make_shift(activity=make_activity(branch=jyllinge), start=at(tomorrow, 14))
    volunteer = make_volunteer()
    make_signup(shift=shift, volunteer=volunteer)
    dispatch_due()
    mail.outbox = []

    sign_in(page, live_server, staff)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/personale/")
    page.locator("a[href='/personale/bibliotek/jyllinge/lukninger/ny/']").click()
    page.fill("#id_starts_on", tomorrow.isoformat())
    page.fill("#id_ends_on", tomorrow.isoformat())
    page.fill("#id_from_time", "12:00")
    page.fill("#id_reason", "Sprunget vandrør")
    page.get_by_role("button", name="Gem").click()

    impact = page.locator("#impact")
    expect(impact).to_be_visible()
    text = impact.inner_text()
    assert "Forfatteraften" in text and "12 tilmeldinger" in text and "3 på venteliste" in text
    groups = {
        li.locator("strong").inner_text(): li.locator("ul > li").count()
        for li in impact.locator("ul > li:has(> strong)").all()
    }
    assert sorted(groups.values()) == [1, 1, 2], groups  # 2 room bookings, 1 event, 1 shift
    assert not Closure.objects.exists()  # nothing changes before the confirmation
    assert_accessible(page, where="the closure preview")

    prefix = f"#move_{event.pk}_"
    page.fill(prefix + "date", (tomorrow + timedelta(days=1)).isoformat())
    page.fill(prefix + "start", "18:00")
    page.fill(prefix + "end", "20:00")
    page.select_option(prefix + "room", str(sal.pk))
    page.get_by_role("button", name="Aflys det hele og giv alle besked").click()
    expect(page).to_have_url(live_server.url + "/personale/bibliotek/jyllinge/")

    # What changed: exactly the preview.
    event.refresh_from_db()
    assert (event.state, event.branch, event.room) == (EventState.PUBLISHED, roskilde, sal)
    assert event.start == at(tomorrow + timedelta(days=1), 18)
    assert Registration.objects.filter(event=event, status="confirmed").count() == 12
    assert Registration.objects.filter(event=event, status="waitlisted").count() == 3
    assert {b.status for b in Booking.objects.filter(pk__in=[b.pk for b in bookings])} == {
        BookingStatus.CANCELLED
    }
    morning.refresh_from_db()
    assert morning.status == BookingStatus.CONFIRMED
    assert Shift.objects.get(pk=shift.pk).cancelled_at is not None

    # Everyone affected is told once, with a calendar update.
    dispatch_due()
    by_person: dict[str, list[Any]] = {}
    for message in mail.outbox:
        for address in message.to:
            by_person.setdefault(address, []).append(message)
    expected = {b.booker.email: ("CANCEL", make_uid("booking", b.pk)) for b in bookings}
    for reg in registered:
        expected[reg.user.email] = ("REQUEST", make_uid("registration", reg.pk))
    for reg in waiting:  # told of the new time; no calendar entry, as they hold no seat
        expected[reg.user.email] = ("", None)
    expected[volunteer.email] = ("CANCEL", None)
    assert set(by_person) == set(expected), set(by_person) ^ set(expected)
    for address, (method, uid) in expected.items():
        assert len(by_person[address]) == 1, address
        if not method:
            assert ics_parts(by_person[address][0]) == [], address
            continue
        got_method, vevent = _calendar(by_person[address][0])
        assert got_method == method, address
        if uid is not None:
            assert str(vevent["UID"]) == uid
        assert int(vevent.get("SEQUENCE", 0)) >= 1, address
        assert "Sprunget vandrør" in by_person[address][0].body or method == "REQUEST"


def _door(page: Page, live_server: Any, event: Any) -> None:
    page.goto(f"{live_server.url}/personale/arrangementer/{event.pk}/tjek-ind/")


def _check_in(page: Page, name: str) -> None:
    page.locator("#door-list li", has_text=name).get_by_role("button", name="Tjek ind").click()
    expect(page.locator("#door-list li", has_text=name).locator(".done")).to_be_visible()


def test_viby_staff_without_admin_access_run_their_library_in_the_pages(
    page: Page, live_server: Any, browser: Any
) -> None:
    from core.models import Closure as ClosureModel
    from core.models import OpeningHours
    from events.models import Event as EventModel
    from rooms.models import Equipment, Licence
    from volunteers.models import VolunteerProfile

    viby = make_branch(name="Viby Bibliotek", slug="viby")
    staff = make_staff(viby, name="Viggo Viby")
    assert not staff.is_staff and not staff.is_superuser and not staff.is_administrator
    makerspace = make_room(branch=viby, name="Makerspace")
    maker = make_person(email="maker@example.org", name="Mads Maker")
    volunteer = make_volunteer(branches=[viby], name="Vera Frivillig")
    sign_in(page, live_server, staff)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Opening hours: Mondays 10-18 from tomorrow.
    page.goto(live_server.url + "/personale/bibliotek/viby/aabningstider/")
    page.fill("#id_d0_opens1", "10:00")
    page.fill("#id_d0_closes1", "18:00")
    page.fill("#id_d0_opens2", "")
    page.fill("#id_d0_closes2", "")
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page).to_have_url(live_server.url + "/personale/bibliotek/viby/")
    monday = OpeningHours.objects.filter(
        branch=viby, weekday=0, valid_from=local_today() + timedelta(days=1)
    )
    assert [(h.opens.hour, h.closes.hour) for h in monday] == [(10, 18)]

    # A machine, then a licence for it.
    page.goto(live_server.url + "/personale/lokaler/maskiner/ny/")
    page.select_option("#id_branch", str(viby.pk))
    page.fill("#id_name", "Laserskærer")
    page.select_option("#id_kind", "laser_cutter")
    page.select_option("#id_room", str(makerspace.pk))
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page).to_have_url(re.compile(r"/personale/lokaler/maskiner/\d+/ret/$"))
    assert Equipment.objects.get(name="Laserskærer").branch == viby

    page.goto(live_server.url + "/personale/lokaler/koerekort/")
    page.fill("main form input[name=email]", maker.email)
    page.select_option("main form select[name=equipment_kind]", "laser_cutter")
    page.get_by_role("button", name="Giv kørekort").click()
    expect(page.locator("main table")).to_contain_text("Mads Maker")
    assert Licence.objects.get(person=maker).granted_by == staff

    # A child certificate, checked today, from the list of volunteers (with their hours).
    profile = VolunteerProfile.objects.get(user=volunteer)
    page.goto(live_server.url + "/personale/frivillige/profiler/")
    page.select_option(f"#st-{profile.pk}", "clear")
    page.locator(f"#st-{profile.pk}").locator("xpath=ancestor::form").get_by_role(
        "button", name="Gem"
    ).click()
    profile.refresh_from_db()
    assert profile.certificate_status == "clear"
    assert profile.certificate_checked_on == local_today()

    # An event on 24 December is refused, unless held although closed, with a reason.
    christmas = local_today().replace(month=12, day=24)
    if christmas < local_today():
        christmas = christmas.replace(year=christmas.year + 1)
    ClosureModel.objects.get_or_create(
        branch=viby, starts_on=christmas, ends_on=christmas, defaults={"reason": "Juleaften"}
    )
    page.goto(live_server.url + "/personale/arrangementer/ny/")
    page.fill("#id_title", "Julehygge")
    page.select_option("#id_branch", str(viby.pk))
    page.select_option("#id_place_kind", "room")
    page.select_option("#id_room", str(makerspace.pk))
    page.fill("#id_day", christmas.isoformat())
    page.fill("#id_start_time", "14:00")
    page.fill("#id_end_time", "16:00")
    page.locator("input[name=tracks]").first.check()
    page.locator("button[name=create]").click()
    expect(page.locator("main")).to_contain_text("lukket")
    assert not EventModel.objects.filter(title="Julehygge").exists()
    page.check("#id_include_closed")
    page.fill("#id_closed_override_reason", "Julehygge for ensomme")
    page.locator("button[name=create]").click()
    expect(page).not_to_have_url(live_server.url + "/personale/arrangementer/ny/")
    held = EventModel.objects.get(title="Julehygge")
    assert held.closed_override_reason == "Julehygge for ensomme"


def test_two_tablets_check_in_twenty_with_two_walk_ins_and_an_undo(
    page: Page, live_server: Any, browser: Any
) -> None:
    from events.selectors import event_attendance

    viby = make_branch(name="Viby Bibliotek", slug="viby")
    # Today, whatever the hour: check-in is open from the start of the event's day.
    start = (timezone.localtime() + timedelta(minutes=30)).replace(second=0, microsecond=0)
    if start.date() != local_today():
        start -= timedelta(hours=1)
    event = make_event(branch=viby, start=start, capacity=20, title="Sommerbogklub")
    names = [f"Gæst {n:02d}" for n in range(1, 19)]
    for name in names:
        make_registration(event=event, user=make_person(name=name))
    staff = make_staff(viby)
    tablet = {"width": 800, "height": 1280}
    other = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen", viewport=tablet)
    second = other.new_page()
    page.set_viewport_size(tablet)
    sign_in(page, live_server, staff)
    sign_in(second, live_server, staff)
    _door(page, live_server, event)
    _door(second, live_server, event)
    assert_accessible(page, where="the door at tablet width")

    # Each tablet checks in half, from a page the other has not reloaded since.
    for n, name in enumerate(names):
        _check_in(page if n % 2 == 0 else second, name)
    # One tap on the wrong person is undone, then done right.
    wrong = page.locator("#door-list li", has_text=names[1])
    wrong.get_by_role("button", name="Fortryd").click()
    expect(page.locator("#door-list li", has_text=names[1]).locator(".done")).to_have_count(0)
    # Search by name on the second tablet, then check the person in again there.
    second.fill("#door-q", names[1])
    second.locator("form[role=search]").get_by_role("button").click()
    expect(second.locator("#door-list li")).to_have_count(1)
    _check_in(second, names[1])
    # Two walk-ins fill the last seats, one of them with a name.
    page.fill("#id_name", "Nabo")
    page.locator("section[aria-labelledby=walk-in] button[type=submit]").click()
    expect(page.locator("#door-list")).to_contain_text("Nabo")
    second.reload()
    second.locator("section[aria-labelledby=walk-in] button[type=submit]").click()
    expect(second.locator("main")).to_contain_text("fuld")

    # Both tablets agree with the database: 20 of 20 checked in, nobody twice.
    assert event_attendance(Event.objects.get(pk=event.pk)) == 20
    for tablet_page in (page, second):
        _door(tablet_page, live_server, event)
        expect(tablet_page.locator("#door-counts")).to_contain_text("20")
        expect(tablet_page.locator("#door-list .done")).to_have_count(20)
    other.close()
