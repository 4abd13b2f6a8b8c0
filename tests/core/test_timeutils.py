from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.exceptions import RuleViolation
from core.timeutils import day_bounds, is_real_local_time, make_local, parse_day


def test_parse_day_accepts_iso_dates_and_empty_input() -> None:
    assert parse_day("2027-03-28") == date(2027, 3, 28)
    assert parse_day("") is None
    assert parse_day(None) is None


@pytest.mark.parametrize(
    "raw", ["9999-12-31", "0001-01-01", "2027-02-30", "i morgen", "28.03.2027"]
)
def test_parse_day_refuses_garbage_and_far_dates_with_a_message(raw: str) -> None:
    with pytest.raises(RuleViolation) as error:
        parse_day(raw, field="dato")
    assert error.value.field == "dato"
    assert error.value.message


def test_day_bounds_refuses_dates_that_would_overflow() -> None:
    with pytest.raises(RuleViolation):
        day_bounds(date(9999, 12, 31))


def test_dst_days_are_23_and_25_hours_long() -> None:
    spring_start, spring_end = day_bounds(date(2026, 3, 29))
    autumn_start, autumn_end = day_bounds(date(2026, 10, 25))
    utc = ZoneInfo("UTC")
    assert (spring_end.astimezone(utc) - spring_start.astimezone(utc)).total_seconds() == 23 * 3600
    assert (autumn_end.astimezone(utc) - autumn_start.astimezone(utc)).total_seconds() == 25 * 3600


def test_wall_times_in_the_gap_or_doubled_are_refused() -> None:
    assert not is_real_local_time(datetime(2026, 3, 29, 2, 30))  # does not exist
    assert not is_real_local_time(datetime(2026, 10, 25, 2, 30))  # happens twice
    assert is_real_local_time(datetime(2026, 10, 25, 3, 30))
    with pytest.raises(RuleViolation):
        make_local(date(2026, 3, 29), time(2, 30))
    assert make_local(date(2026, 3, 29), time(10, 0)).utcoffset().total_seconds() == 7200
