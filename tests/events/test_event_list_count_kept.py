"""GET /api/events/ keeps each filter's count with the version of the events it was counted
at (``events_list_version``, moved by the triggers of migration events 0013 at every commit
that changes what the list filters on). The count a person sees is exact whatever wrote the
change: a service, a bulk UPDATE that skips the models, the admin, a slug renamed.

These tests commit (``transaction=True``): the version moves at the commit, and a transaction
that has written anything counts afresh instead of using the cache.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from core.models import Track
from events import selectors_list
from events.models import Event, EventState
from tests.events.factories import make_event, make_staff
from tests.factories import make_branch
from tests.race import POSTGRES_ONLY

pytestmark = [pytest.mark.django_db(transaction=True), POSTGRES_ONLY]


def _version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM events_list_version WHERE id = 1")
        return int(cursor.fetchone()[0])


def _count(path: str = "/api/events/", client: Client | None = None) -> int:
    response = (client or Client()).get(path, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return int(response.json()["count"])


def _key(**filters: Any) -> str:
    return selectors_list.event_list_count_key(selectors_list.event_list_keys(**filters))


@pytest.fixture(autouse=True)
def _nothing_kept() -> None:
    selectors_list._kept.clear()


def _kept(key: str) -> tuple[int, int] | None:
    return selectors_list._kept.get(key)


def test_the_kept_count_is_used_while_the_events_are_unchanged() -> None:
    for _ in range(3):
        make_event()
    assert _count() == 3
    assert _kept(_key()) == (_version(), 3)
    # Plant a count: while nothing changes the list answers it without counting ...
    selectors_list._kept[_key()] = (_version(), 99)
    assert _count() == 99
    # ... and the first change that commits makes the list count again.
    Event.objects.filter(pk=Event.objects.first().pk).update(state=EventState.DRAFT)
    assert _count() == 2
    assert _kept(_key()) == (_version(), 2)


@pytest.mark.parametrize(
    "change",
    [
        "create an event",
        "hide one with a bulk UPDATE",
        "delete one",
        "take a track off",
        "rename the track",
    ],
)
def test_every_change_the_list_filters_on_moves_the_version(change: str) -> None:
    branch = make_branch()
    first, second = make_event(branch=branch), make_event(branch=branch, tracks=["hygge"])
    path = "/api/events/?track=hygge"
    assert _count(path) == 2
    before = _version()
    if change == "create an event":
        make_event(branch=branch)
        expected, path_after = 3, path
    elif change == "hide one with a bulk UPDATE":
        Event.objects.filter(pk=first.pk).update(state=EventState.DRAFT)
        expected, path_after = 1, path
    elif change == "delete one":
        Event.objects.filter(pk=first.pk).delete()
        expected, path_after = 1, path
    elif change == "take a track off":
        second.tracks.clear()
        expected, path_after = 1, path
    else:
        Track.objects.filter(slug="hygge").update(slug="hygge-og-samvaer")
        expected, path_after = 2, "/api/events/?track=hygge-og-samvaer"
    assert _version() > before
    assert _count(path_after) == expected
    assert _count(path) == (0 if path_after != path else expected)


def test_a_transaction_that_wrote_counts_its_own_changes_and_keeps_nothing() -> None:
    make_event()
    assert _count() == 1
    kept = _kept(_key())
    with transaction.atomic():
        make_event()
        keys = selectors_list.event_list_keys()
        rows, count = selectors_list.event_list_page(keys=keys, offset=0, limit=50, with_count=True)
        assert (len(rows), count) == (2, 2)
        transaction.set_rollback(True)
    assert _kept(_key()) == kept
    assert _count() == 1


def test_a_version_is_never_given_twice_and_moves_once_per_transaction() -> None:
    before = _version()
    with transaction.atomic():
        for _ in range(5):
            make_event()
    assert _version() == before + 1


def test_staff_counts_are_counted_every_time() -> None:
    branch = make_branch()
    make_event(branch=branch)
    make_event(branch=branch, state=EventState.DRAFT)
    client = Client()
    staff = make_staff(branch)
    client.force_login(staff)
    assert _count(client=client) == 2  # the draft of their branch too
    assert _kept(_key(actor=staff)) is None
    assert _count() == 1
