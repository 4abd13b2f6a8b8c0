"""In a browser: a citizen finds an event on a phone, logs in, registers, and then the
next person joins the waiting list. Skipped where Chromium is missing."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.events.factories import make_event
from tests.factories import PASSWORD, make_branch, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/konto/log-ind/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def test_register_then_waiting_list_on_a_phone(page: Page, live_server: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    event = make_event(branch=make_branch(name="Ågerup Bibliotek"), title="Strikkecafé", capacity=1)
    make_user(email="anna@example.org")
    make_user(email="bo@example.org")

    page.goto(live_server.url + "/arrangementer/")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert_accessible(page)
    page.get_by_role("link", name="Strikkecafé").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strikkecafé")
    assert_accessible(page)

    _log_in(page, live_server.url, "anna@example.org")
    page.goto(f"{live_server.url}/arrangementer/{event.pk}/")
    page.get_by_role("button", name="Tilmeld mig").click()
    expect(page.get_by_role("status")).to_contain_text("Du er tilmeldt")
    assert_accessible(page)

    page.context.clear_cookies()
    _log_in(page, live_server.url, "bo@example.org")
    page.goto(f"{live_server.url}/arrangementer/{event.pk}/")
    page.get_by_role("button", name="Skriv mig på ventelisten").click()
    expect(page.get_by_role("status")).to_contain_text("nummer 1 på ventelisten")
    assert_accessible(page)
