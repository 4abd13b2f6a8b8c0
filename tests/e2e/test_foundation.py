"""The foundation as a person uses it in a browser: Danish home page, keyboard skip link,
the English switch, signing up and logging in, a branch page, and a phone-sized screen.

Run with ``.venv/bin/python -m pytest tests/e2e -q`` (skipped where Chromium is missing).
"""

from __future__ import annotations

import os
import re
from datetime import date, time

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from core.models import BookmobileStop, BranchKind
from tests.factories import make_branch

# The live server runs in another thread, so the data must be committed (transaction=True);
# serialized_rollback puts back the seven tracks from the data migration for the tests after us.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = os.environ.get("MODESTED_E2E_SCREENSHOTS", "")  # a directory, or "" for none


def _overflow_x(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0 when nothing overflows)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def _screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_home_in_danish_skip_link_by_keyboard_and_english_switch(page: Page, live_server) -> None:
    make_branch(name="Jyllinge Bibliotek", slug="jyllinge")
    page.goto(live_server.url + "/")

    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bibliotekerne som mødesteder")
    expect(page.get_by_role("link", name="Jyllinge Bibliotek", exact=True)).to_be_visible()

    # The first Tab reaches the skip link, which is shown when focused; Enter moves focus to main.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Gå til indholdet")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("The libraries as meeting places")
    # ...and the choice sticks on the next page.
    page.get_by_role("link", name="Jyllinge Bibliotek", exact=True).click()
    expect(page.get_by_role("heading", name="Opening hours")).to_be_visible()


def test_sign_up_log_out_and_log_in(page: Page, live_server) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Opret konto", exact=True).click()

    page.get_by_label("Navn").fill("Birte Bruger")
    page.get_by_label("E-mail").fill("birte@example.org")
    page.get_by_label("Adgangskode", exact=True).fill("strikkecafe-hver-tirsdag")
    page.get_by_label("Gentag adgangskode").fill("strikkecafe-hver-tirsdag")
    page.get_by_role("button", name="Opret konto", exact=True).click()

    # The address gets a link; the account is made (and the person logged in) through it.
    expect(page.get_by_role("main")).to_contain_text("birte@example.org")
    link = re.search(r"https?://\S+(/konto/bekraeft/\S+/)", mail.outbox[-1].body)
    page.goto(live_server.url + link.group(1))
    page.get_by_role("main").locator("form button[type=submit]").click()

    expect(page.get_by_role("status")).to_contain_text("Velkommen! Din konto er oprettet.")
    page.get_by_role("button", name="Log ud", exact=True).click()
    expect(page.get_by_role("link", name="Log ind", exact=True)).to_be_visible()

    page.get_by_role("link", name="Log ind", exact=True).click()
    page.get_by_label("E-mail").fill("birte@example.org")
    page.get_by_label("Adgangskode").fill("strikkecafe-hver-tirsdag")
    page.get_by_role("button", name="Log ind", exact=True).click()

    page.get_by_role("link", name="Min side", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Min side")
    expect(page.get_by_role("main")).to_contain_text("Birte Bruger")


def test_phone_screen_home_and_bookmobile_page_fit(page: Page, live_server) -> None:
    for n, name in enumerate(["Roskilde Bibliotek", "Viby Bibliotek i Cosmos"]):
        make_branch(name=name, slug=f"b{n}", kind=BranchKind.MAIN if n == 0 else BranchKind.LOCAL)
    bus = make_branch(
        name="Bogbussen", slug="bogbussen", kind=BranchKind.BOOKMOBILE, open_all_week=None
    )
    BookmobileStop.objects.create(
        branch=bus,
        name="Trekroner Øst",
        place="Trekroner Øst, ved butikkerne",
        weekday=1,
        arrives=time(15, 10),
        departs=time(17, 10),
        valid_from=date(2020, 1, 1),
    )
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _screenshot(page, "e2e-home-phone")
    assert _overflow_x(page) == 0

    page.get_by_role("link", name="Bogbussen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/bibliotek/bogbussen/$"))
    expect(page.get_by_role("heading", name="Køreplan")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile(r"^Trekroner Øst"))).to_be_visible()
    expect(page.get_by_role("cell", name="15.10–17.10")).to_be_visible()
    _screenshot(page, "e2e-bookmobile-phone")
    assert _overflow_x(page) == 0
