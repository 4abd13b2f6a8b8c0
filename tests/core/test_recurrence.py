"""core.recurrence: RRULE expansion in Copenhagen wall time, holidays and closures skipped."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.exceptions import RuleViolation
from core.models import Closure
from core.recurrence import expand, kept
from core.timeutils import make_local
from tests.factories import make_branch

CPH = ZoneInfo("Europe/Copenhagen")
UTC = ZoneInfo("UTC")


def local(d: date, h: int, m: int = 0) -> datetime:
    return make_local(d, time(h, m))


@pytest.mark.django_db
def test_weekly_series_stays_at_ten_across_both_dst_changes() -> None:
    # Saturdays from 7 March to 7 November 2026: DST starts 29 March, ends 25 October.
    occs = expand(
        rrule="FREQ=WEEKLY;BYDAY=SA;UNTIL=20261107",
        first_start=local(date(2026, 3, 7), 10),
        first_end=local(date(2026, 3, 7), 12),
        branch=None,
    )
    taken = kept(occs)
    assert all(o.start.astimezone(CPH).time() == time(10) for o in taken)
    assert all(o.end.astimezone(CPH).time() == time(12) for o in taken)
    by_day = {o.day: o for o in taken}
    # Winter time: 10:00 local is 09:00 UTC; summer time: 08:00 UTC.
    assert by_day[date(2026, 3, 28)].start.astimezone(UTC).hour == 9
    assert by_day[date(2026, 4, 11)].start.astimezone(UTC).hour == 8
    assert by_day[date(2026, 10, 24)].start.astimezone(UTC).hour == 8
    assert by_day[date(2026, 10, 31)].start.astimezone(UTC).hour == 9
    assert taken[-1].day == date(2026, 11, 7)


@pytest.mark.django_db
def test_sunday_series_on_the_dst_sundays_keeps_its_wall_time() -> None:
    occs = kept(
        expand(
            rrule="FREQ=WEEKLY;BYDAY=SU;COUNT=3",
            first_start=local(date(2026, 3, 22), 10),
            first_end=local(date(2026, 3, 22), 11),
            branch=None,
        )
    )
    dst_sunday = next(o for o in occs if o.day == date(2026, 3, 29))
    assert dst_sunday.start.astimezone(CPH).time() == time(10)
    assert dst_sunday.end - dst_sunday.start == timedelta(hours=1)


@pytest.mark.django_db
def test_a_time_in_the_spring_gap_is_skipped_with_a_reason() -> None:
    occs = expand(
        rrule="FREQ=DAILY;COUNT=3",
        first_start=local(date(2026, 3, 28), 2, 30),
        first_end=local(date(2026, 3, 28), 3, 30),
        branch=None,
        include_closed=True,
    )
    assert [o.skipped for o in occs] == [False, True, False]
    assert "02.30" in occs[1].reason


@pytest.mark.django_db
def test_easter_based_holidays_are_skipped_with_their_name() -> None:
    # Easter 2027 is 28 March: Maundy Thursday 25/3, Good Friday 26/3, Easter Saturday 27/3,
    # Easter Monday 29/3; Ascension 6/5; Whit Monday 17/5.
    occs = expand(
        rrule="FREQ=DAILY;UNTIL=20270530",
        first_start=local(date(2027, 3, 22), 14),
        first_end=local(date(2027, 3, 22), 15),
        branch=make_branch(),
    )
    skipped = {o.day: o.reason for o in occs if o.skipped}
    assert date(2027, 3, 25) in skipped
    assert date(2027, 3, 26) in skipped
    assert date(2027, 3, 27) in skipped  # Easter Saturday: a closing day
    assert date(2027, 3, 28) in skipped
    assert date(2027, 3, 29) in skipped
    assert date(2027, 5, 6) in skipped
    assert date(2027, 5, 17) in skipped
    assert date(2027, 3, 24) not in skipped
    assert date(2027, 4, 23) not in skipped  # no Store bededag after 2023
    assert all(o.reason for o in occs if o.skipped)


@pytest.mark.django_db
def test_branch_closures_are_skipped_but_other_branches_are_not() -> None:
    closed, open_branch = make_branch(), make_branch()
    Closure.objects.create(
        branch=closed, starts_on=date(2027, 7, 1), ends_on=date(2027, 7, 31), reason="Sommerlukket"
    )
    kwargs = {
        "rrule": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270817",
        "first_start": local(date(2027, 6, 1), 17),
        "first_end": local(date(2027, 6, 1), 19),
    }
    on_closed = expand(branch=closed, **kwargs)
    assert [o.day for o in on_closed if o.skipped] == [
        date(2027, 7, 6),
        date(2027, 7, 13),
        date(2027, 7, 20),
        date(2027, 7, 27),
    ]
    assert {o.reason for o in on_closed if o.skipped} == {"Sommerlukket"}
    assert not [o for o in expand(branch=open_branch, **kwargs) if o.skipped]
    assert not [o for o in expand(branch=closed, include_closed=True, **kwargs) if o.skipped]


@pytest.mark.django_db
def test_every_other_tuesday_and_monthly_by_weekday() -> None:
    fortnightly = kept(
        expand(
            rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4",
            first_start=local(date(2027, 1, 5), 19),
            first_end=local(date(2027, 1, 5), 21),
            branch=None,
        )
    )
    assert [o.day for o in fortnightly] == [
        date(2027, 1, 5),
        date(2027, 1, 19),
        date(2027, 2, 2),
        date(2027, 2, 16),
    ]
    monthly = expand(
        rrule="RRULE:FREQ=MONTHLY;BYDAY=1WE;COUNT=3",
        first_start=local(date(2027, 1, 6), 10),
        first_end=local(date(2027, 1, 6), 12),
        branch=None,
    )
    assert [o.day for o in monthly] == [date(2027, 1, 6), date(2027, 2, 3), date(2027, 3, 3)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=YEARLY;COUNT=2",
        "FREQ=WEEKLY",  # no end
        "FREQ=WEEKLY;COUNT=2;UNTIL=20270101",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=2",
        "FREQ=WEEKLY;COUNT=abc",
        "FREQ=WEEKLY;BYHOUR=10;COUNT=2",
        "FREQ=WEEKLY;COUNT=0",
        "FREQ=WEEKLY;COUNT=2;COUNT=3",
        "nonsense",
        "FREQ=DAILY;UNTIL=20261301",
        "FREQ=DAILY;UNTIL=20200101",
    ],
)
def test_bad_rules_are_refused_with_a_rule_violation(rule: str) -> None:
    with pytest.raises(RuleViolation) as info:
        expand(
            rrule=rule,
            first_start=local(date(2026, 12, 1), 10),
            first_end=local(date(2026, 12, 1), 11),
            branch=None,
        )
    assert info.value.status_code == 400
    assert info.value.field == "rrule"


@pytest.mark.django_db
def test_too_many_occurrences_are_refused() -> None:
    with pytest.raises(RuleViolation):
        expand(
            rrule="FREQ=DAILY;UNTIL=20291231",
            first_start=local(date(2026, 12, 1), 10),
            first_end=local(date(2026, 12, 1), 11),
            branch=None,
        )
    with pytest.raises(RuleViolation):
        expand(
            rrule="FREQ=DAILY;COUNT=20",
            first_start=local(date(2026, 12, 1), 10),
            first_end=local(date(2026, 12, 1), 11),
            branch=None,
            limit=10,
        )


@pytest.mark.django_db
def test_until_in_utc_and_end_before_start() -> None:
    occs = expand(
        rrule="FREQ=DAILY;UNTIL=20261203T090000Z",  # 10:00 local: the third day is included
        first_start=local(date(2026, 12, 1), 10),
        first_end=local(date(2026, 12, 1), 11),
        branch=None,
    )
    assert [o.day for o in occs] == [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]
    with pytest.raises(RuleViolation):
        expand(
            rrule="FREQ=DAILY;COUNT=2",
            first_start=local(date(2026, 12, 1), 10),
            first_end=local(date(2026, 12, 1), 9),
            branch=None,
        )
