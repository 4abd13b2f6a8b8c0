"""A volunteer in a browser: log in, find an open shift on the dashboard, sign up, and see it
among their next shifts. Skipped where Chromium is missing (see tests/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from core.timeutils import local_today
from tests.factories import PASSWORD, make_branch
from tests.volunteers.factories import at, make_activity, make_shift, make_volunteer
from volunteers.models import ShiftSignup

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_volunteer_signs_up_for_an_open_shift(page: Page, live_server: object) -> None:
    branch = make_branch(name="Jyllinge Bibliotek")
    person = make_volunteer(branches=[branch], email="vera@example.dk", password=PASSWORD)
    shift = make_shift(
        activity=make_activity(branch=branch, name="Sprogcafé"),
        start=at(local_today() + timedelta(days=4), 16),
        needed=2,
    )
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server.url}/konto/log-ind/?next=/frivillig/")  # type: ignore[attr-defined]
    page.fill("#id_username", person.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#open-h")).to_be_visible()
    page.locator(f'form[action="/frivillig/vagter/{shift.pk}/tilmeld/"] button').click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("section[aria-labelledby=next-h]")).to_contain_text("Sprogcafé")
    assert ShiftSignup.objects.filter(volunteer=person, shift=shift).exists()
