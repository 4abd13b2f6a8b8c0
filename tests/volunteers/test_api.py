"""The volunteers API: exact paths, fields and status codes from the issue."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine

from core.models import Role, User
from core.timeutils import local_today
from tests.factories import make_branch, make_user
from tests.volunteers.factories import at, make_activity, make_shift, make_signup, make_volunteer
from volunteers.models import ShiftSignup, VolunteerProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(branch: Any) -> User:
    return make_volunteer(branches=[branch])


def test_shift_list_fields_and_filters(client_for: Any, branch: Any, volunteer: User) -> None:
    day = local_today() + timedelta(days=3)
    activity = make_activity(branch=branch)
    full = make_shift(activity=activity, start=at(day, 10), needed=1)
    make_signup(shift=full, volunteer=make_volunteer(branches=[branch]))
    open_shift = make_shift(activity=activity, start=at(day, 14), needed=2)
    elsewhere = make_shift(activity=make_activity(branch=make_branch()), start=at(day, 14))
    api = client_for(volunteer)
    response = api.get("/api/shifts/", {"branch": branch.slug})
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert {"id", "activity", "branch", "start", "end", "needed", "taken", "room"} <= set(first)
    assert first["id"] == full.pk and first["taken"] == 1 and first["branch"] == branch.slug
    assert first["start"].endswith("+01:00")
    ids = [r["id"] for r in api.get("/api/shifts/", {"open": "true"}).json()["results"]]
    assert ids == [open_shift.pk, elsewhere.pk]
    ids = [
        r["id"]
        for r in api.get(
            "/api/shifts/",
            {
                "activity": activity.pk,
                "start_after": at(day, 12).isoformat(),
                "start_before": at(day, 20).isoformat(),
            },
        ).json()["results"]
    ]
    assert ids == [open_shift.pk]


@pytest.mark.parametrize("size", [3, 12])
def test_shift_list_query_count(
    client_for: Any, branch: Any, volunteer: User, django_assert_num_queries: Any, size: int
) -> None:
    activity = make_activity(branch=branch)
    for i in range(size):
        shift = make_shift(activity=activity, start=at(local_today() + timedelta(days=i + 1), 10))
        make_signup(shift=shift, volunteer=make_volunteer())
    api = client_for(volunteer)
    with django_assert_num_queries(2):
        # 1. count for the paginator; 2. the page of shifts with activity, branch and taken
        response = api.get("/api/shifts/")
    assert response.json()["count"] == size


@pytest.mark.parametrize("size", [2, 8])
def test_my_signups_query_count(
    client_for: Any, branch: Any, volunteer: User, django_assert_num_queries: Any, size: int
) -> None:
    activity = make_activity(branch=branch)
    for i in range(size):
        shift = make_shift(activity=activity, start=at(local_today() + timedelta(days=i + 1), 10))
        make_signup(shift=shift, volunteer=volunteer)
    api = client_for(volunteer)
    with django_assert_num_queries(2):
        # 1. count; 2. the sign-ups with shift, activity, branch and room joined
        response = api.get("/api/shift-signups/")
    assert len(response.json()["results"]) == size


@pytest.mark.parametrize("size", [2, 6])
def test_activity_list_query_count(
    client_for: Any, branch: Any, volunteer: User, django_assert_num_queries: Any, size: int
) -> None:
    from core.models import Track

    for _ in range(size):
        make_activity(branch=branch, tracks=list(Track.objects.all()[:2]))
    api = client_for(volunteer)
    with django_assert_num_queries(4):
        # 1. count; 2. activities with branch and coordinator; 3. their tracks; 4. audiences
        response = api.get("/api/activities/", {"branch": branch.slug})
    rows = response.json()["results"]
    assert len(rows) == size
    assert {"id", "name", "branch", "tracks", "children_under_15"} <= set(rows[0])
    assert len(rows[0]["tracks"]) == 2


def test_sign_up_201_then_full_409(client_for: Any, branch: Any, volunteer: User) -> None:
    shift = make_shift(activity=make_activity(branch=branch), needed=1)
    response = client_for(volunteer).post(f"/api/shifts/{shift.pk}/signups/")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "shift", "status"}
    assert body["shift"] == shift.pk and body["status"] == "signed_up"
    other = make_volunteer(branches=[branch])
    response = client_for(other).post(f"/api/shifts/{shift.pk}/signups/")
    assert response.status_code == 409
    assert response.json()["code"] == "shift_full"
    assert "fuld" in response.json()["detail"]


def test_sign_up_overlapping_409_says_so(client_for: Any, branch: Any, volunteer: User) -> None:
    day = local_today() + timedelta(days=2)
    a = make_shift(activity=make_activity(branch=branch, name="Sprogcafé"), start=at(day, 10))
    b = make_shift(activity=make_activity(branch=branch), start=at(day, 11))
    api = client_for(volunteer)
    assert api.post(f"/api/shifts/{a.pk}/signups/").status_code == 201
    response = api.post(f"/api/shifts/{b.pk}/signups/")
    assert response.status_code == 409
    assert response.json()["code"] == "shift_overlap"
    assert "Sprogcafé" in response.json()["detail"]


def test_certificate_paused_400_and_not_volunteer_403(
    client_for: Any, branch: Any, citizen: User
) -> None:
    child_shift = make_shift(activity=make_activity(branch=branch, children_under_15=True))
    response = client_for(make_volunteer(branches=[branch])).post(
        f"/api/shifts/{child_shift.pk}/signups/"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "certificate_missing"
    assert "børneattest" in response.json()["detail"]
    plain = make_shift(activity=make_activity(branch=branch))
    paused = make_volunteer(branches=[branch], status="paused")
    response = client_for(paused).post(f"/api/shifts/{plain.pk}/signups/")
    assert response.status_code == 400
    assert response.json()["code"] == "volunteer_paused"
    assert client_for(citizen).post(f"/api/shifts/{plain.pk}/signups/").status_code == 403
    assert ShiftSignup.objects.count() == 0


def test_withdraw_and_someone_elses_signup_is_404(
    client_for: Any, branch: Any, volunteer: User
) -> None:
    shift = make_shift(activity=make_activity(branch=branch), needed=2)
    signup_id = client_for(volunteer).post(f"/api/shifts/{shift.pk}/signups/").json()["id"]
    other = make_volunteer(branches=[branch])
    assert client_for(other).post(f"/api/shift-signups/{signup_id}/withdraw/").status_code == 404
    assert client_for(other).get("/api/shift-signups/").json()["results"] == []
    response = client_for(volunteer).post(f"/api/shift-signups/{signup_id}/withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    mine = client_for(volunteer).get("/api/shift-signups/").json()["results"]
    assert [(r["id"], r["status"]) for r in mine] == [(signup_id, "withdrawn")]


@time_machine.travel("2026-11-25 12:00 +01:00", tick=False)
def test_me_shows_certificate_expiry_and_hours(client_for: Any, branch: Any) -> None:
    person = make_volunteer(branches=[branch], certificate="clear", checked_on=date(2025, 3, 1))
    shift = make_shift(activity=make_activity(branch=branch), start=at(date(2026, 5, 5), 10))
    make_signup(shift=shift, volunteer=person, attended=True, hours="2.5")
    body = client_for(person).get("/api/volunteer/me/").json()
    assert body["certificate"]["status"] == "clear"
    assert body["certificate"]["expires_on"] == "2027-03-01"
    assert body["hours_this_year"] == "2.50"
    assert body["branches"] == [branch.slug]


def test_me_for_a_non_volunteer_is_403(client_for: Any, citizen: User) -> None:
    assert client_for(citizen).get("/api/volunteer/me/").status_code == 403


def test_staff_enrol_and_certificate(client_for: Any, branch: Any, staff: User) -> None:
    person = make_user(email="ny@example.dk", password=None)
    api = client_for(staff)
    response = api.post(
        "/api/volunteers/",
        {"email": "ny@example.dk", "branches": [branch.slug], "agreement_signed_on": "2026-11-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    person.refresh_from_db()
    assert person.role == Role.VOLUNTEER
    response = api.post(
        f"/api/volunteers/{pk}/certificate/",
        {"status": "clear", "checked_on": "2026-11-20"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["certificate"]["expires_on"] == "2028-11-20"
    response = api.post(f"/api/volunteers/{pk}/certificate/", {"status": "bogus"}, format="json")
    assert response.status_code == 400
    citizen_api = client_for(make_user(password=None))
    assert (
        citizen_api.post(
            "/api/volunteers/", {"email": "ny@example.dk", "branches": [branch.slug]}, format="json"
        ).status_code
        == 403
    )
    outsider = make_user(role=Role.STAFF, branches=[make_branch()], password=None)
    assert (
        client_for(outsider)
        .post(f"/api/volunteers/{pk}/certificate/", {"status": "none"}, format="json")
        .status_code
        == 404
    )
    assert VolunteerProfile.objects.get(pk=pk).certificate_status == "clear"


def test_staff_create_activity_and_shift_then_patch(
    client_for: Any, branch: Any, staff: User, volunteer: User
) -> None:
    api = client_for(staff)
    response = api.post(
        "/api/activities/",
        {
            "branch": branch.slug,
            "name": "Lektiecafé",
            "tracks": ["struktur-for-livet"],
            "children_under_15": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    activity_id = response.json()["id"]
    assert response.json()["children_under_15"] is True
    day = local_today() + timedelta(days=6)
    response = api.post(
        "/api/shifts/",
        {
            "activity": activity_id,
            "start": at(day, 15).isoformat(),
            "end": at(day, 17).isoformat(),
            "needed": 2,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    shift_id = response.json()["id"]
    assert response.json()["taken"] == 0
    response = api.patch(f"/api/shifts/{shift_id}/", {"needed": 3}, format="json")
    assert response.status_code == 200 and response.json()["needed"] == 3
    response = api.post(
        "/api/shifts/",
        {"activity": activity_id, "start": at(day, 17).isoformat(), "end": at(day, 15).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    # Volunteers cannot create shifts.
    assert (
        client_for(volunteer)
        .post(
            "/api/shifts/",
            {
                "activity": activity_id,
                "start": at(day, 15).isoformat(),
                "end": at(day, 17).isoformat(),
            },
            format="json",
        )
        .status_code
        == 403
    )


@pytest.mark.parametrize("size", [2, 7])
def test_proposal_list_query_count(
    client_for: Any, branch: Any, staff: User, django_assert_num_queries: Any, size: int
) -> None:
    from core.models import Track
    from volunteers.models import SessionProposal

    day = local_today() + timedelta(days=9)
    for i in range(size):
        proposal = SessionProposal.objects.create(
            volunteer=make_volunteer(branches=[branch]),
            title=f"Forslag {i}",
            branch=branch,
            start=at(day, 10),
            end=at(day, 12),
        )
        proposal.tracks.set(Track.objects.all()[:1])
    api = client_for(staff)
    with django_assert_num_queries(4):
        # 1. count (the staff member's branches are a subquery); 2. the page with branch,
        # room, volunteer and event joined; 3. their tracks; 4. their audiences
        response = api.get("/api/session-proposals/")
    assert response.json()["count"] == size


@pytest.mark.parametrize("size", [2, 7])
def test_volunteer_list_query_count(
    client_for: Any, branch: Any, staff: User, django_assert_num_queries: Any, size: int
) -> None:
    for _ in range(size):
        make_volunteer(branches=[branch])
    api = client_for(staff)
    with django_assert_num_queries(3):
        # 1. count; 2. the profiles with their users (scoped to the staff member's branches
        # in a subquery); 3. their branches
        response = api.get("/api/volunteers/")
    assert response.json()["count"] == size


def test_volunteer_changes_own_skills_but_not_certificate(client_for: Any, volunteer: User) -> None:
    api = client_for(volunteer)
    response = api.patch("/api/volunteer/me/", {"skills": "Matematik"}, format="json")
    assert response.status_code == 200 and response.json()["skills"] == "Matematik"
    assert (
        api.post(
            f"/api/volunteers/{volunteer.volunteer_profile.pk}/certificate/",
            {"status": "clear", "checked_on": "2026-01-01"},
            format="json",
        ).status_code
        == 403
    )


def test_report_and_attendance_through_the_api(
    client_for: Any, branch: Any, staff: User, volunteer: User
) -> None:
    shift = make_shift(
        activity=make_activity(branch=branch), start=at(local_today() - timedelta(days=1), 10)
    )
    signup = make_signup(shift=shift, volunteer=volunteer)
    response = client_for(volunteer).post(
        f"/api/shift-signups/{signup.pk}/report/", {"hours": "1.5"}, format="json"
    )
    assert response.status_code == 200
    response = client_for(staff).post(
        f"/api/shift-signups/{signup.pk}/attendance/", {"attended": True}, format="json"
    )
    assert response.json()["hours"] == "1.50"
    response = client_for(staff).post(
        f"/api/shift-signups/{signup.pk}/hours/",
        {"hours": "2", "note": "Hjalp med oprydning"},
        format="json",
    )
    assert response.json()["hours"] == "2.00"
    assert (
        client_for(volunteer)
        .post(f"/api/shift-signups/{signup.pk}/hours/", {"hours": "9", "note": "x"}, format="json")
        .status_code
        == 403
    )
