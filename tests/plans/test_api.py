"""The plan API: coverage shape and numbers, plans, initiatives with branch-scoped writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from core.models import AuditLog, Role, Track
from tests.factories import make_branch, make_partner
from tests.plans.conftest import NOW, YEAR, World, build_world
from tests.plans.factories import (
    make_event,
    make_initiative,
    make_person,
    make_plan,
    make_registration,
)

TRACK_KEYS = {
    "track",
    "target_initiatives",
    "initiatives",
    "events_held",
    "events_cancelled",
    "events_planned",
    "registrations",
    "attendance",
    "volunteer_hours",
    "partners",
    "audiences",
    "audience_participants",
    "by_branch",
}


@time_machine.travel(NOW, tick=False)
def test_coverage_shape_and_numbers(api, world: World) -> None:
    response = api.get("/api/coverage/", {"year": YEAR})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"year", "quarter", "branch", "tracks", "gaps"}
    assert (data["year"], data["quarter"], data["branch"]) == (YEAR, None, None)
    assert len(data["tracks"]) == Track.objects.count() == 7
    exp = world.expected
    by_slug = {t["track"]: t for t in data["tracks"]}
    for track in world.tracks:
        row = by_slug[track.slug]
        assert set(row) == TRACK_KEYS
        assert row["target_initiatives"] == 3
        mine = lambda d, slug=track.slug: sum(v for (t, _b, _q), v in d.items() if t == slug)  # noqa: E731
        assert row["events_held"] == mine(exp.held)
        assert row["events_planned"] == mine(exp.planned)
        assert row["events_cancelled"] == mine(exp.cancelled)
        assert row["registrations"] == mine(exp.registrations)
        assert row["attendance"] == mine(exp.attendance)
        assert row["volunteer_hours"] == float(mine(exp.hours))
        partners = set().union(*[v for (t, _b, _q), v in exp.partners.items() if t == track.slug])
        assert row["partners"] == len(partners)
        audiences = set().union(*[v for (t, _b, _q), v in exp.audiences.items() if t == track.slug])
        assert row["audiences"] == sorted(audiences)
        branch_rows = {b["branch"]: b for b in row["by_branch"]}
        assert set(branch_rows["gadstrup"]) == {
            "branch",
            "events_held",
            "events_planned",
            "attendance",
            "initiatives",
            "audience_participants",
        }
        # Participants per audience, per track and per branch and track.
        want: dict[str, int] = {}
        for (t, _b, _q, a), n in exp.audience_participants.items():
            if t == track.slug:
                want[a] = want.get(a, 0) + n
        got = {r["audience"]: r["participants"] for r in row["audience_participants"]}
        assert got == want
        for branch in world.branches:
            want_b: dict[str, int] = {}
            for (t, b, _q, a), n in exp.audience_participants.items():
                if t == track.slug and b == branch.slug:
                    want_b[a] = want_b.get(a, 0) + n
            rows_b = branch_rows[branch.slug]["audience_participants"]
            assert {r["audience"]: r["participants"] for r in rows_b} == want_b
        assert branch_rows["gadstrup"]["events_held"] == sum(
            exp.held[(track.slug, "gadstrup", q)] for q in (1, 2, 3, 4)
        )
    assert any(row["audience_participants"] for row in data["tracks"])  # the world has some
    for gap in data["gaps"]:
        assert set(gap) == {"track", "branch", "quarter", "message"}
    assert (
        "Digitale forbindelser: 1 af 3 indsatser i handleplanen for 2027 (opgivne tæller ikke med)"
        in [g["message"] for g in data["gaps"]]
    )


@time_machine.travel(NOW, tick=False)
def test_coverage_for_one_quarter_and_branch(api, world: World) -> None:
    data = api.get("/api/coverage/", {"year": YEAR, "quarter": 2, "branch": "jyllinge"}).json()
    assert (data["quarter"], data["branch"]) == (2, "jyllinge")
    for row in data["tracks"]:
        assert row["events_held"] == world.expected.held[(row["track"], "jyllinge", 2)]
        assert [b["branch"] for b in row["by_branch"]] == ["jyllinge"]
    assert all(g["branch"] in (None, "jyllinge") for g in data["gaps"])
    assert all(g["quarter"] in (None, 2) for g in data["gaps"])


@pytest.mark.parametrize(
    "params",
    [{"year": "twenty"}, {"year": 2027, "quarter": 5}, {"year": 2027, "branch": "atlantis"}],
)
def test_coverage_bad_input_is_400(api, db: None, params: dict) -> None:
    response = api.get("/api/coverage/", params)
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize("per_branch", [1, 10])
def test_coverage_query_count_is_constant(
    api, db: None, django_assert_num_queries, per_branch: int
) -> None:
    build_world(events_per_branch=per_branch)
    # The seven coverage queries (see plans.selectors.coverage), three more on PostgreSQL for
    # the counting statement's transaction; anonymous: no session query.
    with django_assert_num_queries(7 + (3 if connection.vendor == "postgresql" else 0)):
        assert api.get("/api/coverage/", {"year": YEAR}).status_code == 200


def test_plan_list_shows_drafts_to_staff(client_for, db: None) -> None:
    make_plan(year=2027, period="2027–2030")
    make_plan(year=2028, is_draft=True)
    staff = make_person(role=Role.STAFF, branches=[make_branch(name="Roskilde", slug="roskilde")])
    data = client_for(staff).get("/api/plans/").json()
    assert [(p["year"], p["period"], p["is_draft"]) for p in data["results"]] == [
        (2028, "2027–2030", True),
        (2027, "2027–2030", False),
    ]


def test_plan_list_hides_drafts_from_anonymous_and_citizens(api, client_for, db: None) -> None:
    make_plan(year=2027, period="2027–2030")
    make_plan(year=2028, is_draft=True)
    citizen = make_person(role=Role.CITIZEN)
    for client in (api, client_for(citizen)):
        data = client.get("/api/plans/").json()
        assert [(p["year"], p["is_draft"]) for p in data["results"]] == [(2027, False)]


@pytest.fixture
def draft_setup(db: None) -> dict:
    roskilde = make_branch(name="Roskilde", slug="roskilde")
    hygge = Track.objects.get(slug="hygge")
    adopted = make_plan(year=2027)
    draft = make_plan(year=2028, is_draft=True)
    make_initiative(plan=adopted, title="Strikkecafé", tracks=[hygge], branches=[roskilde])
    secret = make_initiative(
        plan=draft, title="Læsekredse for unge", tracks=[hygge], branches=[roskilde]
    )
    return {
        "roskilde": roskilde,
        "secret": secret,
        "staff": make_person(role=Role.STAFF, branches=[roskilde]),
        "citizen": make_person(role=Role.CITIZEN),
    }


def test_draft_initiatives_are_hidden_from_anonymous_and_citizens(
    api, client_for, draft_setup: dict
) -> None:
    secret = draft_setup["secret"]
    for client in (api, client_for(draft_setup["citizen"])):
        assert client.get("/api/initiatives/", {"year": 2028}).json()["results"] == []
        titles = [i["title"] for i in client.get("/api/initiatives/").json()["results"]]
        assert titles == ["Strikkecafé"]
        assert client.get(f"/api/initiatives/{secret.pk}/").status_code == 404
        response = client.get("/api/coverage/", {"year": 2028})
        assert response.status_code == 403
        assert "2028" in response.json()["detail"]
        # The adopted year's coverage stays public.
        assert client.get("/api/coverage/", {"year": 2027}).status_code == 200


def test_staff_see_draft_initiatives_and_coverage(client_for, draft_setup: dict) -> None:
    client = client_for(draft_setup["staff"])
    titles = [i["title"] for i in client.get("/api/initiatives/", {"year": 2028}).json()["results"]]
    assert titles == ["Læsekredse for unge"]
    assert client.get(f"/api/initiatives/{draft_setup['secret'].pk}/").status_code == 200
    response = client.get("/api/coverage/", {"year": 2028})
    assert response.status_code == 200
    hygge = next(t for t in response.json()["tracks"] if t["track"] == "hygge")
    assert hygge["initiatives"] == 1


@pytest.fixture
def setup(db: None) -> dict:
    roskilde = make_branch(name="Roskilde", slug="roskilde")
    viby = make_branch(name="Viby", slug="viby")
    plan = make_plan(year=2027)
    staff = make_person(role=Role.STAFF, branches=[roskilde])
    hygge = Track.objects.get(slug="hygge")
    digital = Track.objects.get(slug="digitale-forbindelser")
    return {
        "roskilde": roskilde,
        "viby": viby,
        "plan": plan,
        "staff": staff,
        "hygge": hygge,
        "digital": digital,
    }


def test_initiative_list_filters(api, setup: dict, django_assert_num_queries) -> None:
    s = setup
    a = make_initiative(plan=s["plan"], tracks=[s["hygge"]], branches=[s["roskilde"]])
    b = make_initiative(plan=s["plan"], tracks=[s["digital"]], branches=[s["viby"]], status="done")
    other_year = make_initiative(
        plan=make_plan(year=2026), tracks=[s["hygge"]], branches=[s["viby"]]
    )
    ids = lambda r: {i["id"] for i in r.json()["results"]}  # noqa: E731
    assert ids(api.get("/api/initiatives/", {"year": 2027})) == {a.pk, b.pk}
    assert ids(api.get("/api/initiatives/", {"track": "hygge"})) == {a.pk, other_year.pk}
    assert ids(api.get("/api/initiatives/", {"year": 2027, "branch": "viby"})) == {b.pk}
    assert ids(api.get("/api/initiatives/", {"status": "done"})) == {b.pk}
    assert api.get("/api/initiatives/", {"status": "maybe"}).status_code == 400
    row = api.get(f"/api/initiatives/{a.pk}/").json()
    assert row["tracks"] == ["hygge"] and row["branches"] == ["roskilde"] and row["year"] == 2027
    assert row["responsible"] is None  # names only for staff


def test_initiative_list_query_count(api, setup: dict, django_assert_num_queries) -> None:
    s = setup
    for size in (2, 6):
        while len(api.get("/api/initiatives/").json()["results"]) < size:
            i = make_initiative(
                plan=s["plan"],
                tracks=[s["hygge"], s["digital"]],
                branches=[s["roskilde"]],
                partners=[make_partner()],
            )
            i.events.add(make_event(branch=s["roskilde"], start=NOW, tracks=[s["hygge"]]))
        # 1 count, 2 page of initiatives with plan and responsible, 3 tracks, 4 branches,
        # 5 partners, 6 events, 7 series.
        with django_assert_num_queries(7):
            assert len(api.get("/api/initiatives/").json()["results"]) == size


def test_staff_create_for_own_branch(client_for, setup: dict) -> None:
    s = setup
    partner = make_partner()
    response = client_for(s["staff"]).post(
        "/api/initiatives/",
        {
            "year": 2027,
            "title": "Hyggeaftener",
            "quarters": [3, 1],
            "tracks": ["hygge"],
            "branches": ["roskilde"],
            "partners": [partner.pk],
            "responsible": s["staff"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["quarters"] == [1, 3]
    assert data["status"] == "planned"
    assert data["responsible"]["name"] == s["staff"].name
    assert AuditLog.objects.filter(action="initiative.created", target_id=str(data["id"])).exists()


def test_staff_cannot_create_for_another_branch(client_for, setup: dict) -> None:
    s = setup
    response = client_for(s["staff"]).post(
        "/api/initiatives/",
        {"year": 2027, "title": "X", "quarters": [1], "tracks": ["hygge"], "branches": ["viby"]},
        format="json",
    )
    assert response.status_code == 403
    assert "Viby" in response.json()["detail"]


def test_citizen_and_anonymous_cannot_write(api, client_for, setup: dict) -> None:
    body = {
        "year": 2027,
        "title": "X",
        "quarters": [1],
        "tracks": ["hygge"],
        "branches": ["roskilde"],
    }
    assert api.post("/api/initiatives/", body, format="json").status_code in (401, 403)
    assert (
        client_for(make_person()).post("/api/initiatives/", body, format="json").status_code == 403
    )


def test_bad_initiative_input_is_400(client_for, setup: dict) -> None:
    client = client_for(setup["staff"])
    for body in [
        {
            "year": 2031,
            "title": "X",
            "quarters": [1],
            "tracks": ["hygge"],
            "branches": ["roskilde"],
        },
        {
            "year": 2027,
            "title": "X",
            "quarters": [5],
            "tracks": ["hygge"],
            "branches": ["roskilde"],
        },
        {"year": 2027, "title": "X", "quarters": [], "tracks": ["hygge"], "branches": ["roskilde"]},
        {"year": 2027, "title": "X", "quarters": [1], "tracks": ["nope"], "branches": ["roskilde"]},
        {"year": 2027, "title": "", "quarters": [1], "tracks": ["hygge"], "branches": ["roskilde"]},
    ]:
        response = client.post("/api/initiatives/", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["detail"]


def test_patch_own_initiative(client_for, setup: dict) -> None:
    s = setup
    initiative = make_initiative(plan=s["plan"], tracks=[s["hygge"]], branches=[s["roskilde"]])
    response = client_for(s["staff"]).patch(
        f"/api/initiatives/{initiative.pk}/",
        {"status": "done", "evaluation": "Godt besøgt."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    assert response.json()["evaluation"] == "Godt besøgt."
    entry = AuditLog.objects.get(action="initiative.changed", target_id=str(initiative.pk))
    assert entry.data["status"] == {"old": "planned", "new": "done"}


def test_patch_someone_elses_initiative_is_403(client_for, setup: dict) -> None:
    s = setup
    theirs = make_initiative(plan=s["plan"], tracks=[s["hygge"]], branches=[s["viby"]])
    response = client_for(s["staff"]).patch(
        f"/api/initiatives/{theirs.pk}/", {"status": "dropped"}, format="json"
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "planned"
    assert (
        client_for(s["staff"]).patch("/api/initiatives/999999/", {}, format="json").status_code
        == 404
    )


def test_shared_initiative_staff_may_not_remove_other_branches(client_for, setup: dict) -> None:
    s = setup
    shared = make_initiative(
        plan=s["plan"], tracks=[s["hygge"]], branches=[s["roskilde"], s["viby"]]
    )
    client = client_for(s["staff"])
    url = f"/api/initiatives/{shared.pk}/"
    assert client.patch(url, {"title": "Fælles"}, format="json").status_code == 200
    response = client.patch(url, {"branches": ["roskilde"]}, format="json")
    assert response.status_code == 403
    assert set(shared.branches.values_list("slug", flat=True)) == {"roskilde", "viby"}
    admin = make_person(role=Role.ADMINISTRATOR)
    assert (
        client_for(admin).patch(url, {"branches": ["roskilde"]}, format="json").status_code == 200
    )


@time_machine.travel(NOW, tick=False)
def test_anonymising_registrations_keeps_api_numbers(api, setup: dict) -> None:
    s = setup
    people = [make_person() for _ in range(3)]
    event = make_event(branch=s["roskilde"], start=NOW - timedelta(days=3), tracks=[s["hygge"]])
    for person in people:
        make_registration(event=event, user=person, seats=2, checked_in=True)
    before = api.get("/api/coverage/", {"year": YEAR}).json()
    for person in people:  # the retention job deletes the people; their registrations stay
        person.delete()
    after = api.get("/api/coverage/", {"year": YEAR}).json()
    assert before["tracks"] == after["tracks"]
    hygge = next(t for t in after["tracks"] if t["track"] == "hygge")
    assert (hygge["registrations"], hygge["attendance"]) == (6, 6)
