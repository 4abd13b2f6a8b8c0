"""The staff console in a real browser: every staff page is reached from the staff home,
fits a 360 px phone and a 1280 px screen without sideways scrolling, and passes axe-core
(WCAG 2.1 A + AA) at both widths."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page

from core.demo import load_all
from core.models import Partner, User
from events.models import Event
from rooms.models import Room
from tests.e2e.axe import assert_accessible
from volunteers.models import Activity, Shift

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = ({"width": 360, "height": 740}, {"width": 1280, "height": 900})


def _sign_in(page: Page, live_server: Any, email: str) -> None:
    client = Client()
    client.force_login(User.objects.get(email=email))
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _overflow_x(page: Page) -> int:
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def _staff_paths(staff: User) -> list[str]:
    branches = list(staff.branches.order_by("pk"))
    branch = branches[0]
    event = (
        Event.objects.filter(branch__in=branches, start__gte=timezone.now())
        .order_by("start")
        .first()
    )
    room = Room.objects.filter(branch__in=branches).order_by("pk").first()
    paths = [
        "/personale/",
        "/lokaler/godkendelse/",
        f"/lokaler/godkendelse/{branch.slug}/",
        "/personale/bibliotek/",
        f"/personale/bibliotek/{branch.slug}/",
        f"/personale/bibliotek/{branch.slug}/lukninger/ny/",
        f"/personale/bibliotek/{branch.slug}/aabningstider/",
        "/personale/lokaler/",
        "/personale/lokaler/ny/",
        f"/personale/lokaler/{room.pk}/ret/",
        "/personale/lokaler/maskiner/ny/",
        "/personale/lokaler/koerekort/",
        "/personale/arrangementer/",
        "/personale/arrangementer/ny/",
        f"/personale/arrangementer/{event.pk}/ret/",
        f"/personale/arrangementer/{event.pk}/tjek-ind/",
        "/personale/partnere/",
        "/personale/partnere/ny/",
        "/personale/frivillige/",
        "/personale/frivillige/boerneattester/",
        "/personale/frivillige/profiler/",
        "/personale/frivillige/profiler/ny/",
        "/personale/frivillige/aktiviteter/",
        "/personale/frivillige/aktiviteter/ny/",
        "/personale/frivillige/timer/",
        "/personale/frivillige/forslag/",
        "/personale/frivillige/vagter/ny/",
    ]
    partner = Partner.objects.order_by("pk").first()
    if partner:
        paths.append(f"/personale/partnere/{partner.pk}/")
    activity = Activity.objects.order_by("pk").first()
    if activity:
        paths.append(f"/personale/frivillige/aktiviteter/{activity.pk}/")
    shift = Shift.objects.filter(activity__branch__in=branches).order_by("pk").first()
    if shift:
        paths.append(f"/personale/frivillige/vagter/{shift.pk}/")
    return paths


def test_every_staff_page_fits_a_phone_and_a_screen_and_passes_axe(
    page: Page, live_server: Any
) -> None:
    load_all()
    staff = User.objects.get(email="personale@example.dk")
    _sign_in(page, live_server, staff.email)
    problems: list[str] = []
    for size in WIDTHS:
        page.set_viewport_size(size)
        for path in _staff_paths(staff):
            response = page.goto(live_server.url + path)
            assert response is not None and response.ok, (path, response and response.status)
            if (overflow := _overflow_x(page)) > 0:
                problems.append(f"{path} at {size['width']} px: {overflow} px too wide")
            try:
                assert_accessible(page, where=f"{path} at {size['width']} px")
            except AssertionError as error:
                problems.append(str(error))
    assert problems == [], "\n\n".join(problems)
