"""In a browser: an association's member proposes a public event in the association's room
booking, staff approve it, and it is in the programme with the association. Skipped where
Chromium is missing."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from core.models import Role
from tests.factories import PASSWORD, make_partner, make_user
from tests.rooms.factories import at, future_day, make_booking, make_room

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_in(page: Page, url: str, email: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": url}])
    page.goto(url + "/konto/log-ind/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_association_proposes_staff_approve_and_it_is_in_the_programme(
    page: Page, live_server: Any, branch: Any
) -> None:
    member = make_user(email="karen@example.org", name="Karen Kasserer")
    association = make_partner(name="Skakklubben Springeren")
    association.members.add(member)
    make_user(email="desk@example.org", role=Role.STAFF, branches=[branch])
    room = make_room(branch=branch, name="Salen", capacity=40)
    day = future_day(10)
    make_booking(room=room, start=at(day, 14), end=at(day, 16), booker=member, partner=association)

    _log_in(page, live_server.url, "karen@example.org")
    page.goto(live_server.url + "/foreninger/arrangementer/")
    page.get_by_role("link", name="Propose a public event").click()
    page.get_by_label("Title").fill("Skak for begyndere")
    page.get_by_label("Description for the programme").fill("Vi lærer dig reglerne.")
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_text("Awaiting approval")).to_be_visible()

    _log_in(page, live_server.url, "desk@example.org")
    page.goto(live_server.url + "/personale/foreningsarrangementer/")
    expect(page.get_by_text("Skakklubben Springeren")).to_be_visible()
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.get_by_text("Approved and published.")).to_be_visible()

    page.goto(f"{live_server.url}/arrangementer/?dato={day:%Y-%m-%d}")
    page.get_by_role("link", name="Skak for begyndere").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skak for begyndere")
    expect(page.get_by_text("Skakklubben Springeren").first).to_be_visible()
