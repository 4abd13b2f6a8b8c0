"""``core.db.prepared``: a hot path's statement planned once per PostgreSQL connection."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.db import prepared
from core.models import Track

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRES = connection.vendor == "postgresql"
SQL = "SELECT t.slug, t.position FROM core_track t WHERE t.slug = %s AND t.position >= %s"


def _slug_and_position(slug: str) -> tuple[object, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(*prepared("test_track_by_slug", SQL, [slug, 0]))
        row = cursor.fetchone()
    return None if row is None else tuple(row)


@pytest.mark.skipif(not POSTGRES, reason="PREPARE is PostgreSQL's")
def test_the_statement_is_prepared_once_per_connection_and_answers_each_time() -> None:
    Track.objects.create(slug="hygge-x", name_da="Hygge", name_en="Hygge", position=2)
    connection.close()  # a fresh connection has prepared nothing

    with CaptureQueriesContext(connection) as first:
        assert _slug_and_position("hygge-x") == ("hygge-x", 2)
    with CaptureQueriesContext(connection) as second:
        assert _slug_and_position("nothing") is None
    assert [q["sql"].split()[0] for q in first.captured_queries] == ["PREPARE", "EXECUTE"]
    assert [q["sql"].split()[0] for q in second.captured_queries] == ["EXECUTE"]

    with pytest.raises(RuntimeError), transaction.atomic():  # outlives a rollback
        assert _slug_and_position("hygge-x") == ("hygge-x", 2)
        raise RuntimeError
    assert _slug_and_position("hygge-x") == ("hygge-x", 2)

    connection.close()  # a reconnect prepares it again
    with CaptureQueriesContext(connection) as again:
        assert _slug_and_position("hygge-x") == ("hygge-x", 2)
    assert [q["sql"].split()[0] for q in again.captured_queries] == ["PREPARE", "EXECUTE"]


@pytest.mark.skipif(POSTGRES, reason="SQLite runs the statement as it is")
def test_sqlite_runs_the_statement_itself() -> None:
    assert prepared("test_track_by_slug", SQL, ["x", 0]) == (SQL, ["x", 0])


@pytest.mark.skipif(not POSTGRES, reason="PREPARE is PostgreSQL's")
@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("SELECT * FROM core_track t WHERE t.slug = %s", ["x"]),  # its shape would change
        ("SELECT t.slug FROM core_track t WHERE t.slug = %s", []),  # a value missing
    ],
)
def test_a_statement_that_cannot_be_prepared_is_refused(sql: str, params: list[str]) -> None:
    with pytest.raises(ValueError, match="Cannot prepare"):
        prepared("test_refused", sql, params)


def test_behind_a_pooler_in_transaction_mode_nothing_is_prepared(settings) -> None:
    settings.MODESTED_PREPARED_STATEMENTS = False
    assert prepared("test_track_by_slug", SQL, ["x", 0]) == (SQL, ["x", 0])
