"""In a browser: two staff members check people in at one door, one on a tablet and one on
a 360 px phone; a walk-in and an undo; both pages end with the same numbers. Skipped where
Chromium is missing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from core.models import Role
from events.models import Registration
from tests.events.factories import make_event, make_person, make_registration
from tests.factories import PASSWORD, make_branch, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _staff_page(browser: Browser, url: str, email: str, width: int, height: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(url + "/konto/log-ind/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    # The new strings are translated when the lead merges the catalogues: read them in English.
    context.add_cookies([{"name": "django_language", "value": "en", "url": url}])
    return page


def test_two_staff_check_in_at_one_door(browser: Browser, live_server: Any) -> None:
    branch = make_branch(name="Jyllinge Bibliotek")
    start = (timezone.now() - timedelta(minutes=10)).replace(microsecond=0)
    event = make_event(branch=branch, title="Forfatteraften", capacity=5, start=start)
    for name in ("Birte Jensen", "Ole Hansen", "Anna Berg"):
        make_registration(event=event, user=make_person(name=name))
    make_user(email="tablet@example.org", role=Role.STAFF, branches=[branch])
    make_user(email="phone@example.org", role=Role.STAFF, branches=[branch])
    url = f"{live_server.url}/personale/arrangementer/{event.pk}/tjek-ind/"

    tablet = _staff_page(browser, live_server.url, "tablet@example.org", 800, 1280)
    phone = _staff_page(browser, live_server.url, "phone@example.org", 360, 740)
    tablet.goto(url)
    phone.goto(url)
    overflow = phone.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0

    tablet.get_by_role("button", name="Check in Birte Jensen").click()
    expect(tablet.locator("#door-counts")).to_contain_text("1 of 3 seats checked in")
    # The phone still shows Birte's button: tapping it changes nothing more.
    phone.get_by_role("button", name="Check in Birte Jensen").click()
    expect(phone.locator("#door-counts")).to_contain_text("1 of 3 seats checked in")

    phone.get_by_label("Search by name").fill("ole")
    phone.get_by_role("button", name="Search").click()
    expect(phone.get_by_role("button", name="Check in Anna Berg")).to_have_count(0)
    phone.get_by_role("button", name="Check in Ole Hansen").click()
    expect(phone.locator("#door-counts")).to_contain_text("2 of 3 seats checked in")

    tablet.get_by_label("Number of people").fill("2")
    tablet.get_by_label("Name (optional)").fill("")
    tablet.get_by_role("button", name="Add and check in").click()
    expect(tablet.locator("#door-counts")).to_contain_text("4 of 5 seats checked in")
    tablet.get_by_role("button", name="Undo Ole Hansen").click()
    expect(tablet.locator("#door-counts")).to_contain_text("3 of 5 seats checked in")

    phone.goto(url)
    expect(phone.locator("#door-counts")).to_contain_text("3 of 5 seats checked in")
    expect(phone.locator("#door-counts")).to_contain_text("0 free")
    assert Registration.objects.filter(event=event, walk_in=True, seats=2).count() == 1
    tablet.context.close()
    phone.context.close()
