"""The volunteers' services: the sign-up guarantees, the child-certificate rule, hours."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from core.exceptions import Conflict, NotFound, PermissionDenied, RuleViolation
from core.models import AuditLog, Role, Track
from core.signals import state_changed
from core.timeutils import local_today
from tests.factories import make_branch, make_user
from tests.volunteers.factories import at, make_activity, make_shift, make_signup, make_volunteer
from volunteers import selectors, services
from volunteers.models import CertificateStatus, ShiftSignup, SignupStatus, VolunteerProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent() -> Any:
    """Collects the state_changed kinds sent during the test."""
    kinds: list[tuple[str, Any]] = []

    def receiver(sender: Any, kind: str, instance: Any, **kwargs: Any) -> None:
        kinds.append((kind, instance))

    state_changed.connect(receiver, weak=False)
    yield kinds
    state_changed.disconnect(receiver)


@pytest.fixture
def volunteer(branch: Any) -> Any:
    return make_volunteer(branches=[branch], name="Vera Frivillig")


# --- Sign-up guarantees -----------------------------------------------------------------


def test_sign_up_takes_a_place_and_a_full_shift_says_so(branch: Any, volunteer: Any) -> None:
    shift = make_shift(activity=make_activity(branch=branch), needed=1)
    signup = services.shift_signup(actor=volunteer, shift=shift)
    assert signup.status == SignupStatus.SIGNED_UP
    assert (signup.shift_start, signup.shift_end) == (shift.start, shift.end)
    other = make_volunteer(branches=[branch])
    with pytest.raises(Conflict) as error:
        services.shift_signup(actor=other, shift=shift)
    assert error.value.code == "shift_full"
    assert "fuld" in error.value.message  # Danish by default: "Vagten er fuld"
    assert AuditLog.objects.filter(action="shift.signed_up").count() == 1


def test_overlapping_shift_is_refused_naming_the_other(branch: Any, volunteer: Any) -> None:
    day = local_today() + timedelta(days=5)
    homework = make_shift(
        activity=make_activity(branch=branch, name="Lektiecafé"), start=at(day, 15)
    )
    it_help = make_shift(activity=make_activity(branch=branch, name="IT-hjælp"), start=at(day, 16))
    services.shift_signup(actor=volunteer, shift=homework)
    with pytest.raises(Conflict) as error:
        services.shift_signup(actor=volunteer, shift=it_help)
    assert error.value.code == "shift_overlap"
    assert "Lektiecafé" in error.value.message
    # Back to back (17:00-19:00 after 15:00-17:00) is fine.
    later = make_shift(activity=it_help.activity, start=at(day, 17))
    services.shift_signup(actor=volunteer, shift=later)


def test_same_shift_twice_is_refused(branch: Any, volunteer: Any) -> None:
    shift = make_shift(activity=make_activity(branch=branch), needed=3)
    services.shift_signup(actor=volunteer, shift=shift)
    with pytest.raises(Conflict) as error:
        services.shift_signup(actor=volunteer, shift=shift)
    assert error.value.code == "already_signed_up"


def test_paused_volunteer_cannot_sign_up(branch: Any) -> None:
    paused = make_volunteer(branches=[branch], status="paused")
    with pytest.raises(RuleViolation) as error:
        services.shift_signup(actor=paused, shift=make_shift(activity=make_activity(branch=branch)))
    assert error.value.code == "volunteer_paused"
    assert not ShiftSignup.objects.exists()


def test_someone_who_is_not_a_volunteer_is_refused(branch: Any, citizen: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.shift_signup(
            actor=citizen, shift=make_shift(activity=make_activity(branch=branch))
        )


def test_cancelled_or_started_shift_refuses(branch: Any, volunteer: Any, staff: Any) -> None:
    shift = make_shift(activity=make_activity(branch=branch))
    services.shift_cancel(actor=staff, shift=shift)
    with pytest.raises(RuleViolation):
        services.shift_signup(actor=volunteer, shift=shift)


# --- The child-certificate rule ------------------------------------------------------------


@time_machine.travel("2026-11-25 12:00 +01:00", tick=False)
@pytest.mark.parametrize(
    ("shift_day", "allowed"),
    [(date(2027, 1, 10), True), (date(2027, 1, 11), False)],
    ids=["last-valid-day", "day-after"],
)
def test_certificate_valid_until_checked_on_plus_interval(
    branch: Any, shift_day: date, allowed: bool
) -> None:
    person = make_volunteer(
        branches=[branch], certificate=CertificateStatus.CLEAR, checked_on=date(2025, 1, 10)
    )
    homework = make_activity(branch=branch, name="Lektiecafé", children_under_15=True)
    shift = make_shift(activity=homework, start=at(shift_day, 15))
    if allowed:
        assert services.shift_signup(actor=person, shift=shift).pk
    else:
        with pytest.raises(RuleViolation) as error:
            services.shift_signup(actor=person, shift=shift)
        assert error.value.code == "certificate_expired"
        assert "10" in error.value.message  # says until when it was valid


@pytest.mark.parametrize("status", [CertificateStatus.NONE, CertificateStatus.REQUESTED])
def test_child_activity_refuses_without_clear_certificate(branch: Any, status: str) -> None:
    person = make_volunteer(branches=[branch], certificate=status)
    shift = make_shift(activity=make_activity(branch=branch, children_under_15=True))
    with pytest.raises(RuleViolation) as error:
        services.shift_signup(actor=person, shift=shift)
    assert error.value.code == "certificate_missing"
    # ...but an activity without children takes them.
    services.shift_signup(actor=person, shift=make_shift(activity=make_activity(branch=branch)))


def test_certificate_record_sets_expiry_and_refuses_bad_input(
    branch: Any, volunteer: Any, staff: Any
) -> None:
    profile = volunteer.volunteer_profile
    with pytest.raises(RuleViolation):
        services.certificate_record(actor=staff, profile=profile, status="clear")
    with pytest.raises(RuleViolation):
        services.certificate_record(
            actor=staff, profile=profile, status="clear", checked_on=local_today() + timedelta(1)
        )
    profile = services.certificate_record(
        actor=staff, profile=profile, status="clear", checked_on=date(2024, 2, 29), renewal_years=1
    )
    assert profile.certificate_valid_until == date(2025, 2, 28)
    assert profile.certificate_checked_by == staff
    other_branch_staff = make_user(role=Role.STAFF, branches=[make_branch()], password=None)
    with pytest.raises(NotFound):
        services.certificate_record(actor=other_branch_staff, profile=profile, status="none")


# --- Withdrawing --------------------------------------------------------------------------


def test_withdraw_until_the_deadline_frees_the_place(branch: Any, volunteer: Any) -> None:
    start = at(local_today() + timedelta(days=3), 15)
    shift = make_shift(activity=make_activity(branch=branch), start=start)
    signup = services.shift_signup(actor=volunteer, shift=shift)
    with time_machine.travel(start - timedelta(hours=24, minutes=1), tick=False):
        services.shift_withdraw(actor=volunteer, signup=signup)
    other = make_volunteer(branches=[branch])
    assert services.shift_signup(actor=other, shift=shift).pk  # the place is free again


def test_withdraw_after_the_deadline_is_refused(branch: Any, volunteer: Any, staff: Any) -> None:
    start = at(local_today() + timedelta(days=3), 15)
    shift = make_shift(activity=make_activity(branch=branch), start=start)
    signup = services.shift_signup(actor=volunteer, shift=shift)
    with time_machine.travel(start - timedelta(hours=23), tick=False):
        with pytest.raises(RuleViolation) as error:
            services.shift_withdraw(actor=volunteer, signup=signup)
        assert error.value.code == "withdraw_deadline_passed"
        stranger = make_volunteer(branches=[branch])
        with pytest.raises(NotFound):
            services.shift_withdraw(actor=stranger, signup=signup)
        # Staff may still take the volunteer off the shift.
        assert services.shift_withdraw(actor=staff, signup=signup).status == "withdrawn"


# --- Changing and cancelling shifts ---------------------------------------------------------


def test_moving_a_shift_keeps_copies_in_step_and_tells_volunteers(
    branch: Any, volunteer: Any, staff: Any, sent: list
) -> None:
    day = local_today() + timedelta(days=4)
    shift = make_shift(activity=make_activity(branch=branch), start=at(day, 10))
    signup = services.shift_signup(actor=volunteer, shift=shift)
    services.shift_update(actor=staff, shift=shift, start=at(day, 12), end=at(day, 14))
    signup.refresh_from_db()
    shift.refresh_from_db()
    assert (signup.shift_start, signup.shift_end) == (at(day, 12), at(day, 14))
    assert shift.sequence == 1
    assert [k for k, _ in sent] == ["shift.changed"]


def test_moving_a_shift_onto_a_volunteers_other_shift_is_refused(
    branch: Any, volunteer: Any, staff: Any
) -> None:
    day = local_today() + timedelta(days=4)
    activity = make_activity(branch=branch)
    morning = make_shift(activity=activity, start=at(day, 10))
    afternoon = make_shift(activity=activity, start=at(day, 14))
    services.shift_signup(actor=volunteer, shift=morning)
    services.shift_signup(actor=volunteer, shift=afternoon)
    with pytest.raises(Conflict) as error:
        services.shift_update(actor=staff, shift=afternoon, start=at(day, 11), end=at(day, 13))
    assert error.value.code == "shift_overlap"
    afternoon.refresh_from_db()
    assert afternoon.start == at(day, 14)


def test_needed_cannot_drop_below_those_signed_up(branch: Any, volunteer: Any, staff: Any) -> None:
    shift = make_shift(activity=make_activity(branch=branch), needed=2)
    services.shift_signup(actor=volunteer, shift=shift)
    services.shift_signup(actor=make_volunteer(branches=[branch]), shift=shift)
    with pytest.raises(RuleViolation):
        services.shift_update(actor=staff, shift=shift, needed=1)
    assert services.shift_update(actor=staff, shift=shift, needed=3).needed == 3


def test_cancelled_shift_no_longer_blocks_the_volunteers_time(
    branch: Any, volunteer: Any, staff: Any, sent: list
) -> None:
    day = local_today() + timedelta(days=4)
    activity = make_activity(branch=branch)
    first = make_shift(activity=activity, start=at(day, 10))
    services.shift_signup(actor=volunteer, shift=first)
    services.shift_cancel(actor=staff, shift=first, reason="Sygdom")
    assert ("shift.cancelled", first) in [(k, i) for k, i in sent]
    services.shift_signup(actor=volunteer, shift=make_shift(activity=activity, start=at(day, 10)))


def test_staff_of_another_branch_cannot_manage_shifts(branch: Any) -> None:
    outsider = make_user(role=Role.STAFF, branches=[make_branch()], password=None)
    activity = make_activity(branch=branch)
    with pytest.raises(PermissionDenied):
        services.shift_create(
            actor=outsider,
            activity=activity,
            start=at(local_today() + timedelta(days=2), 10),
            end=at(local_today() + timedelta(days=2), 12),
        )


@time_machine.travel("2026-11-25 12:00 +01:00", tick=False)
def test_shift_series_skips_holidays_in_wall_time(branch: Any, staff: Any) -> None:
    activity = make_activity(branch=branch)
    series = services.shift_series_create(
        actor=staff,
        activity=activity,
        start=at(date(2026, 12, 17), 15),
        end=at(date(2026, 12, 17), 17),
        rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=4",
        needed=2,
    )
    days = [s.start.date() for s in series.shifts.order_by("start")]
    assert date(2026, 12, 24) not in days and date(2026, 12, 31) not in days
    assert date(2026, 12, 17) in days and date(2027, 1, 7) in days
    assert all(s.needed == 2 for s in series.shifts.all())


# --- Attendance and hours -------------------------------------------------------------------


def test_hours_per_track_and_quarter_after_a_correction(branch: Any, staff: Any) -> None:
    tracks = list(Track.objects.order_by("position")[:2])
    it_help = make_activity(branch=branch, name="IT-hjælp", tracks=[tracks[0]])
    homework = make_activity(branch=branch, name="Lektiecafé", tracks=[tracks[1]])
    vera = make_volunteer(branches=[branch])
    with time_machine.travel("2026-12-20 12:00 +01:00", tick=False):
        q1 = make_shift(activity=it_help, start=at(date(2026, 2, 10), 10), hours=2)
        q4 = make_shift(activity=it_help, start=at(date(2026, 10, 27), 10), hours=3)
        q4b = make_shift(activity=homework, start=at(date(2026, 11, 3), 15), hours=2)
        signups = [make_signup(shift=s, volunteer=vera) for s in (q1, q4, q4b)]
        for signup in signups:
            services.attendance_record(actor=staff, signup=signup, attended=True)
        assert [s.hours for s in ShiftSignup.objects.order_by("shift__start")] == [
            Decimal("2.00"),
            Decimal("3.00"),
            Decimal("2.00"),
        ]
        services.hours_correct(
            actor=staff, signup=signups[1], hours=Decimal("4.5"), note="Blev til oprydning"
        )
        with pytest.raises(RuleViolation):
            services.hours_correct(actor=staff, signup=signups[1], hours=Decimal("1"), note=" ")
    rows = selectors.hours_report(year=2026, group_by="track", by_quarter=True)
    got = {(r.key, r.quarter): r.hours for r in rows}
    assert got == {
        (tracks[0].slug, 1): Decimal("2.00"),
        (tracks[0].slug, 4): Decimal("4.50"),
        (tracks[1].slug, 4): Decimal("2.00"),
    }
    quarters = {r.key: r.hours for r in selectors.hours_report(year=2026, group_by="quarter")}
    assert quarters == {1: Decimal("2.00"), 4: Decimal("6.50")}
    assert signups[1].corrections.get().old_hours == Decimal("3.00")
    assert selectors.hours_this_year(volunteer=vera, year=2026) == Decimal("8.50")


def test_own_report_is_confirmed_by_the_coordinator(
    branch: Any, volunteer: Any, staff: Any
) -> None:
    shift = make_shift(
        activity=make_activity(branch=branch), start=at(local_today() - timedelta(days=1), 10)
    )
    signup = make_signup(shift=shift, volunteer=volunteer)
    services.attendance_report(actor=volunteer, signup=signup, hours=Decimal("1.5"))
    signup = services.attendance_record(actor=staff, signup=signup, attended=True)
    assert signup.hours == Decimal("1.50")
    assert services.attendance_record(actor=staff, signup=signup, attended=False).hours is None


# --- Profiles -------------------------------------------------------------------------------


def test_enrol_gives_an_account_the_volunteer_role(branch: Any, staff: Any, citizen: Any) -> None:
    profile = services.volunteer_enrol(
        actor=staff, user=citizen, branches=[branch], agreement_signed_on=local_today()
    )
    citizen.refresh_from_db()
    assert citizen.role == Role.VOLUNTEER
    assert list(profile.branches.all()) == [branch]
    with pytest.raises(Conflict):
        services.volunteer_enrol(actor=staff, user=citizen, branches=[branch])
    with pytest.raises(PermissionDenied):
        services.volunteer_enrol(
            actor=staff, user=make_user(password=None), branches=[make_branch()]
        )


def test_certificates_expiring_lists_child_volunteers_only(branch: Any) -> None:
    homework = make_activity(branch=branch, children_under_15=True)
    it_help = make_activity(branch=branch)
    today = local_today()
    missing = make_volunteer(branches=[branch], name="Mangler")
    soon = make_volunteer(
        branches=[branch],
        certificate="clear",
        checked_on=today.replace(year=today.year - 2) + timedelta(days=30),
        name="Snart",
    )
    fine = make_volunteer(branches=[branch], certificate="clear", checked_on=today, name="Fin")
    not_child = make_volunteer(branches=[branch], name="Ingen børn")
    for person in (missing, soon, fine):
        person.volunteer_profile.activities.add(homework)
    not_child.volunteer_profile.activities.add(it_help)
    # A sign-up for a coming child shift also counts as "on a child activity".
    signed = make_volunteer(branches=[branch], name="Tilmeldt")
    make_signup(shift=make_shift(activity=homework), volunteer=signed)
    names = {p.user.name for p in selectors.certificates_expiring(within_days=60)}
    assert names == {"Mangler", "Snart", "Tilmeldt"}
    assert {p.user.name for p in selectors.certificates_expiring(within_days=10)} == {
        "Mangler",
        "Tilmeldt",
    }
    assert VolunteerProfile.objects.count() == 5
