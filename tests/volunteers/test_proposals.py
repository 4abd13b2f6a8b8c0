"""Session proposals: a volunteer proposes, staff of the branch decide; approved, it becomes a
published event with the room occupied and the volunteer as host, who sees and checks in the
registrations of their own sessions and nobody else's."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine

from core.models import Role, User
from core.signals import state_changed
from tests.factories import make_branch, make_user
from tests.rooms.factories import make_room
from tests.volunteers.factories import at, make_volunteer
from volunteers.models import SessionProposal

pytestmark = pytest.mark.django_db

NOW = "2026-11-25 12:00 +01:00"
DAY = date(2026, 12, 8)  # a Tuesday


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def host(branch: Any) -> User:
    return make_volunteer(branches=[branch], name="Hanne Host")


@pytest.fixture
def room(branch: Any) -> Any:
    return make_room(branch=branch, name="Netværkstedet", capacity=10)


def propose(client: Any, branch: Any, room: Any = None, **overrides: Any) -> Any:
    data = {
        "title": "IT-hjælp for seniorer",
        "description": "Tag din telefon med.",
        "branch": branch.slug,
        "room": room.pk if room else None,
        "start": at(DAY, 10).isoformat(),
        "end": at(DAY, 12).isoformat(),
        "tracks": ["digitale-forbindelser"],
        "audiences": [],
        "capacity": 8,
    }
    data.update(overrides)
    return client.post("/api/session-proposals/", data, format="json")


def test_approved_proposal_becomes_an_event_that_takes_registrations_and_the_host_sees_them(
    client_for: Any, branch: Any, staff: User, host: User, room: Any, frozen: Any
) -> None:
    from events.models import Event, EventState
    from events.services import registration_create
    from rooms.models import Booking

    response = propose(client_for(host), branch, room)
    assert response.status_code == 201, response.json()
    proposal_id = response.json()["id"]
    assert response.json()["status"] == "pending"

    kinds: list[str] = []
    state_changed.connect(
        lambda sender, kind, **kw: kinds.append(kind), weak=False, dispatch_uid="t"
    )
    try:
        response = client_for(staff).post(f"/api/session-proposals/{proposal_id}/approve/")
    finally:
        state_changed.disconnect(dispatch_uid="t")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved" and body["event"]
    assert "proposal.approved" in kinds
    event = Event.objects.get(pk=body["event"])
    assert (event.state, event.host, event.room, event.capacity) == (
        EventState.PUBLISHED,
        host,
        room,
        8,
    )
    assert Booking.objects.filter(room=room, start=event.start, status="confirmed").exists()

    # A citizen registers for it, and the host sees the registration...
    citizen = make_user(name="Ingrid Isenkram", password=None)
    registration = registration_create(actor=citizen, event=event)
    assert registration.status == "confirmed"
    response = client_for(host).get(f"/api/volunteer/sessions/{event.pk}/registrations/")
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["registrations"]] == ["Ingrid Isenkram"]
    # ...but another volunteer does not, nor can they check anyone in.
    stranger = make_volunteer(branches=[branch])
    assert (
        client_for(stranger).get(f"/api/volunteer/sessions/{event.pk}/registrations/").status_code
        == 404
    )
    check_in = f"/api/volunteer/sessions/{event.pk}/registrations/{registration.pk}/check-in/"
    frozen.move_to(event.start - timedelta(minutes=15))
    assert client_for(stranger).post(check_in).status_code == 404
    response = client_for(host).post(check_in)
    assert response.status_code == 200, response.json()
    registration.refresh_from_db()
    assert registration.checked_in_at is not None

    # The host's dashboard lists the session.
    page = client_for(host)
    page.force_login(host)
    assert "IT-hjælp for seniorer" in page.get("/frivillig/").content.decode()


def test_series_proposal_gives_a_series_without_holidays(
    client_for: Any, branch: Any, staff: User, host: User
) -> None:
    from events.models import EventSeries

    response = propose(
        client_for(host),
        branch,
        start=at(date(2026, 12, 17), 10).isoformat(),
        end=at(date(2026, 12, 17), 12).isoformat(),
        rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=4",
    )
    assert response.status_code == 201, response.json()
    body = client_for(staff).post(f"/api/session-proposals/{response.json()['id']}/approve/").json()
    series = EventSeries.objects.get(pk=body["series"])
    days = sorted(e.start.date() for e in series.events.all())
    assert date(2026, 12, 24) not in days and date(2026, 12, 31) not in days
    assert all(e.host == host for e in series.events.all())


def test_reject_needs_a_reason_and_changes_can_be_requested(
    client_for: Any, branch: Any, staff: User, host: User
) -> None:
    proposal_id = propose(client_for(host), branch).json()["id"]
    api = client_for(staff)
    assert (
        api.post(f"/api/session-proposals/{proposal_id}/reject/", {}, format="json").status_code
        == 400
    )
    response = api.post(
        f"/api/session-proposals/{proposal_id}/request-changes/",
        {"note": "Kan det være om eftermiddagen?"},
        format="json",
    )
    assert response.json()["status"] == "changes_requested"
    # The volunteer changes it; it waits again.
    response = client_for(host).patch(
        f"/api/session-proposals/{proposal_id}/",
        {"start": at(DAY, 14).isoformat(), "end": at(DAY, 16).isoformat()},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "pending"
    response = api.post(
        f"/api/session-proposals/{proposal_id}/reject/",
        {"reason": "Vi har allerede IT-hjælp den dag."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["decision_note"] == "Vi har allerede IT-hjælp den dag."
    assert api.post(f"/api/session-proposals/{proposal_id}/approve/").status_code == 400


def test_only_staff_of_the_branch_see_and_decide(
    client_for: Any, branch: Any, staff: User, host: User
) -> None:
    proposal_id = propose(client_for(host), branch).json()["id"]
    outsider = make_user(role=Role.STAFF, branches=[make_branch()], password=None)
    assert client_for(outsider).get("/api/session-proposals/").json()["results"] == []
    assert (
        client_for(outsider).post(f"/api/session-proposals/{proposal_id}/approve/").status_code
        == 404
    )
    other_volunteer = make_volunteer(branches=[branch])
    assert (
        client_for(other_volunteer).get(f"/api/session-proposals/{proposal_id}/").status_code == 404
    )
    assert (
        client_for(other_volunteer)
        .post(f"/api/session-proposals/{proposal_id}/approve/")
        .status_code
        == 403
    )
    mine = client_for(host).get("/api/session-proposals/").json()["results"]
    assert [p["id"] for p in mine] == [proposal_id]
    theirs = client_for(staff).get("/api/session-proposals/").json()["results"]
    assert [p["id"] for p in theirs] == [proposal_id]


def test_a_session_with_children_needs_the_hosts_certificate(
    client_for: Any, branch: Any, staff: User, host: User
) -> None:
    proposal_id = propose(client_for(host), branch, children_under_15=True).json()["id"]
    response = client_for(staff).post(f"/api/session-proposals/{proposal_id}/approve/")
    assert response.status_code == 400
    assert response.json()["code"] == "certificate_missing"
    assert SessionProposal.objects.get(pk=proposal_id).status == "pending"


def test_room_taken_at_approval_is_409_and_nothing_is_written(
    client_for: Any, branch: Any, staff: User, host: User, room: Any
) -> None:
    from events.models import Event
    from rooms.services import room_occupy

    proposal_id = propose(client_for(host), branch, room).json()["id"]
    room_occupy(room=room, start=at(DAY, 11), end=at(DAY, 13), title="Koncert", actor=staff)
    response = client_for(staff).post(f"/api/session-proposals/{proposal_id}/approve/")
    assert response.status_code == 409
    assert SessionProposal.objects.get(pk=proposal_id).status == "pending"
    assert not Event.objects.filter(host=host).exists()


def test_proposal_needs_a_track_and_a_volunteer(
    client_for: Any, branch: Any, host: User, citizen: User
) -> None:
    response = propose(client_for(host), branch, tracks=[])
    assert response.status_code == 400 and response.json()["field"] == "tracks"
    assert propose(client_for(citizen), branch).status_code == 403
