"""In a browser at 360 px: staff open a partner's page, see its linked event and initiative,
link a coming event from the list and unlink it again; the page fits the phone and passes
axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import Role, User
from core.timeutils import local_today
from tests.e2e.axe import assert_accessible
from tests.factories import make_branch, make_partner, track
from tests.plans.factories import make_event, make_initiative, make_person, make_plan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sign_in(page: Page, live_server: Any, user: User) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": "en", "url": live_server.url},
        ]
    )


def _overflow_x(page: Page) -> int:
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def test_partner_page_links_and_unlinks_on_a_phone(page: Page, live_server: Any) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    branch = make_branch(name="Jyllinge Bibliotek", slug="jyllinge")
    staff = make_person(role=Role.STAFF, branches=[branch])
    partner = make_partner(name="Ramsøegnens Lokalhistoriske Arkiv")
    now = timezone.now()
    hygge = [track("hygge")]
    make_event(branch=branch, start=now + timedelta(days=3), tracks=hygge, title="Byvandring")
    make_event(
        branch=branch,
        start=now - timedelta(days=30),
        tracks=hygge,
        partners=[partner],
        title="Lokalhistorisk aften",
    )
    make_initiative(
        plan=make_plan(year=local_today().year),
        tracks=hygge,
        branches=[branch],
        partners=[partner],
        title="Jyllinge før og nu",
    )
    _sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/personale/partnere/{partner.pk}/")
    events = page.locator("#links-events")
    expect(events.get_by_role("link", name="Lokalhistorisk aften")).to_be_visible()
    expect(page.locator("#links-initiatives")).to_contain_text("Jyllinge før og nu")
    assert _overflow_x(page) <= 0
    assert_accessible(page, where="partner page at 360 px")

    events.get_by_label("Link to an event").select_option(index=0)
    events.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("The link is saved.")
    coming = page.locator("#links-events ul").first
    expect(coming.get_by_role("link", name="Byvandring")).to_be_visible()
    assert_accessible(page, where="partner page after linking at 360 px")

    coming.get_by_role("button", name="Unlink Byvandring").click()
    expect(page.locator(".messages")).to_contain_text("The link is removed.")
    expect(page.locator("#links-events ul").first).not_to_contain_text("Byvandring")
