from datetime import date, time

import pytest

from core.models import Closure, HoursKind, Role
from core.selectors import (
    branches_managed_by,
    can_manage_branch,
    closure_reasons,
    opening_intervals,
)
from tests.factories import make_branch, make_user

pytestmark = pytest.mark.django_db


def test_staff_manage_only_their_own_branches() -> None:
    roskilde, viby = make_branch(slug="r"), make_branch(slug="v")
    staff = make_user(role=Role.STAFF, branches=[roskilde])
    admin = make_user(role=Role.ADMINISTRATOR)
    citizen = make_user()
    volunteer = make_user(role=Role.VOLUNTEER)
    assert can_manage_branch(user=staff, branch=roskilde)
    assert not can_manage_branch(user=staff, branch=viby)
    assert can_manage_branch(user=admin, branch=viby)
    assert not can_manage_branch(user=citizen, branch=roskilde)
    assert not can_manage_branch(user=volunteer, branch=roskilde)
    assert list(branches_managed_by(user=staff)) == [roskilde]
    assert set(branches_managed_by(user=admin)) == {roskilde, viby}
    assert not branches_managed_by(user=citizen).exists()


def test_inactive_staff_manage_nothing() -> None:
    branch = make_branch()
    staff = make_user(role=Role.STAFF, branches=[branch], is_active=False)
    assert not can_manage_branch(user=staff, branch=branch)


def test_closures_and_holidays_close_a_branch() -> None:
    gadstrup, other = make_branch(), make_branch()
    Closure.objects.create(
        branch=gadstrup,
        starts_on=date(2027, 7, 1),
        ends_on=date(2027, 7, 31),
        reason="Sommerlukket",
    )
    Closure.objects.create(
        branch=None, starts_on=date(2027, 8, 2), ends_on=date(2027, 8, 2), reason="Personaledag"
    )
    reasons = closure_reasons(branch=gadstrup, start=date(2027, 6, 30), end=date(2027, 8, 3))
    assert reasons[date(2027, 7, 15)] == "Sommerlukket"
    assert reasons[date(2027, 8, 2)] == "Personaledag"
    assert date(2027, 6, 30) not in reasons
    other_reasons = closure_reasons(branch=other, start=date(2027, 7, 15), end=date(2027, 8, 2))
    assert date(2027, 7, 15) not in other_reasons
    assert date(2027, 8, 2) in other_reasons
    assert opening_intervals(branch=gadstrup, day=date(2027, 7, 15)) == []
    assert opening_intervals(branch=gadstrup, day=date(2027, 12, 25)) == []


def test_opening_intervals_are_local_wall_time_on_dst_sunday() -> None:
    branch = make_branch(
        hours=[
            (6, time(10), time(16), HoursKind.STAFFED),
            (6, time(16), time(22), HoursKind.SELF_SERVICE),
        ]
    )
    intervals = opening_intervals(
        branch=branch, day=date(2026, 3, 29)
    )  # spring forward (last Sunday of March)
    assert [(i.start.hour, i.end.hour, i.kind) for i in intervals] == [
        (10, 16, "staffed"),
        (16, 22, "self_service"),
    ]
    assert intervals[0].start.utcoffset().total_seconds() == 7200
    staffed_only = opening_intervals(
        branch=branch, day=date(2026, 3, 29), kinds={HoursKind.STAFFED}
    )
    assert len(staffed_only) == 1
