"""The public events feed, answered from what its events are now, without rebuilding them.

One lean query reads the columns each VEVENT is made of (no model objects). Their digest is
the feed's ETag, so a conditional request is answered 304 before anything is built; each
event's serialised VEVENT is cached under the digest of its own columns, so a change to an
event (its title, time, place, SEQUENCE, the room's or branch's name) makes a new key and the
old bytes are simply never asked for again. Only the events not in the cache are loaded and
built, in one more query. A cache that is down costs time, never the feed (docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from events.models import Event
from notifications.calendar import build_vevent, feed_ical_from_parts, make_uid
from notifications.selectors import public_events
from notifications.sources import event_item

logger = logging.getLogger(__name__)

# Bump when build_vevent's output changes shape, so cached bytes of the old shape go unused.
VEVENT_FORMAT = "1"
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
    "room__name",
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
    return FeedState(keys=keys, etag=etag, last_modified=max(stamps) if stamps else None)


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
    """The feed's bytes: cached VEVENTs, and the missing ones built from one query."""
    found = _cached([key for _, key in state.keys])
    missing = {pk: key for pk, key in state.keys if key not in found}
    if missing:
        events = Event.objects.filter(pk__in=missing).select_related("branch", "room", "stop")
        built = {missing[e.pk]: build_vevent(event_item(e)).to_ical() for e in events}
        _keep(built)
        found.update(built)
    return feed_ical_from_parts(name, [found[key] for _, key in state.keys if key in found])
