"""In a browser at 360 px: a staff member opens the staff home, follows the count of waiting
room requests to the one approval queue, approves one request and rejects another with a
reason. Skipped where Chromium is missing."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from core.models import Role
from rooms import services
from rooms.models import Booking, BookingStatus
from tests.factories import PASSWORD, make_branch, make_user
from tests.rooms.factories import at, future_day, make_room

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OVERFLOW = (
    "() => [...document.querySelectorAll('main *')]"
    ".filter(e => !e.closest('.visually-hidden'))"
    ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
    ".map(e => e.tagName + ' ' + e.textContent.slice(0, 40))"
)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "da-DK", "timezone_id": "Europe/Copenhagen"}


def test_staff_approve_and_reject_from_the_staff_home_on_a_phone(
    page: Page, live_server: Any
) -> None:
    page.set_viewport_size({"width": 360, "height": 780})
    viby = make_branch(name="Viby Bibliotek", slug="viby")
    room = make_room(branch=viby, name="Store sal", requires_approval=True)
    make_user(role=Role.STAFF, branches=[viby], email="vibeke@example.org")
    requests = []
    for n, name in enumerate(["Anna Andersen", "Bo Berg"]):
        day = future_day(3 + n)
        booker = make_user(name=name, password=None)
        requests.append(
            services.booking_request(
                actor=booker,
                room=room,
                start=at(day, 10),
                end=at(day, 11),
                purpose="Møde",
                attendees=4,
            ).first
        )
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/konto/log-ind/")
    page.locator("input[name=username]").fill("vibeke@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()

    page.goto(live_server.url + "/personale/")
    count = page.locator('[data-count="rooms-waiting"]')
    expect(count).to_contain_text("2")
    assert page.evaluate(OVERFLOW) == []
    count.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("waiting for approval")
    assert page.evaluate(OVERFLOW) == []

    first = page.locator(f"#request-{requests[0].pk}")
    first.get_by_role("button", name="Approve").click()
    expect(page.locator(f"#request-{requests[0].pk}")).to_have_count(0)
    second = page.locator(f"#request-{requests[1].pk}")
    second.get_by_label("Reason for rejecting").fill("The room is being painted")
    second.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("No requests are waiting.")).to_be_visible()

    statuses = dict(Booking.objects.values_list("booker__name", "status"))
    assert statuses == {"Anna Andersen": BookingStatus.CONFIRMED, "Bo Berg": BookingStatus.REJECTED}
    page.goto(live_server.url + "/personale/")
    expect(page.locator('[data-count="rooms-waiting"]')).to_contain_text("0")
