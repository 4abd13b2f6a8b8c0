"""List selectors at two sizes: the same exact number of queries, each one commented."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from core.models import Track
from core.timeutils import local_today
from tests.volunteers.factories import at, make_activity, make_shift, make_signup, make_volunteer
from volunteers import selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [2, 9])
def test_certificates_expiring_query_count(
    branch: Any, django_assert_num_queries: Any, size: int
) -> None:
    homework = make_activity(branch=branch, children_under_15=True)
    for _ in range(size):
        person = make_volunteer(branches=[branch])
        person.volunteer_profile.activities.add(homework)
    with django_assert_num_queries(3):
        # 1. the profiles with their users; 2. their branches; 3. their child activities with
        # coordinators and branches
        profiles = list(selectors.certificates_expiring(within_days=60))
        for profile in profiles:
            _ = [a.coordinator for a in profile.child_activities], list(profile.branches.all())
    assert len(profiles) == size


@pytest.mark.parametrize("size", [2, 9])
def test_unfilled_shifts_query_count(
    branch: Any, staff: Any, django_assert_num_queries: Any, size: int
) -> None:
    activity = make_activity(branch=branch)
    for i in range(size):
        make_shift(activity=activity, start=at(local_today() + timedelta(days=1 + i % 10), 10 + i))
    with django_assert_num_queries(1):
        # 1. the shifts with activity and branch joined, taken counted, the staff member's
        # branches as a subquery
        shifts = list(selectors.unfilled_shifts(actor=staff))
        _ = [(s.activity.branch.name, s.missing) for s in shifts]
    assert len(shifts) == size


@pytest.mark.parametrize("size", [2, 9])
def test_open_shifts_for_query_count(
    branch: Any, django_assert_num_queries: Any, size: int
) -> None:
    me = make_volunteer(branches=[branch])
    activity = make_activity(branch=branch)
    for i in range(size):
        make_shift(activity=activity, start=at(local_today() + timedelta(days=1 + i), 10))
    profile = selectors.volunteer_profile_for(user=me)
    with django_assert_num_queries(1):
        # 1. open shifts with activity, branch and room, excluding mine and overlapping ones
        shifts = selectors.open_shifts_for(volunteer=me, profile=profile)
        _ = [(s.activity.branch.name, s.room) for s in shifts]
    assert len(shifts) == size


@pytest.mark.parametrize("size", [2, 9])
def test_hours_report_query_count(branch: Any, django_assert_num_queries: Any, size: int) -> None:
    activity = make_activity(branch=branch, tracks=list(Track.objects.all()[:2]))
    for i in range(size):
        shift = make_shift(activity=activity, start=at(date(2026, 1 + i % 12, 5), 10))
        make_signup(shift=shift, volunteer=make_volunteer(), attended=True, hours="2")
    for group_by in ("volunteer", "activity", "track", "branch", "quarter"):
        with django_assert_num_queries(1):
            # 1. one grouped aggregate
            rows = selectors.hours_report(year=2026, group_by=group_by, by_quarter=True)
        assert sum(r.hours for r in rows) == 2 * size * (2 if group_by == "track" else 1)


def test_certificates_expiring_leaves_out_paused_volunteers(branch: Any) -> None:
    homework = make_activity(branch=branch, children_under_15=True)
    paused = make_volunteer(branches=[branch], status="paused")
    paused.volunteer_profile.activities.add(homework)
    active = make_volunteer(branches=[branch])
    active.volunteer_profile.activities.add(homework)
    assert [p.user for p in selectors.certificates_expiring()] == [active]
