"""Staff pages: dashboard, drill-down, initiative forms, report downloads."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.models import Role
from plans.models import Initiative
from tests.plans.conftest import NOW, YEAR, World, build_world
from tests.plans.factories import make_event, make_person, make_registration


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@time_machine.travel(NOW, tick=False)
def test_dashboard_heatmap_gaps_and_filters(world: World) -> None:
    client = login(world.staff)
    response = client.get("/plan/", {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Handleplan 2027" in html
    # Every branch is a column and the gap list names the shortfalls in Danish.
    for branch in world.branches:
        assert branch.name in html
    assert (
        "Digitale forbindelser: 1 af 3 indsatser i handleplanen for 2027 (opgivne tæller ikke med)"
        in html
    )
    # The gap list explains that an events target counts held and planned events together.
    assert "tæller afholdte og planlagte arrangementer sammen" in html
    # Initiatives by status on Hygge: one planned (Ågerup), one in progress (Gadstrup, Jyllinge).
    assert "planlagt 1 · i gang 1 · gennemført 0 · opgivet 0" in html
    # The number in the Hygge × Gadstrup cell links to its drill-down.
    held = sum(world.expected.held[("hygge", "gadstrup", q)] for q in (1, 2, 3, 4))
    link = re.search(
        r'<a href="([^"]*track=hygge[^"]*branch=gadstrup[^"]*)"[^>]*>(\d+)',
        html.replace("&amp;", "&"),
    )
    assert link is not None and int(link.group(2)) == held
    drill = client.get(link.group(1))
    assert drill.status_code == 200
    assert drill.content.decode().count("<tr><td>") == held  # one row per event behind the number
    # Filters: one quarter and one branch.
    filtered = client.get("/plan/", {"year": YEAR, "quarter": 3, "branch": "jyllinge"})
    assert filtered.status_code == 200
    assert "Ågerup Bibliotek</th>" not in filtered.content.decode()
    # A nonsense filter falls back to this year instead of failing.
    assert client.get("/plan/", {"year": "x"}).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_dashboard_queries_do_not_grow_with_events(db: None) -> None:
    world = build_world(events_per_branch=1)
    client = login(world.staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/plan/", {"year": YEAR}).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(30):  # many more events, with tracks, partners and registrations
        branch = world.branches[i % 3]
        event = make_event(
            branch=branch,
            start=NOW - timedelta(days=i * 7),
            tracks=world.tracks[: 1 + i % 3],
            attendance_count=i,
        )
        make_registration(event=event, seats=2, checked_in=True)
    assert count() == few


def test_dashboard_is_for_staff(world: World) -> None:
    assert Client().get("/plan/").status_code == 302  # to the login page
    assert login(make_person()).get("/plan/").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_drilldown_volunteer_hours(world: World) -> None:
    response = login(world.staff).get(
        "/plan/tal/", {"year": YEAR, "metric": "volunteer_hours", "track": "digitale-forbindelser"}
    )
    assert response.status_code == 200
    assert "6,75" in response.content.decode()


def test_edit_only_own_initiatives(world: World) -> None:
    client = login(world.staff)  # staff of Gadstrup (branches[0])
    mine = Initiative.objects.filter(branches=world.branches[0]).first()
    theirs = Initiative.objects.exclude(branches=world.branches[0]).first()
    assert client.get(f"/plan/indsatser/{mine.pk}/").status_code == 200
    assert client.get(f"/plan/indsatser/{theirs.pk}/").status_code == 403
    response = client.post(
        f"/plan/indsatser/{theirs.pk}/",
        {
            "title": "Hacked",
            "quarters": [1],
            "tracks": [world.tracks[0].pk],
            "branches": [b.pk for b in theirs.branches.all()],
            "status": "done",
        },
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.title != "Hacked"
    page = client.get("/plan/", {"year": YEAR}).content.decode()
    assert f"/plan/indsatser/{mine.pk}/" in page
    assert f"/plan/indsatser/{theirs.pk}/" not in page


def test_create_and_edit_an_initiative_through_the_form(world: World) -> None:
    client = login(world.staff)
    form = client.get("/plan/indsatser/ny/", {"year": YEAR}).content.decode()
    assert 'name="title"' in form and "Jyllinge" not in form.split('name="branches"')[0][-1:]
    response = client.post(
        f"/plan/indsatser/ny/?year={YEAR}",
        {
            "plan": world.plan.pk,
            "title": "Hyggeaften i Gadstrup",
            "quarters": ["3"],
            "tracks": [world.tracks[1].pk],
            "branches": [world.branches[0].pk],
            "status": "planned",
        },
    )
    assert response.status_code == 302
    initiative = Initiative.objects.get(title="Hyggeaften i Gadstrup")
    assert initiative.quarters == [3]
    # A missing quarter is shown beside the field, not a crash.
    response = client.post(
        f"/plan/indsatser/{initiative.pk}/",
        {
            "title": "Hyggeaften",
            "tracks": [world.tracks[1].pk],
            "branches": [world.branches[0].pk],
            "status": "done",
        },
    )
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


def test_staff_form_offers_only_own_branches_for_new_initiatives(world: World) -> None:
    html = login(world.staff).get("/plan/indsatser/ny/", {"year": YEAR}).content.decode()
    branches_part = html.split('name="branches"', 1)[1]
    assert "Gadstrup Bibliotek" in html
    assert "Ågerup Bibliotek" not in branches_part.split("</div>", 1)[0]


@time_machine.travel(NOW, tick=False)
def test_report_page_and_downloads(world: World) -> None:
    client = login(world.staff)
    page = client.get(f"/plan/rapport/{YEAR}/h1/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Statusrapport juni 2027" in html and 'lang="da"' in html
    xlsx = client.get(f"/plan/rapport/{YEAR}/h1.xlsx")
    assert xlsx.status_code == 200
    assert "statusrapport-2027-juni.xlsx" in xlsx["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "Oversigt"
    csv_response = client.get(f"/plan/rapport/{YEAR}/year.csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert client.get(f"/plan/rapport/{YEAR}/q3/").status_code == 404
    assert login(make_person()).get(f"/plan/rapport/{YEAR}/h1/").status_code == 403


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR])
def test_administrator_can_edit_everything(world: World, role: str) -> None:
    admin = make_person(role=role)
    theirs = Initiative.objects.exclude(branches=world.branches[0]).first()
    assert login(admin).get(f"/plan/indsatser/{theirs.pk}/").status_code == 200


def test_administrator_starts_next_years_plan_as_a_draft(world: World) -> None:
    admin = make_person(role=Role.ADMINISTRATOR)
    from plans.models import Plan
    from plans.selectors import current_year

    year = current_year() + 2  # the generated world already has a 2027 plan
    page = login(admin).get("/plan/", {"year": year}).content.decode()
    assert f"Opret handleplanen for {year}" in page
    assert login(world.staff).post("/plan/opret/", {"year": year}).status_code == 403
    response = login(admin).post("/plan/opret/", {"year": year})
    assert response.status_code == 302
    plan = Plan.objects.get(year=year)
    assert plan.is_draft
    assert login(admin).post("/plan/opret/", {"year": year}).status_code == 302  # refused politely
    assert Plan.objects.filter(year=year).count() == 1
