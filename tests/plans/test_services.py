"""Plan services (audit, permissions, validation) and the demo loader."""

from __future__ import annotations

import pytest

from core.exceptions import Conflict, PermissionDenied, RuleViolation
from core.models import AuditLog, Role, Track
from core.timeutils import local_today
from plans import demo, selectors, services
from plans.models import Initiative, Plan, TrackTarget
from tests.factories import make_branch
from tests.plans.factories import make_initiative, make_person, make_plan


@pytest.fixture
def people(db: None) -> dict:
    roskilde = make_branch(name="Roskilde", slug="roskilde")
    viby = make_branch(name="Viby", slug="viby")
    return {
        "roskilde": roskilde,
        "viby": viby,
        "staff": make_person(role=Role.STAFF, branches=[roskilde]),
        "admin": make_person(role=Role.ADMINISTRATOR),
        "citizen": make_person(),
        "hygge": Track.objects.get(slug="hygge"),
    }


def test_plan_create_sets_the_period_and_refuses_a_second_plan(people: dict) -> None:
    plan = services.plan_create(actor=people["admin"], year=2027, is_draft=True)
    assert plan.period == "2027–2030"
    assert AuditLog.objects.filter(action="plan.created", target_id=str(plan.pk)).exists()
    with pytest.raises(Conflict):
        services.plan_create(actor=people["admin"], year=2027)
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=people["citizen"], year=2029)


def test_track_target_set_is_scoped_and_audited(people: dict) -> None:
    plan = make_plan(year=2027)
    target = services.track_target_set(
        actor=people["staff"],
        plan=plan,
        track=people["hygge"],
        branch=people["roskilde"],
        min_initiatives=1,
        min_events=4,
    )
    assert (target.min_initiatives, target.min_events) == (1, 4)
    # The same values again: no change, no new audit row.
    services.track_target_set(
        actor=people["staff"],
        plan=plan,
        track=people["hygge"],
        branch=people["roskilde"],
        min_initiatives=1,
        min_events=4,
    )
    assert AuditLog.objects.filter(action="plan.target_set").count() == 1
    with pytest.raises(PermissionDenied):  # overall targets are the administrator's
        services.track_target_set(actor=people["staff"], plan=plan, track=people["hygge"])
    with pytest.raises(PermissionDenied):
        services.track_target_set(
            actor=people["staff"], plan=plan, track=people["hygge"], branch=people["viby"]
        )
    services.track_target_set(
        actor=people["admin"], plan=plan, track=people["hygge"], min_initiatives=4
    )
    cov = selectors.coverage(year=2027)
    assert cov.target(track=people["hygge"]).min_initiatives == 4
    assert cov.target(track=people["hygge"], branch=people["roskilde"]).min_events == 4


def test_initiative_create_validates_and_writes_nothing_on_error(people: dict) -> None:
    plan = make_plan(year=2027)
    base = {
        "actor": people["staff"],
        "plan": plan,
        "title": "Hyggeaften",
        "quarters": [2],
        "tracks": [people["hygge"]],
        "branches": [people["roskilde"]],
    }
    for bad in [
        {"quarters": []},
        {"quarters": [0]},
        {"tracks": []},
        {"branches": []},
        {"title": "  "},
        {"status": "maybe"},
        {"responsible": people["citizen"]},
    ]:
        with pytest.raises(RuleViolation):
            services.initiative_create(**{**base, **bad})
    with pytest.raises(PermissionDenied):
        services.initiative_create(**{**base, "branches": [people["roskilde"], people["viby"]]})
    assert Initiative.objects.count() == 0
    made = services.initiative_create(**base)
    assert made.quarters == [2] and made.status == "planned"


def test_initiative_update_changes_only_given_fields(people: dict) -> None:
    plan = make_plan(year=2027)
    initiative = make_initiative(
        plan=plan, tracks=[people["hygge"]], branches=[people["roskilde"]], quarters=[1, 2]
    )
    services.initiative_update(actor=people["staff"], initiative=initiative, status="in_progress")
    initiative.refresh_from_db()
    assert initiative.status == "in_progress" and initiative.quarters == [1, 2]
    # A no-op leaves no audit row.
    before = AuditLog.objects.count()
    services.initiative_update(actor=people["staff"], initiative=initiative, status="in_progress")
    assert AuditLog.objects.count() == before


def test_demo_loader_is_idempotent_and_shows_gaps(db: None) -> None:
    for slug in [
        "roskilde",
        "jyllinge",
        "viby",
        "gadstrup",
        "gundsoemagle",
        "aagerup",
        "bogbussen",
    ]:
        make_branch(name=slug.title(), slug=slug)
    demo.load()
    counts = (Plan.objects.count(), Initiative.objects.count(), TrackTarget.objects.count())
    demo.load()
    assert (Plan.objects.count(), Initiative.objects.count(), TrackTarget.objects.count()) == counts
    year = local_today().year
    assert Plan.objects.get(year=year + 1).is_draft
    cov = selectors.coverage(year=year)
    for track in cov.tracks:  # initiatives on every track
        assert cov.total(track=track, whole_year=True).initiatives
    kinds = {g.kind for g in cov.gaps}
    assert "initiatives" in kinds  # some track short of its target
    assert any(g.branch is not None for g in cov.gaps)  # and at some branches
