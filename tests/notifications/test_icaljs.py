"""Our feeds and invitations read by Mozilla's ical.js, the parser of Thunderbird.

Needs node and the npm package ical.js: ``npm install --prefix <dir> ical.js@2`` and
``ICALJS_DIR=<dir>/node_modules`` (skipped otherwise).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.calendar import invitation_ical
from notifications.sources import registration_item
from tests.events.factories import make_event
from tests.factories import make_user
from tests.notifications.factories import at, registered

ICALJS_DIR = os.environ.get("ICALJS_DIR", "")
NODE = shutil.which("node")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (NODE and ICALJS_DIR and Path(ICALJS_DIR, "ical.js").is_dir()),
        reason="needs node and ical.js (ICALJS_DIR=<prefix>/node_modules)",
    ),
]
SCRIPT = Path(__file__).with_name("icaljs_dump.mjs")


def icaljs(body: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "feed.ics"
    path.write_bytes(body)
    result = subprocess.run(  # noqa: S603
        [NODE, str(SCRIPT), str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "ICALJS_DIR": ICALJS_DIR},
        check=True,
    )
    return json.loads(result.stdout)


def test_icaljs_reads_the_feed_with_the_right_wall_times_across_dst(client, tmp_path) -> None:
    days = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 24), date(2026, 10, 25)]
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=ZoneInfo("Europe/Copenhagen"))):
        events = [make_event(start=at(day, 10), title="Strik, hækl; kaffe") for day in days]
        events[0].description = "Linje 1\nLinje 2; med komma, og semikolon"
        events[0].save()
        body = client.get("/feeds/events.ics").content

    parsed = icaljs(body, tmp_path)["events"]

    assert [e["uid"] for e in parsed] == [f"event-{e.pk}@modested.dk" for e in events]
    assert {e["tzid"] for e in parsed} == {"Europe/Copenhagen"}
    assert [e["wall"] for e in parsed] == [[10, 0]] * 4
    assert [e["utc"][11:16] for e in parsed] == ["09:00", "08:00", "08:00", "09:00"]
    assert parsed[0]["summary"] == "Strik, hækl; kaffe"
    assert parsed[0]["description"] == "Linje 1\nLinje 2; med komma, og semikolon"


def test_icaljs_reads_request_and_cancel_with_the_same_uid(tmp_path) -> None:
    person = make_user()
    reg = registered(make_event(start=at(date(2026, 12, 10), 10)), person)
    request_body, _ = invitation_ical(registration_item(reg), attendee=person.email)
    reg.status, reg.sequence = "cancelled", reg.sequence + 1
    cancel_body, _ = invitation_ical(registration_item(reg), attendee=person.email)

    request, cancel = icaljs(request_body, tmp_path), icaljs(cancel_body, tmp_path)

    assert (request["method"], cancel["method"]) == ("REQUEST", "CANCEL")
    assert request["events"][0]["uid"] == cancel["events"][0]["uid"]
    assert cancel["events"][0]["sequence"] > request["events"][0]["sequence"]
    assert cancel["events"][0]["status"] == "CANCELLED"
    assert request["events"][0]["wall"] == [10, 0]
