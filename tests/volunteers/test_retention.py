"""Retention: sign-ups lose their volunteer after the shift, without changing any hours."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest

from core.models import AuditLog, Track
from core.timeutils import make_local
from plans.selectors import coverage
from tests.volunteers.factories import at, make_activity, make_shift, make_signup, make_volunteer
from volunteers import selectors, services, tasks
from volunteers.models import ShiftSignup, SignupStatus

pytestmark = pytest.mark.django_db

NOW = make_local(date(2026, 11, 25), time(12, 0))


def _linked(signup: ShiftSignup) -> bool:
    signup.refresh_from_db()
    return signup.volunteer_id is not None


def _report(year: int) -> dict[str, list[tuple[Any, Decimal]]]:
    return {
        group: [(r.key, r.hours) for r in selectors.hours_report(year=year, group_by=group)]
        for group in ("activity", "track", "branch", "quarter")
    }


@pytest.fixture
def history(branch: Any) -> dict[str, Any]:
    activity = make_activity(branch=branch, tracks=list(Track.objects.all()[:1]))
    anna, bo = make_volunteer(branches=[branch]), make_volunteer(branches=[branch])
    signups = {
        "last_year": make_signup(
            shift=make_shift(activity=activity, start=at(date(2025, 11, 4), 15)),
            volunteer=anna,
            attended=True,
            hours="2",
        ),
        "february": make_signup(
            shift=make_shift(activity=activity, start=at(date(2026, 2, 3), 15)),
            volunteer=anna,
            attended=True,
            hours="2.5",
        ),
        "october_absent": make_signup(
            shift=make_shift(activity=activity, start=at(date(2026, 10, 6), 15)),
            volunteer=bo,
            attended=False,
            hours="0",
        ),
        "recent": make_signup(
            shift=make_shift(activity=activity, start=at(date(2026, 11, 17), 15)),
            volunteer=bo,
            attended=True,
            hours="2",
        ),
    }
    withdrawn = make_signup(
        shift=make_shift(activity=activity, start=at(date(2026, 3, 3), 15)), volunteer=bo
    )
    withdrawn.status = SignupStatus.WITHDRAWN
    withdrawn.save(update_fields=["status"])
    signups["withdrawn"] = withdrawn
    return {"anna": anna, "bo": bo, "signups": signups}


def test_old_signups_lose_the_volunteer_but_this_years_hours_keep_theirs(
    history: dict[str, Any],
) -> None:
    s = history["signups"]
    report_2025, report_2026 = _report(2025), _report(2026)
    by_volunteer_2026 = selectors.hours_report(year=2026, group_by="volunteer")
    hours_2026 = coverage(year=2026, now=NOW).total(whole_year=True).volunteer_hours
    hours_2025 = coverage(year=2025, now=NOW).total(whole_year=True).volunteer_hours

    # last year's attended shift (its reporting quarter is over), the withdrawn and the
    # not-attended one older than 30 days
    assert services.signups_anonymise_old(now=NOW) == 3
    assert not _linked(s["last_year"])
    assert not _linked(s["withdrawn"])
    assert not _linked(s["october_absent"])
    # this year's attended shift stays linked for "my hours this year"; the recent one is young
    assert _linked(s["february"])
    assert _linked(s["recent"])
    # attendance and hours stay
    s["last_year"].refresh_from_db()
    assert (s["last_year"].attended, s["last_year"].hours) == (True, Decimal("2.00"))

    assert _report(2025) == report_2025
    assert _report(2026) == report_2026
    assert selectors.hours_report(year=2026, group_by="volunteer") == by_volunteer_2026
    assert selectors.hours_this_year(volunteer=history["anna"], year=2026) == Decimal("2.50")
    assert selectors.hours_this_year(volunteer=history["bo"], year=2026) == Decimal("2.00")
    assert coverage(year=2026, now=NOW).total(whole_year=True).volunteer_hours == hours_2026
    assert coverage(year=2025, now=NOW).total(whole_year=True).volunteer_hours == hours_2025
    assert hours_2025 == Decimal("2") and hours_2026 == Decimal("4.5")
    assert AuditLog.objects.filter(action="shift_signups.anonymised").count() == 1
    # idempotent
    assert services.signups_anonymise_old(now=NOW) == 0


def test_this_years_links_are_kept_until_the_first_quarter_after_the_year_ends(
    history: dict[str, Any],
) -> None:
    s = history["signups"]
    report = _report(2026)
    hours = coverage(year=2026, now=NOW).total(whole_year=True).volunteer_hours
    services.signups_anonymise_old(now=make_local(date(2027, 3, 31), time(23, 59)))
    assert _linked(s["february"]) and _linked(s["recent"])
    assert selectors.hours_this_year(volunteer=history["bo"], year=2026) == Decimal("2.00")

    assert services.signups_anonymise_old(now=make_local(date(2027, 4, 1), time(0, 0))) == 2
    assert not _linked(s["february"]) and not _linked(s["recent"])
    assert _report(2026) == report
    assert coverage(year=2026, now=NOW).total(whole_year=True).volunteer_hours == hours


def test_the_task_has_the_beat_name_and_anonymises(history: dict[str, Any]) -> None:
    assert tasks.anonymise_old_signups.name == "volunteers.anonymise_old_signups"
    assert tasks.anonymise_old_signups.apply().get() >= 3
    assert not _linked(history["signups"]["withdrawn"])
