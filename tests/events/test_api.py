"""The events API: exact paths and fields other tools depend on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from core.models import Audience, Track
from events.models import Event, EventState, Registration
from tests.events.factories import make_event, make_person, make_registration, make_staff
from tests.factories import make_branch

pytestmark = pytest.mark.django_db

RESULT_FIELDS = {
    "id",
    "series",
    "title",
    "description",
    "start",
    "end",
    "branch",
    "room",
    "tracks",
    "audiences",
    "capacity",
    "seats_available",
    "state",
}


def _many_events(n: int, branch: Any) -> None:
    tracks = list(Track.objects.all()[:3])
    audiences = list(Audience.objects.all()[:2])
    for i in range(n):
        event = make_event(branch=branch, capacity=5, tracks=None)
        event.tracks.set(tracks[: 1 + i % 3])
        event.audiences.set(audiences)
        make_registration(event=event, seats=2)


@pytest.mark.parametrize("size", [2, 12])
def test_event_list_query_count_does_not_grow(
    api: Any, django_assert_num_queries: Any, size: int
) -> None:
    _many_events(size, make_branch())
    # 1 the page of events with the branch's slug joined, and as subqueries the seat
    #   counts, the tracks and audiences of each, and the count for the pagination
    #   (events.selectors_list.event_list_page)
    with django_assert_num_queries(1):
        response = api.get("/api/events/")
    assert response.status_code == 200
    assert response.data["count"] == size
    assert len(response.data["results"]) == size


def test_event_list_fields_and_filters(api: Any) -> None:
    roskilde = make_branch(slug="roskilde-x")
    other = make_branch()
    soon = timezone.now() + timedelta(days=2)
    knit = make_event(
        branch=roskilde, title="Strikkecafé", capacity=2, start=soon, tracks=["hygge"]
    )
    knit.audiences.set(Audience.objects.filter(slug="aeldre"))
    make_registration(event=knit, seats=2)
    it = make_event(branch=other, title="IT-hjælp", tracks=["digitale-forbindelser"])
    make_event(branch=other, title="Kladde", state=EventState.DRAFT)

    data = api.get("/api/events/").json()
    assert {"count", "next", "previous", "results"} <= set(data)
    assert [r["title"] for r in data["results"]] == ["Strikkecafé", "IT-hjælp"]  # no drafts
    first = data["results"][0]
    assert set(first) == RESULT_FIELDS
    assert first["branch"] == "roskilde-x"
    assert first["tracks"] == ["hygge"]
    assert first["audiences"] == ["aeldre"]
    assert first["seats_available"] == 0
    assert first["state"] == "sold_out"
    assert first["room"] is None
    assert first["series"] == knit.series_id
    assert first["start"].endswith("+01:00")  # local time with offset (winter)

    def titles(query: str) -> list[str]:
        response = api.get(f"/api/events/?{query}")
        assert response.status_code == 200, response.data
        return [r["title"] for r in response.json()["results"]]

    assert titles("branch=roskilde-x") == ["Strikkecafé"]
    assert titles("track=digitale-forbindelser") == ["IT-hjælp"]
    assert titles("audience=aeldre") == ["Strikkecafé"]
    assert titles(f"series={it.series_id}") == ["IT-hjælp"]
    assert titles("q=strik") == ["Strikkecafé"]
    before = (soon + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert titles(f"start_before={before}") == ["Strikkecafé"]
    assert titles(f"start_after={before}") == ["IT-hjælp"]
    assert api.get("/api/events/?start_after=tomorrow").status_code == 400
    assert api.get("/api/events/?series=x").status_code == 400


def test_held_state_and_detail(api: Any) -> None:
    past = make_event(start=timezone.now() - timedelta(days=3))
    response = api.get(f"/api/events/{past.pk}/")
    assert response.status_code == 200
    assert response.data["state"] == "held"
    draft = make_event(state=EventState.DRAFT)
    assert api.get(f"/api/events/{draft.pk}/").status_code == 404


def test_register_confirmed_then_waitlisted_and_own_list(client_for: Any) -> None:
    event = make_event(capacity=2)
    alice, bob = make_person(), make_person()
    r1 = client_for(alice).post(f"/api/events/{event.pk}/registrations/", {"seats": 2})
    assert r1.status_code == 201
    assert r1.json() == {
        "id": r1.json()["id"],
        "status": "confirmed",
        "seats": 2,
        "waitlist_position": None,
    }
    r2 = client_for(bob).post(f"/api/events/{event.pk}/registrations/", {"seats": 1})
    assert r2.status_code == 201
    assert (r2.json()["status"], r2.json()["waitlist_position"]) == ("waitlisted", 1)
    again = client_for(bob).post(f"/api/events/{event.pk}/registrations/", {"seats": 1})
    assert again.status_code == 409
    assert again.json()["code"] == "already_registered"
    too_many = client_for(make_person()).post(
        f"/api/events/{event.pk}/registrations/", {"seats": 0}
    )
    assert too_many.status_code == 400

    mine = client_for(alice).get("/api/registrations/").json()
    assert mine["count"] == 1
    assert mine["results"][0]["event"] == event.pk
    # Someone else's registration is a 404; the owner may cancel, which promotes bob.
    other = client_for(bob).post(f"/api/registrations/{r1.json()['id']}/cancel/")
    assert other.status_code == 404
    cancelled = client_for(alice).post(f"/api/registrations/{r1.json()['id']}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert Registration.objects.get(pk=r2.json()["id"]).status == "confirmed"


def test_anonymous_cannot_register(api: Any) -> None:
    event = make_event()
    assert api.post(f"/api/events/{event.pk}/registrations/", {"seats": 1}).status_code in (
        401,
        403,
    )


def test_staff_create_series_patch_cancel_and_check_in(client_for: Any) -> None:
    branch = make_branch(slug="jyllinge-x")
    staff = make_staff(branch)
    api = client_for(staff)
    with time_machine.travel("2027-02-01T09:00:00+01:00"):
        created = api.post(
            "/api/event-series/",
            {
                "title": "Sprogcafé",
                "branch": "jyllinge-x",
                "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
                "start": "2027-03-02T16:00:00+01:00",
                "end": "2027-03-02T18:00:00+01:00",
                "tracks": ["indgang-til-faellesskab"],
                "capacity": 12,
                "state": "published",
            },
            format="json",
        )
        assert created.status_code == 201, created.json()
        events = created.json()["events"]
        assert [e["start"] for e in events] == [
            "2027-03-02T16:00:00+01:00",
            "2027-03-09T16:00:00+01:00",
            "2027-03-16T16:00:00+01:00",
            "2027-03-23T16:00:00+01:00",
        ]
        series_id = created.json()["id"]
        patched = api.patch(f"/api/event-series/{series_id}/", {"capacity": 15}, format="json")
        assert patched.status_code == 200, patched.json()
        assert {e["capacity"] for e in patched.json()["events"]} == {15}
        bad = api.post(
            "/api/event-series/",
            {
                "title": "x",
                "branch": "jyllinge-x",
                "rrule": "FREQ=HOURLY;COUNT=3",
                "start": "2027-03-02T16:00:00+01:00",
                "end": "2027-03-02T18:00:00+01:00",
            },
            format="json",
        )
        assert bad.status_code == 400
        assert bad.json()["field"] == "rrule"

        one = api.post(
            "/api/events/",
            {
                "title": "Forfatteraften",
                "branch": "jyllinge-x",
                "start": "2027-03-04T19:00:00+01:00",
                "end": "2027-03-04T21:00:00+01:00",
                "tracks": ["fordybelse"],
                "state": "published",
                "capacity": 1,
            },
            format="json",
        )
        assert one.status_code == 201, one.json()
        event_id = one.json()["id"]
        moved = api.patch(
            f"/api/events/{event_id}/", {"start": "2027-03-04T18:00:00+01:00"}, format="json"
        )
        assert moved.status_code == 200
        assert moved.json()["sequence"] == 1
        naive = api.patch(f"/api/events/{event_id}/", {"start": "2027-03-04T18:00"}, format="json")
        assert naive.status_code == 400

        citizen = make_person()
        reg = client_for(citizen).post(f"/api/events/{event_id}/registrations/", {"seats": 1})
        reg_id = reg.json()["id"]
        # Citizens cannot create events or check in.
        assert client_for(citizen).post("/api/events/", {}, format="json").status_code == 403
    with time_machine.travel("2027-03-04T18:05:00+01:00"):
        assert client_for(citizen).post(f"/api/registrations/{reg_id}/check-in/").status_code == 403
        other_staff = make_staff(make_branch())
        assert (
            client_for(other_staff).post(f"/api/registrations/{reg_id}/check-in/").status_code
            == 404
        )
        checked = api.post(f"/api/registrations/{reg_id}/check-in/")
        assert checked.status_code == 200
        assert checked.json()["checked_in_at"]
        listed = api.get(f"/api/events/{event_id}/registrations/").json()
        assert listed[0]["name"] == citizen.name
    with time_machine.travel("2027-02-01T09:00:00+01:00"):
        cancelled = api.post(f"/api/events/{events[1]['id']}/cancel/", {"reason": "Sygdom"})
        assert cancelled.status_code == 200
        assert cancelled.json()["state"] == "cancelled"
        # Staff of another branch cannot cancel.
        assert (
            client_for(other_staff).post(f"/api/events/{events[2]['id']}/cancel/").status_code
            == 404
        )
        assert Event.objects.get(pk=events[2]["id"]).state == "published"
