"""The events list (``GET /api/events/``) read from plain values: one statement per page.

``event_list_keys`` is the list's filter (``events.selectors.events_filtered``) as ids and
starts; ``event_list_page`` cuts a page from it in start order and gathers what the list shows
of each event (seats, tracks, audiences) and, where asked, the count, in one statement.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
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


@dataclass(frozen=True)
class EventListFilter:
    """What ``GET /api/events/`` lists (``event_list_keys``): ``event_list_page`` cuts a page
    from it in start order, and ``count()`` is a plain ``COUNT(*)`` (no join, no DISTINCT).

    What everyone may see (``public``) is the same SQL for the same filter values, so it is
    built and compiled once per worker process for each (``_public_sql``): doing it on every
    request took a good part of the request."""

    actor: User | None
    values: tuple[Any, ...]  # branch, track, audience, series, start_after, start_before, q

    @property
    def public(self) -> bool:
        return sees_only_public(self.actor)

    def queryset(self) -> QuerySet[Event, Any]:
        """The filtered events as their id and start only, unordered."""
        branch, track, audience, series, start_after, start_before, q = self.values
        return (
            events_filtered(
                actor=None if self.public else self.actor,
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

    def count(self) -> int:
        return self.queryset().count()

    def sql(self) -> tuple[str, tuple[Any, ...]]:
        """The filter's SELECT ("id", "start") and its parameters."""
        return _public_sql(self.values) if self.public else _compiled(self.queryset())


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
) -> EventListFilter:
    """``event_list``'s filter, for ``event_list_page`` (the page and its count)."""
    return EventListFilter(actor, (branch, track, audience, series, start_after, start_before, q))


def sees_only_public(actor: User | None) -> bool:
    """True for whoever sees the published and cancelled events only (not staff, whose
    branches' drafts are listed too)."""
    return not (actor is not None and actor.is_authenticated and actor.is_library_staff)


@functools.lru_cache(maxsize=256)
def _public_sql(values: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    return _compiled(EventListFilter(None, values).queryset())


def _compiled(keys: QuerySet[Event, Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = keys.query.get_compiler(keys.db).as_sql()
    return sql, tuple(params)


def event_list_page(
    *, keys: EventListFilter, offset: int, limit: int, with_count: bool = False
) -> tuple[list[EventListRow], int | None]:
    """The events ``keys`` (``event_list_keys``) from ``offset`` in start order (then id), at
    most ``limit``, as ``EventListRow``s, in one query whatever the page size; with
    ``with_count``, also how many ``keys`` there are (else None).

    The page's ids are a subquery (a walk along ``event_shown_by_start``, however deep the
    page), so the seat counts, tracks and audiences are read for the page's events only; the
    count is a scalar subquery of the same filter, evaluated once. Only the filter is built by
    the ORM (it varies); the statement around it is fixed (``_PAGE_SQL``): building it with
    the ORM on every request cost more than running it.

    On PostgreSQL the count of a ``public`` filter (one that depends on nothing but the
    events, their labels and the branches: not a staff member's drafts) is kept, in the worker
    process, with the version of the events it was counted at (``events_list_version``,
    which every committed change to them moves: migration events 0013). The statement uses
    the kept count only while the version is the same, else counts again: exact, and the
    counting (most of the statement's time for a filter that matches thousands) is done once
    per change instead of once per request.
    """
    connection = connections[Event.objects.db]
    shown, shown_params = keys.sql()
    count, count_params = "NULL, NULL, NULL", ()
    cache_key, kept = None, None
    if with_count and keys.public and connection.vendor == "postgresql":
        cache_key = (
            "event-list-count:"
            + hashlib.sha256(repr((shown, shown_params)).encode()).hexdigest()[:40]
        )
        kept = _kept.get(cache_key)
        version, known = kept or (-1, 0)
        count = _CACHED_COUNT_SQL.replace("/*shown*/", shown, 1)
        count_params = (version, known, *shown_params)
    elif with_count:
        count = _COUNT_SQL.replace("/*shown*/", shown, 1) + ", NULL, NULL"
        count_params = shown_params
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
            id=r[3],
            series_id=r[4],
            title=r[5],
            description=r[6],
            start=_aware(r[7]),
            end=_aware(r[8]),
            branch_slug=r[9],
            room_id=r[10],
            capacity=r[11],
            registration_required=bool(r[12]),
            state=r[13],
            confirmed_seats=r[14],
            waitlisted_count=r[15],
            tracks=_slugs(r[16]),
            audiences=_slugs(r[17]),
        )
        for r in fetched
    ]
    if not (fetched and with_count):
        return rows, None
    counted, version, clean = fetched[0][:3]
    if cache_key is not None and clean and kept != (version, counted):
        _keep_count(cache_key, (version, counted))
    return rows, counted


def event_list_count_key(keys: EventListFilter) -> str:
    """The key ``event_list_page`` keeps ``keys``' count under (one per filter)."""
    return _count_key(*keys.sql())


def _count_key(shown: str, params: Any) -> str:
    return "event-list-count:" + hashlib.sha256(repr((shown, params)).encode()).hexdigest()[:40]


# The kept counts: (version, count) by filter, in each worker process. The version is checked
# by the statement itself, so a process's own copy is as exact as a shared one, and reading it
# costs no round trip; each process counts once per change of the events.
_kept: dict[str, tuple[int, int]] = {}
KEPT_COUNTS = 1024


def _keep_count(key: str, kept: tuple[int, int]) -> None:
    if len(_kept) >= KEPT_COUNTS and key not in _kept:
        _kept.clear()  # many filters (dates, searches): start again rather than grow
    _kept[key] = kept


# event_list_page's statement. /*shown*/ is the filter (event_list_keys: "id", "start"),
# /*count*/ its count (or NULL), the events' version and whether the count may be kept (or
# NULLs), /*labels*/ the slugs of a label table "l" in order (_LABELS).
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
# The count kept in the cache (its version and count are the first two parameters) while the
# events' version is the same and this transaction has written nothing (its own changes are
# not in the version yet); else counted. Then the version, and whether the count may be kept.
# PostgreSQL evaluates the count's subquery only when the ELSE branch is taken.
_CACHED_COUNT_SQL = """
    CASE WHEN pg_current_xact_id_if_assigned() IS NULL
              AND (SELECT v."version" FROM "events_list_version" v WHERE v."id" = 1) = %s
         THEN %s
         ELSE (SELECT COUNT(*) FROM (/*shown*/) counted) END,
    (SELECT v."version" FROM "events_list_version" v WHERE v."id" = 1),
    pg_current_xact_id_if_assigned() IS NULL"""
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
