"""'My page' in a browser on a phone: make the calendar link, copy it, renew it."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_make_copy_and_renew_the_calendar_link_on_a_phone(page: Page, live_server) -> None:
    person = make_user(name="Birte Jensen")
    client = Client()
    client.force_login(person)
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(live_server.url + "/min-side/")
    page.get_by_role("button", name="Lav mit kalenderlink").click()
    page.wait_for_load_state("load")  # copy.js (deferred) has wired the button
    address = page.get_by_label("Din personlige kalenderadresse")
    old_url = address.input_value()
    assert old_url.startswith(live_server.url + "/feeds/personal/")
    page.get_by_role("button", name="Kopiér").click()
    expect(page.locator("#feed-url-status")).to_have_text("Kopieret")

    feed = page.request.get(old_url)
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"

    page.get_by_role("link", name="Tilbage til Min side").click()
    page.get_by_role("button", name="Lav et nyt kalenderlink").click()
    new_url = page.get_by_label("Din personlige kalenderadresse").input_value()
    assert new_url != old_url
    assert page.request.get(old_url).status == 404
    assert page.request.get(new_url).status == 200
