"""The main menu and the branch page's parts come from core's registries, which the apps
above core fill (``core.navigation``); each person sees the links meant for them."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from core import navigation
from core.models import Role
from core.selectors import user_get_by_email
from tests.factories import make_branch, make_user

pytestmark = pytest.mark.django_db


def _menu(client: Client) -> list[tuple[str, str]]:
    html = client.get("/").content.decode()
    nav = re.search(r'<nav aria-label="[^"]*" class="main-nav">(.*?)</nav>', html, re.S)
    assert nav
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(1))


def test_everyone_sees_events_rooms_and_the_makerspace_first() -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    assert _menu(client)[:3] == [
        ("/arrangementer/", "Events"),
        ("/lokaler/", "Rooms"),
        ("/makerspace/", "Makerspace"),
    ]
    assert ("/frivillig/", "Volunteering") not in _menu(client)
    assert ("/plan/", "Plan") not in _menu(client)


def test_volunteers_see_volunteering_and_staff_see_the_staff_page_and_the_plan() -> None:
    volunteer = Client()
    volunteer.cookies["django_language"] = "en"
    volunteer.force_login(make_user(role=Role.VOLUNTEER))
    links = _menu(volunteer)
    assert ("/frivillig/", "Volunteering") in links
    assert ("/personale/", "Staff") not in links

    staff = Client()
    staff.cookies["django_language"] = "en"
    staff.force_login(make_user(role=Role.STAFF))
    links = _menu(staff)
    assert links[3:5] == [("/personale/", "Staff"), ("/plan/", "Plan")]
    assert ("/frivillig/", "Volunteering") not in links


def test_a_link_to_a_page_that_is_not_installed_is_left_out(monkeypatch) -> None:
    monkeypatch.setattr(navigation, "_nav_links", dict(navigation._nav_links))
    navigation.register_nav_link("gone", "Gone", "no-such-app:page", order=1)
    with translation.override("en"):
        shown = [str(link.label) for link in navigation.nav_links(RequestFactory().get("/"))]
    assert "Gone" not in shown and "Events" in shown


def test_the_branch_page_offers_its_calendar_feed_through_the_notifications_part() -> None:
    make_branch(slug="viby", name="Viby Bibliotek")
    html = Client().get("/bibliotek/viby/").content.decode()
    assert 'href="webcal://testserver/feeds/events.ics?branch=viby"' in html
    assert navigation.render_page_parts("no-such-slot", None) == ""


def test_people_are_found_by_email_in_any_case_and_without_spaces() -> None:
    person = make_user(email="Vera.Hansen@example.org")
    assert user_get_by_email(email="  vera.hansen@EXAMPLE.org ") == person
    assert user_get_by_email(email="nobody@example.org") is None
    assert user_get_by_email(email="   ") is None
