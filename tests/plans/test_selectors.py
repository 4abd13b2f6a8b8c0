"""Coverage against an independent count of generated data; query count; gaps."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from events.models import Event, EventState, Registration
from plans import selectors
from tests.plans.conftest import NOW, YEAR, World, build_world
from tests.plans.factories import (
    make_event,
    make_initiative,
    make_plan,
    make_registration,
    make_target,
)


def assert_matches(world: World, cov: selectors.Coverage) -> None:
    exp = world.expected
    for track in world.tracks:
        for branch in world.branches:
            for q in (1, 2, 3, 4):
                key = (track.slug, branch.slug, q)
                cell = cov.total(track=track, branch=branch, quarter=q)
                label = f"{track.slug}/{branch.slug}/Q{q}"
                assert cell.events_held == exp.held[key], label
                assert cell.events_planned == exp.planned[key], label
                assert cell.events_cancelled == exp.cancelled[key], label
                assert cell.registrations == exp.registrations[key], label
                assert cell.attendance == exp.attendance[key], label
                assert cell.volunteer_hours == exp.hours[key], label
                assert cell.initiative_ids == exp.initiatives[key], label
                assert cell.partners == exp.partners[key], label
                assert cell.audiences == exp.audiences[key], label


def test_coverage_matches_an_independent_count(world: World) -> None:
    cov = selectors.coverage(year=YEAR, now=NOW)
    assert_matches(world, cov)
    # The data is not trivial: every kind of number shows up somewhere.
    exp = world.expected
    assert sum(exp.held.values()) and sum(exp.planned.values()) and sum(exp.cancelled.values())
    assert sum(exp.attendance.values()) and sum(exp.registrations.values())


def test_track_totals_add_up_over_branches_and_quarters(world: World) -> None:
    cov = selectors.coverage(year=YEAR, now=NOW)
    exp = world.expected
    for track in world.tracks:
        total = cov.total(track=track)
        held = sum(v for (t, _b, _q), v in exp.held.items() if t == track.slug)
        attendance = sum(v for (t, _b, _q), v in exp.attendance.items() if t == track.slug)
        initiatives = set().union(
            *[ids for (t, _b, _q), ids in exp.initiatives.items() if t == track.slug]
        )
        assert total.events_held == held
        assert total.attendance == attendance
        assert total.initiative_ids == initiatives  # distinct, not summed per quarter


def test_an_event_with_two_tracks_counts_for_both(db: None) -> None:
    world = build_world(events_per_branch=0)
    fordybelse, hygge = world.tracks[0], world.tracks[1]
    event = make_event(
        branch=world.branches[1],
        start=NOW - timedelta(days=20),
        tracks=[fordybelse, hygge],
        attendance_count=9,
    )
    cov = selectors.coverage(year=YEAR, now=NOW)
    for track in (fordybelse, hygge):
        cell = cov.total(track=track, branch=event.branch, quarter=3)
        assert cell.events_held == 1
        assert cell.attendance == 9


def test_quarter_and_branch_scope(world: World) -> None:
    gadstrup = world.branches[0]
    cov = selectors.coverage(year=YEAR, quarter=2, branch="gadstrup", now=NOW)
    assert cov.branch == gadstrup
    exp = world.expected
    for track in world.tracks:
        assert cov.total(track=track).events_held == exp.held[(track.slug, "gadstrup", 2)]
        assert cov.total(track=track).attendance == exp.attendance[(track.slug, "gadstrup", 2)]


def test_unknown_branch_is_a_clear_error(db: None) -> None:
    from core.exceptions import RuleViolation

    with pytest.raises(RuleViolation, match="atlantis"):
        selectors.coverage(year=YEAR, branch="atlantis")


@pytest.mark.parametrize("per_branch", [2, 12])
def test_query_count_does_not_grow_with_events(
    db: None, django_assert_num_queries, per_branch: int
) -> None:
    build_world(events_per_branch=per_branch)
    assert Event.objects.count() == 4 + 3 * per_branch
    # On PostgreSQL the counting statement runs in a transaction with JIT off (+3 queries).
    with django_assert_num_queries(7 + (3 if connection.vendor == "postgresql" else 0)):
        # 1 tracks, 2 branches, 3 plan, 4 targets, 5 initiatives × tracks × branches × partners,
        # 6 events by track × branch × quarter with their registered and checked-in seats,
        # partners, audiences and participants per audience (one statement), 7 volunteer hours.
        cov = selectors.coverage(year=YEAR, now=NOW)
    with django_assert_num_queries(0):
        # Every sum and gap is computed from what was loaded.
        for track in cov.tracks:
            for branch in cov.branches:
                cov.total(track=track, branch=branch)
        selectors.find_gaps(cov)


def test_numbers_unchanged_after_anonymising_registrations(world: World) -> None:
    before = selectors.coverage(year=YEAR, now=NOW)
    Registration.objects.update(user=None)
    after = selectors.coverage(year=YEAR, now=NOW)
    assert_matches(world, after)
    for track in world.tracks:
        assert after.total(track=track).registrations == before.total(track=track).registrations
        assert after.total(track=track).attendance == before.total(track=track).attendance


def test_numbers_follow_moved_and_cancelled_events(db: None) -> None:
    world = build_world(events_per_branch=0)
    hygge = world.tracks[1]
    gadstrup, jyllinge = world.branches[0], world.branches[1]
    event = make_event(
        branch=gadstrup, start=NOW - timedelta(days=120), tracks=[hygge], attendance_count=4
    )  # April: Q2, held
    cov = selectors.coverage(year=YEAR, now=NOW)
    assert cov.total(track=hygge, branch=gadstrup, quarter=2).events_held == 1
    # Moved to October at another branch: now planned in Q4 there, nothing left in Q2.
    start = NOW + timedelta(days=60)
    Event.objects.filter(pk=event.pk).update(
        start=start, end=start + timedelta(hours=2), branch=jyllinge
    )
    cov = selectors.coverage(year=YEAR, now=NOW)
    assert cov.total(track=hygge, branch=gadstrup, quarter=2).events_held == 0
    assert cov.total(track=hygge, branch=jyllinge, quarter=4).events_planned == 1
    assert cov.total(track=hygge, branch=jyllinge, quarter=4).attendance == 0  # not held yet
    # Cancelled: not held, not planned, counted as cancelled.
    Event.objects.filter(pk=event.pk).update(state=EventState.CANCELLED, cancelled_at=NOW)
    cell = selectors.coverage(year=YEAR, now=NOW).total(track=hygge, branch=jyllinge, quarter=4)
    assert (cell.events_held, cell.events_planned, cell.events_cancelled) == (0, 0, 1)


def test_volunteer_hours_only_count_attended_signups(world: World) -> None:
    cov = selectors.coverage(year=YEAR, now=NOW)
    digital = world.tracks[2]
    # Per branch: 2.5 (Q1) + 3 (Q2) + 1.25 (Q4); the unattended Q3 shift and 2026 are left out.
    assert cov.total(track=digital, branch=world.branches[1]).volunteer_hours == Decimal("6.75")
    assert cov.total(track=digital, branch=world.branches[1], quarter=3).volunteer_hours == 0


def test_gap_sentences(db: None) -> None:
    from django.utils import translation

    world = build_world(events_per_branch=0)
    fordybelse, hygge = world.tracks[0], world.tracks[1]
    gadstrup = world.branches[0]
    # Gadstrup has its own Hygge target (5 events); 2 edge events + 1 here; none in Q3.
    make_target(plan=world.plan, track=hygge, branch=gadstrup, min_initiatives=1, min_events=5)
    make_event(branch=gadstrup, start=NOW - timedelta(days=150), tracks=[hygge], attendance_count=0)
    # One planned (future) event: the events target counts it, and the sentence says so.
    make_event(branch=gadstrup, start=NOW + timedelta(days=60), tracks=[hygge])  # Q4
    with translation.override("en"):
        cov = selectors.coverage(year=YEAR, now=NOW)
        messages = [g.message for g in cov.gaps]
    # The world's plan has 1 live initiative on Digital connections (the other is dropped).
    assert (
        "Digital connections: 1 of 3 initiatives in the plan for 2027 (dropped ones not counted)"
        in messages
    )
    assert "Gadstrup Bibliotek: no event held or planned on Hygge in Q3" in messages
    assert (
        "Gadstrup Bibliotek – Hygge: 4 of 5 events (held or planned) in 2027: 3 held, 1 planned"
        in messages
    )
    # The held number in the sentence is the one the table shows for held events.
    assert cov.total(track=hygge, branch=gadstrup, whole_year=True).events_held == 3
    with translation.override("da"):
        da = [g.message for g in selectors.coverage(year=YEAR, now=NOW).gaps]
    assert (
        "Digitale forbindelser: 1 af 3 indsatser i handleplanen for 2027 (opgivne tæller ikke med)"
        in da
    )
    assert (
        "Gadstrup Bibliotek: intet arrangement afholdt eller planlagt om Hygge i 3. kvartal" in da
    )
    assert (
        "Gadstrup Bibliotek – Hygge: 4 af 5 arrangementer (afholdt eller planlagt) i 2027: "
        "3 afholdt, 1 planlagt" in da
    )
    # Fordybelse has two live initiatives and no target of its own at any branch.
    assert any(m.startswith(f"{fordybelse.name_da}: 2 af 3 indsatser i handleplanen") for m in da)


def test_a_plan_meeting_its_targets_has_no_target_gaps(db: None) -> None:
    world = build_world(events_per_branch=0)
    plan = make_plan(year=YEAR + 1)
    hygge = world.tracks[1]
    for _ in range(3):
        make_initiative(plan=plan, tracks=[hygge], branches=[world.branches[0]], quarters=[1])
    make_event(
        branch=world.branches[0],
        start=NOW + timedelta(days=200),
        tracks=[hygge],
        attendance_count=0,
    )
    cov = selectors.coverage(year=YEAR + 1, now=NOW)
    hygge_gaps = [g for g in cov.gaps if g.track == hygge]
    assert hygge_gaps == []


def test_quarters_follow_local_time_across_the_autumn_quarter_boundary(db: None) -> None:
    from datetime import date, time

    from core.timeutils import make_local

    world = build_world(events_per_branch=0)
    hygge, branch = world.tracks[1], world.branches[2]
    # 23:30 on 30 September (summer time) is 21:30 UTC: Q3.
    make_event(
        branch=branch,
        start=make_local(date(2027, 9, 30), time(23, 30)),
        tracks=[hygge],
        attendance_count=0,
    )
    # 00:30 on 1 October is still 30 September in UTC (22:30), yet Q4 locally.
    make_event(
        branch=branch,
        start=make_local(date(2027, 10, 1), time(0, 30)),
        tracks=[hygge],
        attendance_count=0,
    )
    # The Sunday summer time ends (31 October): 03:30 exists once and is Q4.
    make_event(
        branch=branch,
        start=make_local(date(2027, 10, 31), time(3, 30)),
        tracks=[hygge],
        attendance_count=0,
    )
    cov = selectors.coverage(year=YEAR, now=NOW)
    assert cov.total(track=hygge, branch=branch, quarter=3).events_held == 0
    assert cov.total(track=hygge, branch=branch, quarter=3).events_planned == 1
    assert cov.total(track=hygge, branch=branch, quarter=4).events_planned == 2


def test_registrations_of_another_years_event_created_in_between_count_nowhere(
    db: None,
) -> None:
    """The registrations are read by the range of the year's event ids: an event of another
    year created between two of this year's events lies in that range, and its seats must
    still count for neither year's cells."""
    world = build_world(events_per_branch=0)
    hygge = world.tracks[1]
    gadstrup = world.branches[0]

    def numbers(year: int) -> tuple[int, int]:
        cell = selectors.coverage(year=year, now=NOW).total(track=hygge, branch=gadstrup)
        return cell.registrations, cell.attendance

    before, before_next = numbers(YEAR), numbers(YEAR + 1)
    first = make_event(branch=gadstrup, start=NOW - timedelta(days=20), tracks=[hygge])
    other_year = make_event(branch=gadstrup, start=NOW + timedelta(days=400), tracks=[hygge])
    last = make_event(branch=gadstrup, start=NOW - timedelta(days=10), tracks=[hygge])
    assert first.pk < other_year.pk < last.pk
    make_registration(event=first, seats=2, checked_in=True)
    make_registration(event=other_year, seats=5, checked_in=True)
    make_registration(event=last, seats=3)
    after, after_next = numbers(YEAR), numbers(YEAR + 1)
    assert (after[0] - before[0], after[1] - before[1]) == (5, 2)
    assert after_next[0] - before_next[0] == 5  # planned next year, nothing attended yet
