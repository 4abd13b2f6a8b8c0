"""``core.db.insert_quietly``: the hot write paths' INSERT, compiled once per model, sends
what Django's own compiler would, and every row arrives with its values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from core.db import _batches, batched_inserts, insert_quietly
from core.models import AuditLog, Track
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _compiled(obj: object) -> tuple[str, list[object]]:
    """What Django's compiler makes of one row (its primary key left to the database)."""
    meta = type(obj)._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj])
    [(sql, params)] = query.get_compiler(using="default").as_sql()
    return sql, list(params)


def test_each_row_arrives_with_its_own_values() -> None:
    person = make_user(name="Birte Jensen")
    yesterday = timezone.now() - timedelta(days=1)
    rows = [
        AuditLog(actor=person, action="a.first", target_type="t", target_id="1", data={"n": 1}),
        AuditLog(action="a.second", target_type="t", target_id="2", created_at=yesterday),
    ]
    for row in rows:
        insert_quietly([row])

    saved = {a.action: a for a in AuditLog.objects.filter(action__startswith="a.")}
    assert (saved["a.first"].actor, saved["a.first"].data) == (person, {"n": 1})
    assert (saved["a.second"].actor, saved["a.second"].created_at) == (None, yesterday)
    assert rows[0].pk is None and not rows[0]._state.adding


def test_the_kept_statement_sends_the_same_sql_and_values_as_the_compiler() -> None:
    first = AuditLog(action="a.first", target_type="t", target_id="1", data={"k": [1, 2]})
    insert_quietly([first])  # compiles (and keeps) the statement
    second = AuditLog(action="a.second", target_type="t", target_id="2", data={"k": "æøå"})
    expected_sql, expected_params = _compiled(second)

    with transaction.atomic(), batched_inserts():
        insert_quietly([second])
        [(sql, params)] = _batches()["default"]

    assert sql == expected_sql
    assert [str(p) for p in params] == [str(p) for p in expected_params]
    assert AuditLog.objects.get(action="a.second").data == {"k": "æøå"}


def test_ignore_conflicts_skips_a_row_a_unique_constraint_holds() -> None:
    for name in ("Fordybelse", "Fordybelse igen"):
        insert_quietly(
            [Track(slug="fordybelse-x", name_da=name, name_en=name)], ignore_conflicts=True
        )
    assert list(Track.objects.filter(slug="fordybelse-x").values_list("name_da", flat=True)) == [
        "Fordybelse"
    ]
