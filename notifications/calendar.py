"""iCalendar (RFC 5545) building: feeds and the invitations that e-mails carry.

Every item has a stable UID, a SEQUENCE that rises with each real change, and local times
with TZID=Europe/Copenhagen backed by one VTIMEZONE with the EU daylight-saving rules (so
clients such as Thunderbird's ical.js and Python's icalendar agree on the wall time on
both DST Sundays). DTSTAMP is the item's last change, so the same state gives the same
bytes, and the feed's ETag only changes when something did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from functools import cache
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Timezone, vCalAddress, vText
from icalendar import Event as VEvent

UID_DOMAIN = "modested.dk"
TZID = "Europe/Copenhagen"
REFRESH = timedelta(hours=1)
CANCELLED_KEPT_FOR = timedelta(days=30)

# The rules in force in Denmark since 1996 (EU summer time), written once as RRULEs.
VTIMEZONE_COPENHAGEN = """BEGIN:VTIMEZONE
TZID:Europe/Copenhagen
X-LIC-LOCATION:Europe/Copenhagen
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


class ItemStatus:
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


@dataclass
class CalendarItem:
    """One VEVENT, whatever it comes from (event, registration, booking, slot, shift)."""

    uid: str
    sequence: int
    summary: str
    start: datetime
    end: datetime
    status: str = ItemStatus.CONFIRMED
    location: str = ""
    description: str = ""
    url: str = ""
    last_modified: datetime | None = None
    categories: list[str] = field(default_factory=list)
    transparent: bool = False

    @property
    def is_cancelled(self) -> bool:
        return self.status == ItemStatus.CANCELLED


def make_uid(kind: str, pk: object) -> str:
    return f"{kind}-{pk}@{UID_DOMAIN}"


def _local(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo(TZID))


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _vtimezone() -> Timezone:
    return cast(Timezone, Timezone.from_ical(VTIMEZONE_COPENHAGEN))


def build_vevent(item: CalendarItem, *, organizer: str = "", attendee: str = "") -> VEvent:
    ev = VEvent()
    ev.add("uid", item.uid)
    stamp = _utc(item.last_modified or item.start)
    ev.add("dtstamp", stamp)
    ev.add("last-modified", stamp)
    ev.add("sequence", item.sequence)
    ev.add("dtstart", _local(item.start))
    ev.add("dtend", _local(item.end))
    ev.add("summary", vText(item.summary))
    if item.location:
        ev.add("location", vText(item.location))
    if item.description:
        ev.add("description", vText(item.description))
    if item.url:
        ev.add("url", item.url)
    if item.categories:
        ev.add("categories", item.categories)
    ev.add("status", item.status)
    ev.add("transp", "TRANSPARENT" if item.transparent else "OPAQUE")
    if organizer:
        org = vCalAddress(f"mailto:{organizer}")
        org.params["cn"] = vText("Mødested")
        ev.add("organizer", org)
    if attendee:
        att = vCalAddress(f"mailto:{attendee}")
        att.params["role"] = vText("REQ-PARTICIPANT")
        att.params["partstat"] = vText("ACCEPTED")
        att.params["rsvp"] = vText("FALSE")
        ev.add("attendee", att)
    return ev


def _calendar(name: str, *, method: str = "", feed: bool = False) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Mødested//Bibliotekerne//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if feed:
        cal.add("name", vText(name))
        cal.add("x-wr-calname", vText(name))
        cal.add("x-wr-timezone", TZID)
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    return cal


def feed_ical(name: str, items: Iterable[CalendarItem]) -> bytes:
    """A subscribable feed (no METHOD): the VTIMEZONE first, then one VEVENT per item."""
    ordered = sorted(items, key=lambda i: (i.start, i.uid))
    return feed_ical_from_parts(name, [vevent_bytes(item) for item in ordered])


@cache
def _vtimezone_bytes() -> bytes:
    return cast(bytes, _vtimezone().to_ical())


def feed_ical_from_parts(name: str, vevents: list[bytes]) -> bytes:
    """The feed around VEVENTs already serialised (``vevent_bytes(item)``, in the feed's
    order): the same bytes as adding the VTIMEZONE and them to the calendar one by one."""
    head: bytes = _calendar(name, feed=True).to_ical()
    end = b"END:VCALENDAR\r\n"
    timezone = _vtimezone_bytes() if vevents else b""
    return head[: -len(end)] + timezone + b"".join(vevents) + end


# --- The feeds' VEVENTs, written directly -------------------------------------------------
#
# A feed of thousands of events spends most of its time in icalendar's per-property type
# inference, parameter objects and character-by-character folding. ``vevent_bytes`` writes
# the same content lines itself: byte for byte what ``build_vevent(item).to_ical()`` gives
# (tests/notifications/test_feed_fast.py compares them over tricky data), which is RFC 5545:
# TEXT escaping of backslash, semicolon, comma and line breaks, CRLF line ends, lines folded
# at 75 octets on UTF-8 character boundaries, UTC stamps and TZID=Europe/Copenhagen times.
# Invitations add ORGANIZER and ATTENDEE the same way (``_address_line``, RFC 5545 parameters
# with RFC 6868 escaping, quoted as icalendar quotes them); tests/notifications/
# test_invitation_fast.py holds them to ``build_vevent(item, organizer=..., attendee=...)``.


def _text(value: str) -> str:
    """RFC 5545 TEXT escaping, in icalendar's order (``icalendar.parser.string``): a
    literal ``\\N`` is read as a line break, and CR LF, LF and a lone CR all become ``\\n``."""
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


_CONTINUATION = 0x80  # UTF-8 continuation bytes are 10xxxxxx
_ESCAPES = (ord("\\"), ord("^"))


def _line(line: str) -> bytes:
    """One content line, folded and ended as icalendar folds it: each physical line holds at
    most 74 octets (after the leading space of a continuation), never splits a UTF-8
    character, and a fold never falls right after a backslash or caret (that character
    moves to the next line, so an escape stays whole for clients that unfold poorly)."""
    raw = line.encode()
    size = len(raw)
    if size <= 74:
        return raw + b"\r\n"
    parts = []
    start = 0
    while size - start > 74:
        cut = start + 74
        while raw[cut] & 0xC0 == _CONTINUATION:
            cut -= 1
        if raw[cut - 1] in _ESCAPES:
            cut -= 1
        parts.append(raw[start:cut])
        start = cut
    parts.append(raw[start:])
    return b"\r\n ".join(parts) + b"\r\n"


def _stamp(value: datetime) -> str:
    value = value.astimezone(UTC)
    return (
        f"{value.year:04}{value.month:02}{value.day:02}"
        f"T{value.hour:02}{value.minute:02}{value.second:02}Z"
    )


def _wall(value: datetime) -> str:
    value = _local(value)
    return (
        f"{value.year:04}{value.month:02}{value.day:02}"
        f"T{value.hour:02}{value.minute:02}{value.second:02}"
    )


def vevent_bytes(item: CalendarItem, *, organizer: str = "", attendee: str = "") -> bytes:
    """``build_vevent(item, organizer=..., attendee=...).to_ical()``, written directly (see
    above): a feed's VEVENT, or with ORGANIZER and ATTENDEE an invitation's. The properties
    come in icalendar's order: its canonical ones, then the rest by name."""
    stamp = _stamp(item.last_modified or item.start)
    lines = [
        b"BEGIN:VEVENT\r\n",
        _line("SUMMARY:" + _text(item.summary)),
        _line(f"DTSTART;TZID={TZID}:{_wall(item.start)}"),
        _line(f"DTEND;TZID={TZID}:{_wall(item.end)}"),
        _line("DTSTAMP:" + stamp),
        _line("UID:" + _text(item.uid)),
        _line(f"SEQUENCE:{int(item.sequence)}"),
    ]
    if attendee:
        lines.append(_address_line("ATTENDEE", _ATTENDEE_PARAMS, attendee))
    if item.categories:
        lines.append(_line("CATEGORIES:" + ",".join(_text(c) for c in item.categories)))
    if item.description:
        lines.append(_line("DESCRIPTION:" + _text(item.description)))
    lines.append(_line("LAST-MODIFIED:" + stamp))
    if item.location:
        lines.append(_line("LOCATION:" + _text(item.location)))
    if organizer:
        lines.append(_organizer_line(organizer))
    lines.append(_line("STATUS:" + _text(item.status)))
    lines.append(b"TRANSP:TRANSPARENT\r\n" if item.transparent else b"TRANSP:OPAQUE\r\n")
    if item.url:
        lines.append(_line("URL:" + item.url))
    lines.append(b"END:VEVENT\r\n")
    return b"".join(lines)


# The parameters ``build_vevent`` gives the invitation's addresses.
ORGANIZER_CN = "Mødested"
_ORGANIZER_PARAMS = (("CN", ORGANIZER_CN),)
_ATTENDEE_PARAMS = (("ROLE", "REQ-PARTICIPANT"), ("PARTSTAT", "ACCEPTED"), ("RSVP", "FALSE"))
# Parameters quoted whenever their value holds one of these (icalendar's ``quote_also``),
# and the characters that make any value quoted (its ``QUOTABLE``, with the ’ it adds).
_QUOTE_ALSO = {"CN": (" ", "'")}
_QUOTABLE = (",", ";", ":", "\u2019")


def _param_value(name: str, value: str) -> str:
    """A parameter value as icalendar writes it: RFC 6868 escaping (``^`` → ``^^``, a line
    break → ``^n``, ``"`` → ``^'``), then double quotes around it if it holds ``,;:’`` (or,
    for CN, a space or an apostrophe, looked for before the escaping)."""
    quote = any(c in value for c in _QUOTE_ALSO.get(name, ()))
    value = (
        value.replace("^", "^^")
        .replace("\r\n", "^n")
        .replace("\r", "^n")
        .replace("\n", "^n")
        .replace('"', "^'")
    )
    if quote or any(c in value for c in _QUOTABLE):
        return f'"{value}"'
    return value


def _address_line(name: str, params: Iterable[tuple[str, str]], address: str) -> bytes:
    """``NAME;PARAM=value...:mailto:address``, the parameters sorted as icalendar sorts them;
    a CAL-ADDRESS is written as it is (no TEXT escaping) and may not hold a line break."""
    value = f"mailto:{address}"
    if "\r" in value or "\n" in value:
        raise ValueError(f"A CAL-ADDRESS value may not contain CR or LF characters: {value!r}")
    written = ";".join(f"{key}={_param_value(key, v)}" for key, v in sorted(params))
    return _line(f"{name};{written}:{value}" if written else f"{name}:{value}")


@cache
def _organizer_line(address: str) -> bytes:
    return _address_line("ORGANIZER", _ORGANIZER_PARAMS, address)


def invitation_ical(item: CalendarItem, *, attendee: str) -> tuple[bytes, str]:
    """The .ics an e-mail carries: METHOD:REQUEST, or METHOD:CANCEL for a cancelled item."""
    method = "CANCEL" if item.is_cancelled else "REQUEST"
    cal = _calendar(item.summary, method=method)
    cal.add_component(_vtimezone())
    organizer = _address(settings.DEFAULT_FROM_EMAIL)
    cal.add_component(build_vevent(item, organizer=organizer, attendee=attendee))
    return cal.to_ical(), method


def _address(value: str) -> str:
    return parseaddr(value)[1] or value


def newest(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
