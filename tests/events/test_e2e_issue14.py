"""In a browser (issue 14): a citizen asks to be told when registration opens; staff hold a
draft's room and see the hold in the week grid; staff move an event to a smaller room, see the
count, and choose to move the last registered to the waiting list. English, by the cookie."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from events.models import OpeningReminder, Registration
from rooms.models import Room
from tests.events.factories import make_event, make_registration, make_staff
from tests.factories import PASSWORD, make_branch, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_in(page: Page, url: str, email: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": url}])
    page.goto(url + "/konto/log-ind/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_citizen_asks_to_be_told_when_registration_opens(page: Page, live_server: Any) -> None:
    event = make_event(title="Juleklip", registration_opens_at=timezone.now() + timedelta(days=2))
    person = make_user(email="anna@example.org", password=PASSWORD)

    _log_in(page, live_server.url, person.email)
    page.goto(f"{live_server.url}/arrangementer/{event.pk}/")
    expect(page.locator("#registration-opens")).to_contain_text("Registration opens")
    page.get_by_role("button", name="Tell me when it opens").click()

    expect(page.get_by_role("status")).to_contain_text("one e-mail when registration opens")
    assert OpeningReminder.objects.filter(event=event, user=person).count() == 1


def test_staff_hold_a_drafts_room_and_see_it_in_the_week_grid(page: Page, live_server: Any) -> None:
    branch = make_branch(name="Ågerup Bibliotek")
    staff = make_staff(branch, email="staff@example.org", password=PASSWORD)
    room = Room.objects.create(branch=branch, name="Salen", capacity=30)
    draft = make_event(branch=branch, room=room, place_kind="room", state="draft", title="Koncert")

    _log_in(page, live_server.url, staff.email)
    page.goto(f"{live_server.url}/arrangementer/{draft.pk}/")
    page.get_by_role("button", name="Hold the room for 48 hours").click()
    expect(page.locator("#room-hold")).to_contain_text("Salen is held for this draft until")

    monday = timezone.localdate(draft.start) - timedelta(days=draft.start.weekday())
    page.goto(f"{live_server.url}/lokaler/uge/{branch.slug}/?uge={monday:%Y-%m-%d}")
    expect(page.get_by_text("tentative hold").first).to_be_visible()


def test_staff_move_an_event_to_a_smaller_room(page: Page, live_server: Any) -> None:
    branch = make_branch()
    staff = make_staff(branch, email="staff2@example.org", password=PASSWORD)
    big = Room.objects.create(branch=branch, name="Store sal", capacity=30)
    tiny = Room.objects.create(branch=branch, name="Grupperum", capacity=1)
    event = make_event(branch=branch, room=big, place_kind="room", capacity=5)
    make_registration(event=event, created_at=timezone.now() - timedelta(hours=1))
    last = make_registration(event=event)

    _log_in(page, live_server.url, staff.email)
    page.goto(f"{live_server.url}/personale/arrangementer/{event.pk}/ret/")
    page.get_by_label("Room", exact=True).select_option(value=str(tiny.pk))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Grupperum holds 1 people, but 2 seats are confirmed")).to_be_visible()

    page.get_by_label("Room", exact=True).select_option(value=str(tiny.pk))
    page.get_by_label("If the new room is too small").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    last.refresh_from_db()
    assert last.status == "waitlisted"
    assert Registration.objects.filter(event=event, status="confirmed").count() == 1
