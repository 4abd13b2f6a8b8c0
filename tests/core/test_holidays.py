from datetime import date

import pytest
from django.test import override_settings

from core.holidays import closed_days, holiday_name, public_holidays


@pytest.mark.parametrize(
    ("year", "easter_sunday"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
    ],
)
def test_easter_based_holidays(year: int, easter_sunday: date) -> None:
    days = public_holidays(year)
    offsets = {
        -3: "Maundy Thursday",
        -2: "Good Friday",
        0: "Easter Sunday",
        1: "Easter Monday",
        39: "Ascension Day",
        49: "Whit Sunday",
        50: "Whit Monday",
    }
    for offset, name in offsets.items():
        day = date.fromordinal(easter_sunday.toordinal() + offset)
        assert str(days[day]) in {name, _da(name)}


def _da(name: str) -> str:
    from django.utils.translation import gettext

    return gettext(name)


def test_fixed_holidays() -> None:
    days = public_holidays(2027)
    assert date(2027, 1, 1) in days
    assert date(2027, 12, 25) in days
    assert date(2027, 12, 26) in days
    assert len(days) == 10


def test_great_prayer_day_until_2023_only() -> None:
    assert date(2023, 5, 5) in public_holidays(2023)  # fourth Friday after Easter 2023
    assert date(2022, 5, 13) in public_holidays(2022)
    assert date(2024, 4, 26) not in public_holidays(2024)
    assert len(public_holidays(2023)) == 11
    assert len(public_holidays(2024)) == 10


def test_libraries_close_on_easter_saturday_christmas_eve_and_new_years_eve_by_default() -> None:
    days = closed_days(2026)
    assert date(2026, 4, 4) in days  # Easter Saturday
    assert date(2026, 12, 24) in days
    assert date(2026, 12, 31) in days
    assert date(2026, 6, 5) not in days  # Constitution Day is a working day by default


@override_settings(MODESTED_EXTRA_CLOSED_DAYS=["constitution_day"])
def test_extra_closed_days_are_configurable() -> None:
    days = closed_days(2026)
    assert date(2026, 6, 5) in days
    assert date(2026, 12, 24) not in days
    assert holiday_name(date(2026, 12, 25)) is not None
    assert holiday_name(date(2026, 12, 23)) is None
