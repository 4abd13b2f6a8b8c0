"""axe-core (WCAG 2.1 A and AA) on the pages a citizen sees, on a phone (360 px) and a
computer (1280 px), signed out and signed in: every page the walk visits has no violation.
The demo data gives the pages their real content; one event has an image and sign-up
questions. Skipped where Chromium is missing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page

from core.demo import load_all
from core.models import Branch, BranchKind, User
from events import services as event_services
from events.models import Event, EventState, SignupQuestion
from rooms.models import Equipment, Room
from tests.e2e.axe import assert_accessible
from tests.events.factories import make_registration

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CITIZEN = "borger@example.dk"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _sign_in(page: Page, live_server: Any, email: str) -> None:
    client = Client()
    client.force_login(User.objects.get(email=email))
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _event_with_image_and_questions() -> Event:
    event = (
        Event.objects.filter(
            state=EventState.PUBLISHED, start__gt=timezone.now(), registration_required=True
        )
        .order_by("start")
        .first()
    )
    assert event is not None
    out = io.BytesIO()
    Image.new("RGB", (1600, 1000), (40, 90, 160)).save(out, format="PNG")
    image = event_services.image_prepared(
        SimpleUploadedFile("billede.png", out.getvalue(), content_type="image/png")
    )
    event.image.save(image.name, image, save=False)
    event.image_alt = "Deltagere omkring et bord på biblioteket"
    event.save(update_fields=["image", "image_alt"])
    SignupQuestion.objects.create(series=event.series, label="Barnets navn og alder")
    return event


def _pages(signed_in: bool) -> list[str]:
    event = _event_with_image_and_questions()
    branch = Branch.objects.filter(kind=BranchKind.MAIN).first() or Branch.objects.first()
    local = Branch.objects.filter(kind=BranchKind.LOCAL).first() or branch
    room = Room.objects.filter(is_active=True).order_by("pk").first()
    equipment = Equipment.objects.order_by("pk").first()
    pages = [
        "/",
        "/arrangementer/",
        "/arrangementer/?view=week",
        "/arrangementer/?view=month",
        "/arrangementer/?track=hygge&audience=boern",
        f"/arrangementer/{event.pk}/",
        f"/bibliotek/{branch.slug}/",
        f"/bibliotek/{local.slug}/",
        "/lokaler/",
        f"/lokaler/{room.pk}/" if room else "/lokaler/",
        f"/lokaler/uge/{branch.slug}/",
        "/makerspace/",
        "/tilgaengelighed/",
        "/privatliv/",
        "/hjaelp/",
    ]
    if equipment is not None:
        pages.append(f"/makerspace/?maskine={equipment.pk}")
    if signed_in:
        citizen = User.objects.get(email=CITIZEN)
        make_registration(event=event, user=citizen)
        pages += ["/min-side/", "/lokaler/mine/"]
    else:
        pages += ["/konto/log-ind/", "/konto/opret/", "/konto/nulstil/", "/findes-ikke/"]
    return pages


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
@pytest.mark.parametrize("width", [360, 1280])
def test_citizen_pages_have_no_axe_violations(
    page: Page, live_server: Any, width: int, signed_in: bool
) -> None:
    load_all()
    page.set_viewport_size({"width": width, "height": 900})
    pages = _pages(signed_in)
    if signed_in:
        _sign_in(page, live_server, CITIZEN)
    failures = []
    for path in pages:
        page.goto(live_server.url + path)
        page.locator("main").first.wait_for()
        try:
            assert_accessible(page, where=f"{path} at {width} px")
        except AssertionError as failure:
            failures.append(str(failure))
    assert not failures, "\n\n".join(failures)
