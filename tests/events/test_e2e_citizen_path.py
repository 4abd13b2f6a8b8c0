"""In a browser, the citizen's path from the home page: a track card leads to its events, an
event with an image and sign-up questions, registering with the answers, and the answers on
the staff check-in page. Skipped where Chromium is missing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import Page, expect

from core.models import Track
from events import services
from events.models import SignupQuestion
from tests.e2e.axe import assert_accessible
from tests.events.factories import make_event, make_staff
from tests.factories import PASSWORD, make_branch, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ALT = "Børn bygger et tårn af LEGO"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _log_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/konto/log-ind/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def _workshop() -> Any:
    branch = make_branch(name="Gadstrup Bibliotek")
    event = make_event(branch=branch, title="LEGO-værksted", tracks=["hygge"], capacity=12)
    out = io.BytesIO()
    Image.new("RGB", (2400, 1600), (200, 90, 40)).save(out, format="PNG")
    upload = SimpleUploadedFile("lego.png", out.getvalue(), content_type="image/png")
    image = services.image_prepared(upload)
    event.image.save(image.name, image, save=False)
    event.image_alt = ALT
    event.save(update_fields=["image", "image_alt"])
    for position, label in enumerate(["Barnets navn", "Barnets alder"]):
        SignupQuestion.objects.create(series=event.series, label=label, position=position)
    return event


@pytest.mark.parametrize("width", [360, 1280])
def test_from_a_track_to_the_answers_at_the_door(page: Page, live_server: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    event = _workshop()
    make_user(email="mette@example.org", name="Mette Holm")
    make_staff(event.branch, email="personale@example.org", password=PASSWORD)
    track = Track.objects.get(slug="hygge")

    page.goto(live_server.url + "/")
    assert_accessible(page)
    page.get_by_role("link", name=track.name, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/arrangementer/?track=hygge")
    image = page.get_by_role("img", name=ALT)
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()  # a lazy image loads once it is near the viewport
    image.element_handle().wait_for_element_state("stable")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => img.naturalWidth") == 1200  # resized on upload, and served
    assert_accessible(page)
    page.get_by_role("link", name="LEGO-værksted").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LEGO-værksted")
    expect(page.get_by_role("img", name=ALT)).to_be_visible()
    assert_accessible(page)

    _log_in(page, live_server.url, "mette@example.org")
    page.goto(f"{live_server.url}/arrangementer/{event.pk}/")
    page.get_by_label("Barnets navn").fill("Ida")
    page.get_by_role("button", name="Tilmeld mig").click()
    expect(page.get_by_label("Barnets alder")).to_be_visible()  # still asked: nothing sent
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)  # the form with its error
    page.get_by_label("Barnets navn").fill("Ida")
    page.get_by_label("Barnets alder").fill("7 år")
    page.get_by_role("button", name="Tilmeld mig").click()
    expect(page.get_by_role("status")).to_contain_text("Du er tilmeldt")
    assert_accessible(page)

    page.context.clear_cookies()
    _log_in(page, live_server.url, "personale@example.org")
    page.goto(f"{live_server.url}/personale/arrangementer/{event.pk}/tjek-ind/")
    row = page.locator("#door-list li", has_text="Mette Holm")
    expect(row).to_contain_text("Barnets navn")
    expect(row).to_contain_text("Ida")
    expect(row).to_contain_text("Barnets alder")
    expect(row).to_contain_text("7 år")
    assert_accessible(page)
    _fits(page)

    # The staff event list: its columns and filters fit a phone too.
    page.goto(f"{live_server.url}/personale/arrangementer/")
    expect(page.get_by_role("link", name="LEGO-værksted", exact=True)).to_be_visible()
    assert_accessible(page)
    _fits(page)


def _fits(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
