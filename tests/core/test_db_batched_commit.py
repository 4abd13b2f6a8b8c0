"""``core.db.batched_inserts(commit=True)``: a hot write's last INSERTs and its COMMIT in one
round trip, only where the transaction is the outermost block's own."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core.db import batched_inserts, insert_quietly
from core.models import Track

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRES = connection.vendor == "postgresql"


def _track(slug: str) -> Track:
    return Track(slug=slug, name_da=slug, name_en=slug)


def test_the_commit_goes_with_the_inserts_and_the_commit_hooks_still_run() -> None:
    ran: list[str] = []
    with CaptureQueriesContext(connection) as sent, transaction.atomic():
        transaction.on_commit(lambda: ran.append("after the commit"))
        with batched_inserts(commit=True):
            insert_quietly([_track("fordybelse-a")])
            insert_quietly([_track("hygge-a")])

    batch = next(q["sql"] for q in sent.captured_queries if q["sql"].startswith("INSERT"))
    assert batch.endswith("; COMMIT") == POSTGRES  # SQLite: one statement at a time
    assert set(Track.objects.values_list("slug", flat=True)) >= {"fordybelse-a", "hygge-a"}
    assert ran == ["after the commit"]


def test_inside_an_outer_block_the_commit_stays_the_outer_blocks() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        with transaction.atomic(), batched_inserts(commit=True):
            insert_quietly([_track("fordybelse-b")])
        raise RuntimeError  # the outer block rolls back: nothing was committed
    assert not Track.objects.filter(slug="fordybelse-b").exists()


def test_a_failing_insert_commits_nothing_and_the_connection_goes_on() -> None:
    Track.objects.create(slug="taken", name_da="x", name_en="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        with batched_inserts(commit=True):
            insert_quietly([_track("fordybelse-c")])
            insert_quietly([_track("taken")])  # the unique slug: the string stops here
    assert not Track.objects.filter(slug="fordybelse-c").exists()
    assert Track.objects.filter(slug="taken").count() == 1
