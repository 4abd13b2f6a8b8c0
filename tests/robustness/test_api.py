"""Bad input to the API gets a 400/404 with a sentence a person can read, never a 500,
and nothing is half-written. Found by fuzzing the schema at /api/schema/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from core.models import User
from core.timeutils import local_today
from events.models import Event, EventSeries, Registration
from tests.events.factories import make_event, make_person, make_registration
from tests.volunteers.factories import at, make_activity, make_shift, make_signup, make_volunteer
from volunteers.models import SessionProposal

HUGE = 2**63  # one more than the database's bigint holds
pytestmark = pytest.mark.django_db


def assert_readable(response: Any, status: int) -> str:
    """The status, and a ``detail`` that is a sentence, not a traceback or a dump."""
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert len(detail.split()) >= 3, detail
    assert "Traceback" not in detail and "{" not in detail
    return detail


def _start() -> str:
    return at(local_today() + timedelta(days=10), 10).isoformat()


def _end() -> str:
    return at(local_today() + timedelta(days=10), 12).isoformat()


# --- events ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["99999999999999999999999", "-3", "0", "abc"])
def test_event_list_refuses_a_series_that_is_no_id(api: APIClient, value: str) -> None:
    response = api.get("/api/events/", {"series": value})
    assert "series" in assert_readable(response, 400)


@pytest.mark.parametrize("value", ["garbage", "2027-03-28T02:30:00", "2026-13-45T10:00:00+01:00"])
def test_event_list_refuses_garbage_and_naive_times(api: APIClient, value: str) -> None:
    response = api.get("/api/events/", {"start_after": value})
    assert "start_after" in assert_readable(response, 400)


@pytest.mark.parametrize("capacity", [HUGE, 10**30])
def test_event_create_with_an_absurd_capacity_is_a_400_and_writes_nothing(
    client_for: Any, branch: Any, staff: User, capacity: int
) -> None:
    body = {"title": "Strikkecafé", "branch": branch.slug, "start": _start(), "end": _end()}
    response = client_for(staff).post("/api/events/", {**body, "capacity": capacity}, format="json")
    assert assert_readable(response, 400).startswith("capacity:")
    assert not Event.objects.exists() and not EventSeries.objects.exists()


def test_event_update_with_an_absurd_capacity_leaves_the_event(
    client_for: Any, branch: Any, staff: User
) -> None:
    event = make_event(branch=branch, capacity=10)
    response = client_for(staff).patch(
        f"/api/events/{event.pk}/", {"title": "Nyt navn", "capacity": HUGE}, format="json"
    )
    assert_readable(response, 400)
    event.refresh_from_db()
    assert (event.title, event.capacity) != ("Nyt navn", HUGE) and event.capacity == 10


def test_series_create_with_an_absurd_capacity_is_a_400(
    client_for: Any, branch: Any, staff: User
) -> None:
    body = {
        "title": "Lektiecafé",
        "branch": branch.slug,
        "start": _start(),
        "end": _end(),
        "rrule": "FREQ=WEEKLY;COUNT=3",
        "capacity": HUGE,
    }
    response = client_for(staff).post("/api/event-series/", body, format="json")
    assert_readable(response, 400)
    assert not EventSeries.objects.exists()


def test_series_update_with_an_absurd_capacity_is_a_400(
    client_for: Any, branch: Any, staff: User
) -> None:
    event = make_event(branch=branch, capacity=10)
    response = client_for(staff).patch(
        f"/api/event-series/{event.series_id}/", {"capacity": HUGE}, format="json"
    )
    assert_readable(response, 400)
    event.refresh_from_db()
    assert event.capacity == 10


def test_attendance_with_an_absurd_count_is_a_400(
    client_for: Any, branch: Any, staff: User
) -> None:
    event = make_event(branch=branch, capacity=None, registration_required=False)
    response = client_for(staff).post(
        f"/api/events/{event.pk}/attendance/", {"attendance_count": HUGE}, format="json"
    )
    assert_readable(response, 400)
    event.refresh_from_db()
    assert event.attendance_count is None


@pytest.mark.parametrize("body", ["{not json", "[]", "null", '"text"'])
def test_registration_with_a_body_that_is_no_object_is_a_400(
    client_for: Any, branch: Any, citizen: User, body: str
) -> None:
    event = make_event(branch=branch)
    response = client_for(citizen).post(
        f"/api/events/{event.pk}/registrations/", body, content_type="application/json"
    )
    assert_readable(response, 400)
    assert not Registration.objects.exists()


def test_someone_elses_registration_is_a_404(client_for: Any, branch: Any) -> None:
    registration = make_registration(event=make_event(branch=branch))
    response = client_for(make_person()).post(
        f"/api/registrations/{registration.pk}/cancel/", {}, format="json"
    )
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.cancelled_at is None


# --- volunteers ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "abc"])
def test_shift_list_refuses_an_activity_that_is_no_id(
    client_for: Any, branch: Any, value: str
) -> None:
    response = client_for(make_volunteer(branches=[branch])).get(
        "/api/shifts/", {"activity": value}
    )
    assert "activity" in assert_readable(response, 400)


def test_proposal_with_an_absurd_capacity_is_a_400_and_writes_nothing(
    client_for: Any, branch: Any
) -> None:
    volunteer = make_volunteer(branches=[branch])
    body = {
        "title": "Sy dit eget",
        "branch": branch.slug,
        "start": _start(),
        "end": _end(),
        "capacity": HUGE,
    }
    response = client_for(volunteer).post("/api/session-proposals/", body, format="json")
    assert assert_readable(response, 400).startswith("capacity:")
    assert not SessionProposal.objects.exists()


def test_someone_elses_sign_up_is_a_404(client_for: Any, branch: Any) -> None:
    shift = make_shift(activity=make_activity(branch=branch))
    signup = make_signup(shift=shift, volunteer=make_volunteer(branches=[branch]))
    other = make_volunteer(branches=[branch])
    response = client_for(other).post(f"/api/shift-signups/{signup.pk}/withdraw/")
    assert response.status_code == 404
    signup.refresh_from_db()
    assert signup.status == "signed_up"


@pytest.mark.parametrize("start", ["2027-03-28T02:30:00", "2026-12-08T10:00:00"])
def test_shift_create_refuses_a_time_without_offset(
    client_for: Any, branch: Any, staff: User, start: str
) -> None:
    """A naive time is not guessed: 02:30 on the last Sunday of March does not exist here."""
    activity = make_activity(branch=branch)
    body = {"activity": activity.pk, "start": start, "end": "2027-03-28T05:00:00+02:00"}
    response = client_for(staff).post("/api/shifts/", body, format="json")
    assert assert_readable(response, 400).startswith("start:")
    assert not activity.shifts.exists()


def test_proposal_refuses_a_time_in_the_dst_gap_without_offset(
    client_for: Any, branch: Any
) -> None:
    body = {
        "title": "Påskeklip",
        "branch": branch.slug,
        "start": "2027-03-28T02:30:00",
        "end": "2027-03-28T04:00:00+02:00",
    }
    response = client_for(make_volunteer(branches=[branch])).post(
        "/api/session-proposals/", body, format="json"
    )
    assert assert_readable(response, 400).startswith("start:")
    assert not SessionProposal.objects.exists()


def test_someone_elses_sign_up_is_a_404_even_with_bad_hours(client_for: Any, branch: Any) -> None:
    """Whether the input is valid is nobody's business until the sign-up is yours."""
    shift = make_shift(activity=make_activity(branch=branch))
    signup = make_signup(shift=shift, volunteer=make_volunteer(branches=[branch]))
    other = client_for(make_volunteer(branches=[branch]))
    response = other.post(
        f"/api/shift-signups/{signup.pk}/report/", {"hours": "abc"}, format="json"
    )
    assert response.status_code == 404
    signup.refresh_from_db()
    assert signup.reported_hours is None
