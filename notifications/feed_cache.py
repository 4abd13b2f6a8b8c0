"""The public events feed, answered from what its events are now, without rebuilding them.

One lean query reads the columns each VEVENT is made of (no model objects). Their digest is
the feed's ETag, so a conditional request is answered 304 before anything is built; each
event's serialised VEVENT is cached under the digest of its own columns, so a change to an
event (its title, time, place, SEQUENCE, the room's or branch's name) makes a new key and the
old bytes are simply never asked for again. The events not in the cache are built from the
same rows (no second query, no model objects), as ``event_item`` would describe them, and
written with ``vevent_bytes``; the cache gets them in one round trip. A cache that is down
costs time, never the feed (docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from notifications.calendar import (
    CalendarItem,
    feed_ical_from_parts,
    make_uid,
    vevent_bytes,
)
from notifications.selectors import public_events
from notifications.sources import event_item, site_url

logger = logging.getLogger(__name__)

# Bump when vevent_bytes' output changes shape, so cached bytes of the old shape go unused.
VEVENT_FORMAT = "2"
VEVENT_CACHE_SECONDS = 7 * 24 * 3600

# Every column event_item() reads, directly or through the room, the stop and the branch.
VEVENT_COLUMNS = (
    "pk",
    "sequence",
    "state",
    "cancelled_at",
    "updated_at",
    "title",
    "description",
    "start",
    "end",
    "place_kind",
    "address",
    "online_url",
    "room_id",
    "room__name",
    "stop_id",
    "stop__name",
    "stop__place",
    "branch__name",
    "branch__address",
    "branch__postcode",
    "branch__town",
)


@dataclass(frozen=True)
class FeedState:
    """What the feed is made of now: each event's cache key, in the feed's order."""

    keys: list[tuple[int, str]]  # (event pk, cache key)
    etag: str
    last_modified: Any  # datetime | None
    rows: dict[int, tuple[Any, ...]] = field(default_factory=dict, repr=False)  # by pk


def _digest(parts: Iterable[object]) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:40]


def public_feed_state(name: str, **filters: Any) -> FeedState:
    rows = list(public_events(**filters).values_list(*VEVENT_COLUMNS))
    # The order feed_ical gives: by start, then by UID (a string: "event-10" before "event-9").
    rows.sort(key=lambda r: (r[7], make_uid("event", r[0])))
    context = (VEVENT_FORMAT, translation.get_language(), settings.SITE_URL)
    keys = [(r[0], "feed-vevent:" + _digest((*context, *r))) for r in rows]
    etag = '"' + _digest((name, *context, *(key for _, key in keys))) + '"'
    stamps = [stamp for r in rows for stamp in (r[3], r[4]) if stamp is not None]
    return FeedState(
        keys=keys,
        etag=etag,
        last_modified=max(stamps) if stamps else None,
        rows={r[0]: r for r in rows},
    )


def _cached(keys: list[str]) -> dict[str, bytes]:
    try:
        return dict(cache.get_many(keys))
    except Exception:  # a cache that is down: build everything, as before there was one
        logger.warning("The feed cache could not be read", exc_info=True)
        return {}


def _keep(built: dict[str, bytes]) -> None:
    try:
        cache.set_many(built, VEVENT_CACHE_SECONDS)
    except Exception:
        logger.warning("The feed cache could not be written", exc_info=True)


def public_feed_body(name: str, state: FeedState) -> bytes:
    """The feed's bytes: cached VEVENTs, and the missing ones built from the state's rows."""
    found = _cached([key for _, key in state.keys])
    missing = [(pk, key) for pk, key in state.keys if key not in found]
    if missing:
        url = _event_url()
        built = {key: vevent_bytes(_item(_Columns(state.rows[pk]), url)) for pk, key in missing}
        _keep(built)
        found.update(built)
    return feed_ical_from_parts(name, [found[key] for _, key in state.keys])


# --- An event's VEVENT from its columns -----------------------------------------------------


class _Named:
    """The room, stop or branch of a row, with the names ``event_location`` reads."""

    __slots__ = ("address", "name", "place", "postcode", "town")

    def __init__(
        self, name: str, *, place: str = "", address: str = "", postcode: str = "", town: str = ""
    ) -> None:
        self.name, self.place = name, place
        self.address, self.postcode, self.town = address, postcode, town


class _Columns:
    """One row of VEVENT_COLUMNS, read as ``event_item`` reads an Event."""

    __slots__ = (
        "address",
        "branch",
        "cancelled_at",
        "description",
        "end",
        "online_url",
        "pk",
        "place_kind",
        "room",
        "room_id",
        "sequence",
        "start",
        "state",
        "stop",
        "stop_id",
        "title",
        "updated_at",
    )

    def __init__(self, row: tuple[Any, ...]) -> None:
        (
            self.pk,
            self.sequence,
            self.state,
            self.cancelled_at,
            self.updated_at,
            self.title,
            self.description,
            self.start,
            self.end,
            self.place_kind,
            self.address,
            self.online_url,
            self.room_id,
            room_name,
            self.stop_id,
            stop_name,
            stop_place,
            branch_name,
            branch_address,
            branch_postcode,
            branch_town,
        ) = row
        self.room = _Named(room_name or "")
        self.stop = _Named(stop_name or "", place=stop_place or "")
        self.branch = _Named(
            branch_name, address=branch_address, postcode=branch_postcode, town=branch_town
        )


def _event_url() -> Callable[[int], str]:
    """``site_url("events:event-detail", pk)`` without resolving the route once per event: the
    address of a sample pk, with the pk swapped in (falls back to resolving each one)."""
    sample = 987654321
    address = site_url("events:event-detail", sample)
    if address.count(str(sample)) != 1:
        return lambda pk: site_url("events:event-detail", pk)
    head, tail = address.split(str(sample))
    return lambda pk: f"{head}{pk}{tail}"


def _item(event: _Columns, url: Callable[[int], str]) -> CalendarItem:
    """What ``notifications.sources.event_item`` makes of the event, from its columns."""
    return event_item(event, url=url)
