"""The Content-Security-Policy in a real browser: the main pages, signed out and as a citizen,
a volunteer and staff, and /api/docs/, load without a single policy violation or console
error, and what the moved scripts do still works."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.demo import load_all
from core.models import Branch, User
from events.models import Event, EventState, Registration, RegistrationStatus
from rooms.models import Room
from tests.events.factories import make_registration

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Each violation is kept on the window, whatever frame or script caused it; Playwright's init
# scripts are not subject to the page's policy.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watch:
    """Console errors, uncaught exceptions and CSP violations seen on each page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(WATCH)
        page.on(
            "console",
            lambda msg: msg.type == "error" and self.problems.append(f"console: {msg.text}"),
        )
        page.on("pageerror", lambda error: self.problems.append(f"exception: {error}"))

    def visit(self, url: str, path: str, *, ready: str = "main") -> None:
        response = self.page.goto(url + path)
        assert response is not None and response.ok, (path, response and response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        self.page.locator(ready).first.wait_for()
        self.collect(path)

    def collect(self, path: str) -> None:
        violations = self.page.evaluate("() => window.__violations || []")
        self.problems += [f"{path}: {v}" for v in violations]
        assert self.problems == [], self.problems


def _sign_in(page: Page, live_server: Any, email: str) -> None:
    client = Client()
    client.force_login(User.objects.get(email=email))
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _next_event() -> Event:
    """The next published event people register for (a drop-in event has no sign-up to
    cancel, whatever day the tests run)."""
    return (
        Event.objects.filter(
            state=EventState.PUBLISHED, start__gt=timezone.now(), registration_required=True
        )
        .order_by("start")
        .first()
    )


def test_main_pages_load_without_policy_violations_for_everyone(
    page: Page, live_server: Any
) -> None:
    load_all()
    event = _next_event()
    room = Room.objects.order_by("pk").first()
    branch = Branch.objects.order_by("pk").first()
    year = timezone.localdate().year
    watch = Watch(page)
    url = live_server.url

    for path in [
        "/",
        f"/bibliotek/{branch.slug}/",
        "/arrangementer/",
        f"/arrangementer/{event.pk}/",
        "/lokaler/",
        f"/lokaler/{room.pk}/",
        "/makerspace/",
        "/konto/log-ind/",
        "/konto/opret/",
    ]:
        watch.visit(url, path)

    # Swagger UI from our own static files, started by its own script file: the operations
    # are drawn, and nothing was fetched from another host.
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    watch.visit(url, "/api/docs/", ready="#swagger-ui .opblock")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert hosts == {url.split("/")[2]}, hosts

    _sign_in(page, live_server, "borger@example.dk")
    for path in ["/min-side/", f"/arrangementer/{event.pk}/", "/lokaler/mine/", "/api/docs/"]:
        watch.visit(url, path, ready="#swagger-ui .opblock" if "docs" in path else "main")

    _sign_in(page, live_server, "frivillig@example.dk")
    for path in ["/frivillig/", "/min-side/"]:
        watch.visit(url, path)

    _sign_in(page, live_server, "personale@example.dk")
    for path in [
        "/personale/",
        "/personale/arrangementer/",
        "/personale/arrangementer/ny/",
        "/lokaler/godkendelse/",
        "/personale/frivillige/",
        f"/plan/?year={year}",
        f"/plan/rapport/{year}/year/",
    ]:
        watch.visit(url, path, ready="body")
    # The report page's styles come from its stylesheet, not an inline block.
    assert page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontSize") == "24px"


def test_the_confirmation_dialog_and_the_calendar_link_scripts_still_work(
    page: Page, live_server: Any
) -> None:
    load_all()
    citizen = User.objects.get(email="borger@example.dk")
    event = _next_event()
    Registration.objects.filter(user=citizen, event=event).delete()
    registration = make_registration(event=event, user=citizen)
    watch = Watch(page)
    _sign_in(page, live_server, "borger@example.dk")

    # Cancelling asks first (the <details> dialog), then returns to the page it came from.
    watch.visit(live_server.url, f"/arrangementer/{event.pk}/")
    confirm = page.get_by_role("button", name="Ja, afmeld mig")
    expect(confirm).to_be_hidden()
    page.locator("details.confirm summary").click()
    confirm.click()
    expect(page.get_by_role("status")).to_contain_text("Din tilmelding er afmeldt.")
    assert page.url == f"{live_server.url}/arrangementer/{event.pk}/"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED

    # The calendar link: the address field selects itself on focus (was an onfocus="..."),
    # and the copy button confirms (copy.js).
    watch.visit(live_server.url, "/min-side/")
    page.locator("form[action$='/min-side/kalender/forny/'] button").click()
    address = page.locator("#feed-url")
    expect(address).to_be_visible()
    page.wait_for_load_state("load")  # copy.js is deferred
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    address.focus()
    page.wait_for_function(
        "() => { const f = document.getElementById('feed-url');"
        " return f.selectionStart === 0 && f.selectionEnd === f.value.length"
        " && f.value.length > 0; }",
        timeout=5000,
    )
    page.locator("[data-copy='feed-url']").click()
    expect(page.locator("#feed-url-status")).to_have_text("Kopieret")
    watch.collect("/min-side/kalender/nyt-link/")
