"""Races on PostgreSQL: threads released together by a barrier, each on its own connection
(``tests.race``).

Each guarantee has a negative control that switches the row locks off (and drops the database
backstop inside the test) to show that the harness really catches the race.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from core.exceptions import DomainError
from core.locking import Pause
from core.timeutils import local_today
from tests.factories import make_branch
from tests.race import POSTGRES_ONLY, locks_off, run_together, widen
from tests.volunteers.factories import at, make_activity, make_shift, make_volunteer
from volunteers import services
from volunteers.models import Shift, ShiftSignup, SignupStatus

pytestmark = [pytest.mark.django_db(transaction=True), POSTGRES_ONLY]


def live(shift: Shift) -> int:
    return ShiftSignup.objects.filter(shift=shift, status=SignupStatus.SIGNED_UP).count()


def slow_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the window between counting and inserting, so an unlocked race shows at once."""
    widen(monkeypatch, Pause.SIGNUP_AFTER_CAPACITY_COUNT)


def slow_overlap_check(monkeypatch: pytest.MonkeyPatch) -> None:
    widen(monkeypatch, Pause.SIGNUP_AFTER_OVERLAP_CHECK)


@pytest.fixture
def no_overlap_backstop() -> Iterator[None]:
    """Drop the exclusion constraint for one test and put it back afterwards."""
    constraint = next(
        c for c in ShiftSignup._meta.constraints if c.name == services.OVERLAP_CONSTRAINT
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(ShiftSignup, constraint)
    yield
    ShiftSignup.objects.all().delete()
    with connection.schema_editor() as editor:
        editor.add_constraint(ShiftSignup, constraint)


def _last_places_setup() -> tuple[Shift, list[Any]]:
    branch = make_branch()
    shift = make_shift(activity=make_activity(branch=branch), needed=3)
    volunteers = [make_volunteer(branches=[branch]) for _ in range(8)]
    return shift, volunteers


def test_many_sign_ups_at_once_fill_exactly_the_places(monkeypatch: pytest.MonkeyPatch) -> None:
    slow_count(monkeypatch)
    shift, volunteers = _last_places_setup()
    results = run_together(
        [lambda v=v: services.shift_signup(actor=v, shift=shift) for v in volunteers]
    )
    winners = [r for r in results if isinstance(r, ShiftSignup)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 3
    assert len(losers) == 5 and all(r.code == "shift_full" for r in losers)
    assert live(shift) == 3


def test_negative_control_without_the_lock_the_shift_is_overfilled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locks_off(monkeypatch)
    slow_count(monkeypatch)
    shift, volunteers = _last_places_setup()
    run_together([lambda v=v: services.shift_signup(actor=v, shift=shift) for v in volunteers])
    assert live(shift) > 3  # the harness catches the race the lock prevents


def _overlap_setup() -> tuple[Any, list[Shift]]:
    branch = make_branch()
    day = local_today() + timedelta(days=3)
    person = make_volunteer(branches=[branch])
    shifts = [
        make_shift(activity=make_activity(branch=branch), start=at(day, 10 + i % 2), needed=5)
        for i in range(4)
    ]
    return person, shifts


def test_overlapping_sign_ups_racing_give_one_shift(monkeypatch: pytest.MonkeyPatch) -> None:
    slow_overlap_check(monkeypatch)
    person, shifts = _overlap_setup()
    results = run_together(
        [lambda s=s: services.shift_signup(actor=person, shift=s) for s in shifts]
    )
    winners = [r for r in results if isinstance(r, ShiftSignup)]
    assert len(winners) == 1
    assert all(r.code == "shift_overlap" for r in results if isinstance(r, DomainError))
    assert ShiftSignup.objects.filter(volunteer=person, status="signed_up").count() == 1


def test_overlap_backstop_holds_without_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the lock off, PostgreSQL's exclusion constraint still refuses the overlap (409)."""
    locks_off(monkeypatch)
    slow_overlap_check(monkeypatch)
    person, shifts = _overlap_setup()
    results = run_together(
        [lambda s=s: services.shift_signup(actor=person, shift=s) for s in shifts]
    )
    assert ShiftSignup.objects.filter(volunteer=person, status="signed_up").count() == 1
    assert all(
        isinstance(r, ShiftSignup) or getattr(r, "code", None) == "shift_overlap" for r in results
    ), results


def test_negative_control_without_lock_and_backstop_overlaps_slip_through(
    monkeypatch: pytest.MonkeyPatch, no_overlap_backstop: None
) -> None:
    locks_off(monkeypatch)
    slow_overlap_check(monkeypatch)
    person, shifts = _overlap_setup()
    run_together([lambda s=s: services.shift_signup(actor=person, shift=s) for s in shifts])
    assert ShiftSignup.objects.filter(volunteer=person, status="signed_up").count() > 1
