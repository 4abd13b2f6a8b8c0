"""GET /api/events/ is answered from plain values (events.selectors_list.event_list_page shaped by
events.api.serializers.event_list_out). Its contract is what the DRF serializer gave: the same
request to the list as it was answered before (model objects, EventOutputSerializer, the
filters with joins and DISTINCT, Django's paginator; kept below as the reference view) must
give the same status and the same JSON, byte for byte once parsed, for every filter, page,
person and language."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.test import Client, override_settings
from django.urls import path
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.helpers import paginated
from core.models import Audience, BookmobileStop, Branch, Role, Track
from events import selectors, selectors_list
from events.api import serializers as s
from events.api.views import _int, _parse_dt
from events.models import (
    Event,
    EventSeries,
    EventState,
    PlaceKind,
    Registration,
    RegistrationStatus,
)
from tests.events.factories import make_event, make_person, make_registration
from tests.factories import make_branch, make_partner, make_user
from tests.rooms.factories import make_room

pytestmark = pytest.mark.django_db

# A Tuesday in winter (+01:00); the events lie on both sides of it and of the summer time.
NOW = datetime(2027, 1, 12, 9, 30, tzinfo=UTC)


# --- The reference: the list as it was answered before ----------------------------------


def _reference_events(
    *,
    actor: Any,
    branch: str | None,
    track: str | None,
    audience: str | None,
    series: int | None,
    start_after: Any,
    start_before: Any,
    q: str | None,
) -> QuerySet[Event]:
    """selectors.event_list and events_filtered as they were: joins and DISTINCT."""
    qs = Event.objects.filter(selectors.visible_q(actor=actor))
    if branch:
        qs = qs.filter(branch__slug=branch)
    if track:
        qs = qs.filter(tracks__slug=track)
    if audience:
        qs = qs.filter(audiences__slug=audience)
    if series:
        qs = qs.filter(series_id=series)
    if start_after:
        qs = qs.filter(start__gte=start_after)
    if start_before:
        qs = qs.filter(start__lt=start_before)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if track or audience:
        qs = qs.distinct()
    return selectors.with_seats(
        qs.select_related("branch", "room", "stop").prefetch_related(
            Prefetch("tracks", queryset=Track.objects.order_by("position")),
            Prefetch("audiences", queryset=Audience.objects.order_by("position")),
        )
    ).order_by("start", "pk")


class ReferenceEventListApi(APIView):
    """EventListApi.get as it was, with the serializer per row."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        p = request.query_params
        events = _reference_events(
            actor=request.user,
            branch=p.get("branch") or None,
            track=p.get("track") or None,
            audience=p.get("audience") or None,
            series=_int(p.get("series"), "series"),
            start_after=_parse_dt(p.get("start_after"), "start_after"),
            start_before=_parse_dt(p.get("start_before"), "start_before"),
            q=(p.get("q") or "").strip() or None,
        )
        return paginated(
            request, self, events, s.EventOutputSerializer, context={"now": timezone.now()}
        )


# This module is also the URL configuration the reference answers under, at the same path.
urlpatterns = [path("api/events/", ReferenceEventListApi.as_view())]


def _both(client: Client, query: str) -> tuple[tuple[int, Any], tuple[int, Any]]:
    """(status, parsed JSON) of the list and of the reference, for the same request."""

    def answer(response: Any) -> tuple[int, Any]:
        return response.status_code, json.loads(response.content)

    fast = answer(client.get("/api/events/" + query))
    with override_settings(ROOT_URLCONF=__name__):
        reference = answer(client.get("/api/events/" + query))
    return fast, reference


# --- A varied set of events -------------------------------------------------------------


def _events() -> dict[str, Any]:
    """Every kind of place, capacities, seats taken and waiting, drafts, cancelled and moved
    events, series, images, registration opening times, past and summer-time events."""
    own, other = make_branch(slug="hoved"), make_branch(slug="syd")
    bookmobile = make_branch(slug="bogbussen")
    stop = BookmobileStop.objects.create(
        branch=bookmobile,
        name="Torvet",
        place="Ved kirken",
        weekday=1,
        arrives="10:00",
        departs="12:00",
        valid_from="2026-01-01",
    )
    room = make_room(branch=own, name="Salen", capacity=40)
    partner = make_partner(name="Ældre Sagen Roskilde")
    staff = make_user(role=Role.STAFF, branches=[own], name="Signe Staff")
    admin = make_user(role=Role.ADMINISTRATOR, name="Anders Admin")
    citizen = make_person(name="Birgit Borger")
    english = make_person(name="Emma English", language="en")
    tracks = list(Track.objects.order_by("position"))
    audiences = list(Audience.objects.order_by("position"))
    soon = datetime(2027, 1, 19, 9, 0, tzinfo=UTC)

    def event(**kwargs: Any) -> Event:
        return make_event(**{"branch": own, "start": soon, **kwargs})

    knit = event(
        title='Strikkecafé "for alle"',
        description="Garn, kaffe og snak.\nTag gerne dit eget strikketøj med. 🧶",
        place_kind=PlaceKind.ROOM,
        room=room,
        capacity=10,
        tracks=None,
        image="events/strik.jpg",
        image_alt="Garnnøgler i mange farver",
        price_dkk="25.50",
        host=staff,
    )
    # Set out of their order: the list shows them by position.
    knit.tracks.set([tracks[-1], tracks[0]])
    knit.audiences.set([audiences[-1], audiences[1]])
    knit.partners.set([partner])
    make_registration(event=knit, user=citizen, seats=2)
    full = event(
        title="Bogbussen fortæller",
        branch=bookmobile,
        place_kind=PlaceKind.BOOKMOBILE_STOP,
        stop=stop,
        capacity=2,
        start=soon,  # the same start as knit: then by id
    )
    make_registration(event=full, seats=2)
    waiting = event(
        title="Byvandring",
        place_kind=PlaceKind.ADDRESS,
        address="Stændertorvet 1, Roskilde",
        capacity=5,
        start=soon + timedelta(days=1, microseconds=123456),
        tracks=["hygge", "digitale-forbindelser"],
    )
    make_registration(event=waiting, seats=1)
    make_registration(
        event=waiting,
        user=citizen,
        seats=1,
        status=RegistrationStatus.WAITLISTED,
        waitlist_position=1,
    )
    event(
        title="IT-hjælp online",
        place_kind=PlaceKind.ONLINE,
        online_url="https://example.org/moede?id=1&sprog=da",
        registration_required=False,
        capacity=30,
        start=soon + timedelta(days=2),
        branch=other,
    )
    unlimited = event(title="Åbent hus", capacity=None, tracks=None, branch=other)
    unlimited.audiences.set(audiences[:1])
    freed = event(title="Foredrag", capacity=1, start=soon + timedelta(days=3))
    make_registration(event=freed, status=RegistrationStatus.CANCELLED, cancel_reason="Syg")
    event(
        title="Aflyst koncert",
        state=EventState.CANCELLED,
        cancel_reason="Musikeren er syg",
        cancelled_at=NOW - timedelta(days=1),
        sequence=1,
        start=soon + timedelta(days=4),
    )
    moved = event(
        title="Flyttet lektiecafé", edited=True, sequence=2, start=soon + timedelta(days=5, hours=3)
    )
    Event.objects.filter(pk=moved.pk).update(original_start=soon + timedelta(days=5))
    event(title="Sidste uges fortælling", start=NOW - timedelta(days=7))  # held
    event(title="I gang nu", start=NOW - timedelta(hours=1))  # ends after now
    event(title="Kladde hoved", state=EventState.DRAFT, start=soon + timedelta(days=6))
    event(title="Kladde syd", state=EventState.DRAFT, branch=other)
    event(title="Kladde med vært", state=EventState.DRAFT, branch=other, host=staff)
    event(
        title="Sommerkoncert",
        start=datetime(2027, 6, 20, 17, 0, tzinfo=UTC),  # +02:00
        registration_opens_at=datetime(2027, 5, 1, 8, 0, tzinfo=UTC),
        capacity=100,
        tracks=["hygge"],
    )
    series = EventSeries.objects.create(title="Lektiecafé", branch=own, rrule="FREQ=WEEKLY")
    for week in range(3):
        start = soon + timedelta(weeks=week, hours=5)
        dated = Event.objects.create(
            series=series,
            branch=own,
            title="Lektiecafé",
            description="Hjælp til lektierne",
            start=start,
            end=start + timedelta(hours=2),
            original_start=start,
            state=EventState.PUBLISHED,
            capacity=8,
            registration_opens_at=NOW + timedelta(days=week),
        )
        dated.tracks.set(tracks[1:3])
        dated.audiences.set(audiences[2:3])
    return {
        "people": {
            "anonymous": None,
            "citizen": citizen,
            "staff": staff,
            "admin": admin,
            "english": english,
        },
        "series": series.pk,
        "tracks": [t.slug for t in tracks],
        "audiences": [a.slug for a in audiences],
    }


def _queries(data: dict[str, Any]) -> list[str]:
    after = (datetime(2027, 1, 20, 9, 0, tzinfo=UTC)).isoformat().replace("+00:00", "Z")
    before = "2027-01-22T10:00:00+01:00"
    return [
        "",
        "?branch=hoved",
        "?branch=bogbussen",
        "?branch=findes-ikke",
        f"?track={data['tracks'][0]}",
        "?track=hygge",
        f"?track={data['tracks'][-1]}",
        "?track=findes-ikke",
        f"?audience={data['audiences'][1]}",
        f"?audience={data['audiences'][-1]}",
        f"?track=hygge&audience={data['audiences'][0]}",
        f"?series={data['series']}",
        f"?start_after={after}",
        f"?start_before={before}",
        f"?start_after={after}&start_before={before}",
        "?q=strik",
        "?q=%20LEKTIE%20",
        "?q=kladde",
        "?q=kladde&branch=syd",
        "?page_size=3",
        "?page_size=3&page=2",
        "?page_size=4&page=last",
        "?page_size=2&page=3&track=hygge",
        "?page_size=500",
        "?page_size=0",
        "?page=2",
        "?page=0",
        "?page=-1",
        "?page=x",
        "?page=2.0",
        "?page=99999999999999999999",
        "?series=x",
        "?series=0",
        "?start_after=tomorrow",
    ]


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_list_is_the_serializers_json_for_everyone_and_every_filter(language: str) -> None:
    data = _events()
    compared = 0
    with time_machine.travel(NOW, tick=False):
        for who, person in data["people"].items():
            client = Client()
            if person is not None:
                client.force_login(person)
            if language == "en":
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            for query in _queries(data):
                fast, reference = _both(client, query)
                assert fast == reference, (who, language, query)
                compared += fast[0] == 200 and len(fast[1]["results"]) > 0
    assert compared >= 80  # most answers had events to compare, not only empty pages


def test_people_see_what_they_may_see() -> None:
    """The answers differ only by what each person may see: drafts for staff."""
    data = _events()
    seen: dict[str, set[str]] = {}
    with time_machine.travel(NOW, tick=False):
        for who, person in data["people"].items():
            client = Client()
            if person is not None:
                client.force_login(person)
            results = client.get("/api/events/?page_size=200").json()["results"]
            seen[who] = {r["title"] for r in results}
    drafts = {"Kladde hoved", "Kladde syd", "Kladde med vært"}
    assert seen["anonymous"] == seen["citizen"] == seen["english"]
    assert not seen["citizen"] & drafts
    assert seen["staff"] - seen["citizen"] == {"Kladde hoved", "Kladde med vært"}
    assert seen["admin"] - seen["citizen"] == drafts


def test_the_shapes_of_values() -> None:
    """What a client reads: local times with their offset, nulls, states, ordered slugs."""
    data = _events()
    with time_machine.travel(NOW, tick=False):
        results = Client().get("/api/events/?page_size=200").json()["results"]
    by_title = {r["title"]: r for r in results}
    knit = by_title['Strikkecafé "for alle"']
    assert knit["start"] == "2027-01-19T10:00:00+01:00"
    assert knit["tracks"] == [data["tracks"][0], data["tracks"][-1]]
    assert knit["audiences"] == [data["audiences"][1], data["audiences"][-1]]
    assert knit["seats_available"] == 8 and knit["state"] == "published"
    assert isinstance(knit["room"], int)
    assert by_title["Bogbussen fortæller"]["state"] == "sold_out"
    assert by_title["Byvandring"]["state"] == "sold_out"  # a seat free, but people wait
    assert by_title["Byvandring"]["start"] == "2027-01-20T10:00:00.123456+01:00"
    assert by_title["IT-hjælp online"]["seats_available"] is None
    assert by_title["Åbent hus"]["capacity"] is None
    assert by_title["Foredrag"]["seats_available"] == 1
    assert by_title["Aflyst koncert"]["state"] == "cancelled"
    assert by_title["Sidste uges fortælling"]["state"] == "held"
    assert by_title["I gang nu"]["state"] == "published"
    assert by_title["Sommerkoncert"]["end"] == "2027-06-20T21:00:00+02:00"
    titles = [r["title"] for r in results]
    assert titles.index('Strikkecafé "for alle"') < titles.index("Bogbussen fortæller")


@pytest.mark.parametrize("size", [3, 13])
@pytest.mark.parametrize(
    "query", ["", "?track=hygge", "?audience=aeldre&branch=hoved", "?page_size=2&page=2"]
)
def test_a_page_is_one_query_whatever_its_size(
    django_assert_num_queries: Any, size: int, query: str
) -> None:
    branch = make_branch(slug="hoved")
    audience = Audience.objects.get(slug="aeldre")
    for i in range(size):
        event = make_event(branch=branch, tracks=["hygge", "digitale-forbindelser"][: 1 + i % 2])
        event.audiences.set([audience])
        make_registration(event=event, seats=1)
    client = Client()
    client.get("/api/events/")  # the session and the like, once
    # 1 the page's events (their ids a subquery of the filter, in start order) with the
    #   branch's slug joined, and as subqueries each one's confirmed seats, waiting list,
    #   tracks and audiences, and the count of the filter for the pagination
    with django_assert_num_queries(1):
        response = client.get("/api/events/" + query)
    assert response.status_code == 200
    assert response.json()["count"] == size
    assert response.json()["results"]


def test_what_the_page_cannot_answer_alone_costs_one_count_more(
    django_assert_num_queries: Any,
) -> None:
    make_event()
    client = Client()
    # 1 the count (for the last page's number, or to tell a page past the end)
    # 2 the page
    with django_assert_num_queries(2):
        assert client.get("/api/events/?page=last").status_code == 200
    # 1 the page, empty; 2 the count: a page past the end is a 404, as before
    with django_assert_num_queries(2):
        assert client.get("/api/events/?page=2").status_code == 404
    Event.objects.all().delete()
    # 1 the page, empty; 2 the count: an empty list is an empty first page
    with django_assert_num_queries(2):
        assert client.get("/api/events/").json() == {
            "count": 0,
            "next": None,
            "previous": None,
            "results": [],
        }


def test_the_schema_still_describes_the_list() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/events/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "branch", "track", "audience", "series", "start_after", "start_before", "q",
    }  # fmt: skip
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    name = json.dumps(response).split("#/components/schemas/")[1].split('"')[0]
    assert set(schema["components"]["schemas"][name]["properties"]) == {
        "id", "series", "title", "description", "start", "end", "branch", "room", "tracks",
        "audiences", "capacity", "seats_available", "state",
    }  # fmt: skip


def test_the_statement_names_the_models_tables_and_columns() -> None:
    """event_list_page's statement is written out; it must name what the models are."""
    models: dict[str, list[Any]] = {
        "e": [Event],
        "r": [Registration],
        "t": [Event.tracks.through, Event.audiences.through],
        "l": [Track, Audience],
        "b": [Branch],
        "shown": [Event],
    }
    sql = selectors_list._PAGE_SQL
    for alias, these in models.items():
        for model in these:
            if alias != "shown":
                assert f'"{model._meta.db_table}" {alias}' in sql
        columns = {f.column for model in these for f in model._meta.concrete_fields}
        used = set(re.findall(rf'\b{alias}\."(\w+)"', sql))
        assert used and used <= columns, (alias, used - columns)
