"""The events list (``GET /api/events/``) read from plain values: one statement per page.

``event_list_keys`` is the list's filter (``events.selectors.events_filtered``) as ids and
starts; ``event_list_page`` cuts a page from it in start order and gathers what the list shows
of each event (seats, tracks, audiences) and, where asked, the count, in one statement.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import QuerySet

from core.models import User
from events.models import Event, RegistrationStatus
from events.selectors import events_filtered


class EventListRow(NamedTuple):
    """What the events list (GET /api/events/) shows of one event, as plain values."""

    id: int
    series_id: int
    title: str
    description: str
    start: datetime
    end: datetime
    branch_slug: str
    room_id: int | None
    capacity: int | None
    registration_required: bool
    state: str
    confirmed_seats: int
    waitlisted_count: int
    tracks: list[str]  # slugs, in the tracks' order (position)
    audiences: list[str]  # slugs, in the audiences' order (position)


def event_list_keys(
    *,
    actor: User | None = None,
    branch: str | None = None,
    track: str | None = None,
    audience: str | None = None,
    series: int | None = None,
    start_after: datetime | None = None,
    start_before: datetime | None = None,
    q: str | None = None,
) -> QuerySet[Event, Any]:
    """``event_list``'s events as their id and start only, unordered: what
    ``event_list_page`` cuts a page from (in start order), and whose ``count()`` is a plain
    ``COUNT(*)`` (no join, no DISTINCT)."""
    return (
        events_filtered(
            actor=actor,
            branch=branch,
            track=track,
            audience=audience,
            series=series,
            start_after=start_after,
            start_before=start_before,
            q=q,
        )
        .order_by()
        .values("id", "start")
    )


def event_list_page(
    *, keys: QuerySet[Event, Any], offset: int, limit: int, with_count: bool = False
) -> tuple[list[EventListRow], int | None]:
    """The events ``keys`` (``event_list_keys``) from ``offset`` in start order (then id), at
    most ``limit``, as ``EventListRow``s, in one query whatever the page size; with
    ``with_count``, also how many ``keys`` there are (else None).

    The page's ids are a subquery (a walk along ``event_shown_by_start``, however deep the
    page), so the seat counts, tracks and audiences are read for the page's events only; the
    count is a scalar subquery of the same filter, evaluated once. Only the filter is built by
    the ORM (it varies); the statement around it is fixed (``_PAGE_SQL``): building it with
    the ORM on every request cost more than running it."""
    connection = connections[keys.db]
    shown, shown_params = keys.query.get_compiler(keys.db).as_sql()
    count, count_params = "NULL", ()
    if with_count:
        count, count_params = _COUNT_SQL.replace("/*shown*/", shown, 1), shown_params
    sql = (
        _PAGE_SQL.replace("/*count*/", count, 1)
        .replace("/*shown*/", shown, 1)
        .replace("/*labels*/", _LABELS[connection.vendor])
    )
    params = (
        *count_params,
        RegistrationStatus.CONFIRMED.value,
        RegistrationStatus.WAITLISTED.value,
        *shown_params,
        limit,
        offset,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows = [
        EventListRow(
            id=r[1],
            series_id=r[2],
            title=r[3],
            description=r[4],
            start=_aware(r[5]),
            end=_aware(r[6]),
            branch_slug=r[7],
            room_id=r[8],
            capacity=r[9],
            registration_required=bool(r[10]),
            state=r[11],
            confirmed_seats=r[12],
            waitlisted_count=r[13],
            tracks=_slugs(r[14]),
            audiences=_slugs(r[15]),
        )
        for r in fetched
    ]
    return rows, (fetched[0][0] if fetched and with_count else None)


# event_list_page's statement. /*shown*/ is the filter (event_list_keys: "id", "start"),
# /*count*/ its count or NULL, /*labels*/ the slugs of a label table "l" in order (_LABELS).
# The tables and columns are the models' (tests/events/test_event_list_fast.py checks).
_PAGE_SQL = """
SELECT /*count*/,
    e."id", e."series_id", e."title", e."description", e."start", e."end", b."slug",
    e."room_id", e."capacity", e."registration_required", e."state",
    COALESCE((SELECT SUM(r."seats") FROM "events_registration" r
              WHERE r."event_id" = e."id" AND r."status" = %s), 0),
    (SELECT COUNT(*) FROM "events_registration" r
     WHERE r."event_id" = e."id" AND r."status" = %s),
    (SELECT /*labels*/ FROM "events_event_tracks" t
     JOIN "core_track" l ON l."id" = t."track_id" WHERE t."event_id" = e."id"),
    (SELECT /*labels*/ FROM "events_event_audiences" t
     JOIN "core_audience" l ON l."id" = t."audience_id" WHERE t."event_id" = e."id")
FROM "events_event" e
JOIN "core_branch" b ON b."id" = e."branch_id"
WHERE e."id" IN (
    SELECT shown."id" FROM (/*shown*/) shown
    ORDER BY shown."start", shown."id" LIMIT %s OFFSET %s
)
ORDER BY e."start", e."id"
"""
_COUNT_SQL = "(SELECT COUNT(*) FROM (/*shown*/) counted)"
# PostgreSQL orders the slugs itself; SQLite (no ORDER BY in an aggregate before 3.44) gives
# [position, id, slug] triples that _slugs sorts.
_LABELS = {
    "postgresql": 'array_agg(l."slug" ORDER BY l."position", l."id")',
    "sqlite": 'json_group_array(json_array(l."position", l."id", l."slug"))',
}


def _aware(value: datetime) -> datetime:
    # PostgreSQL gives aware datetimes; SQLite naive ones in UTC (what the ORM makes aware).
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _slugs(value: Any) -> list[str]:
    """The slugs of one event's tracks or audiences in their order (position, then id)."""
    if value is None:  # PostgreSQL: no label
        return []
    if isinstance(value, list):  # PostgreSQL: ordered already
        return value
    return [slug for _position, _pk, slug in sorted(json.loads(value))]
