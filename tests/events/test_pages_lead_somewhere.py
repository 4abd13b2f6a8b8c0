"""Pages that lead somewhere: the home page's tracks lead to their events, a branch page shows
its coming events, rooms and feed, the calendar offers a feed for its filter, and a week with
nothing left shows the next events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from core.models import Track
from tests.events.factories import make_event
from tests.factories import make_branch
from tests.rooms.factories import make_room

pytestmark = pytest.mark.django_db


def _english_client() -> Client:
    """A visitor who chose English (the language switch's cookie: Danish is the default)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def test_each_track_card_on_the_home_page_leads_to_its_events() -> None:
    make_event(title="Strikkecafé", tracks=["hygge"])
    make_event(title="IT-hjælp", tracks=["digitale-forbindelser"])
    home = _english_client().get("/").content.decode()
    tracks = list(Track.objects.order_by("position"))
    assert len(tracks) == 7
    for track in tracks:
        assert f'href="/arrangementer/?track={track.slug}"' in home
    listed = _english_client().get("/arrangementer/?track=hygge").content.decode()
    assert "Strikkecafé" in listed and "IT-hjælp" not in listed


def test_a_branch_page_lists_its_coming_events_rooms_and_feed() -> None:
    branch = make_branch(slug="viby-x", name="Viby X")
    other = make_branch(slug="ejby-x", name="Ejby X")
    make_event(branch=branch, title="Sprogcafé")
    make_event(branch=branch, title="Gammel kaffe", start=timezone.now() - timedelta(days=2))
    make_event(branch=branch, title="Hemmelig kladde", state="draft")
    make_event(branch=other, title="Andet sted")
    room = make_room(branch=branch, name="Store sal")
    page = _english_client().get("/bibliotek/viby-x/").content.decode()
    assert "Coming events" in page and "Sprogcafé" in page
    for absent in ("Gammel kaffe", "Hemmelig kladde", "Andet sted"):
        assert absent not in page
    assert 'href="/arrangementer/?branch=viby-x"' in page
    assert f'href="/lokaler/{room.pk}/"' in page and "Store sal" in page
    assert "/feeds/events.ics?branch=viby-x" in page


def test_the_calendar_offers_a_feed_of_what_its_filter_shows() -> None:
    make_branch(slug="viby-x")
    page = (
        _english_client().get("/arrangementer/?branch=viby-x&track=hygge&q=strik").content.decode()
    )
    assert 'href="/feeds/events.ics?branch=viby-x&amp;track=hygge"' in page
    assert 'href="webcal://testserver/feeds/events.ics?branch=viby-x&amp;track=hygge"' in page
    everything = _english_client().get("/arrangementer/").content.decode()
    assert 'href="/feeds/events.ics"' in everything
    assert "Subscribe to all events" in everything


@time_machine.travel("2026-12-06T12:00:00+01:00", tick=False)  # a Sunday
def test_a_week_with_nothing_left_shows_the_next_events() -> None:
    make_event(title="Fredagsbar", start=timezone.now() - timedelta(days=2))  # held
    make_event(title="Julestrik", start=timezone.now() + timedelta(days=2))
    make_event(title="Andet spor", start=timezone.now() + timedelta(days=3), tracks=["fordybelse"])
    week = _english_client().get("/arrangementer/?view=week").content.decode()
    assert "Nothing more this week: the next events" in week
    assert "Julestrik" in week
    assert "No events match" not in week
    filtered = _english_client().get("/arrangementer/?view=week&track=hygge").content.decode()
    assert "Julestrik" in filtered and "Andet spor" not in filtered
    next_week = _english_client().get("/arrangementer/?view=week&date=2026-12-08").content.decode()
    assert "Nothing more this week" not in next_week and "Julestrik" in next_week
