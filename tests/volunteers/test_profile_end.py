"""Volunteer profiles are removed when a volunteer stops (staff) or after 12 months without a
shift (retention): the personal fields go, the hours already given stay counted."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.exceptions import NotFound
from core.models import AuditLog, Role, Track, User
from core.timeutils import local_tz
from plans.selectors import coverage
from tests.factories import make_branch, make_user
from tests.volunteers.factories import make_activity, make_shift, make_signup, make_volunteer
from volunteers import services, tasks
from volunteers.models import CertificateStatus, SignupStatus, VolunteerProfile

pytestmark = pytest.mark.django_db


def page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _hours(year: int) -> Decimal:
    return coverage(year=year, now=timezone.now()).total(whole_year=True).volunteer_hours


@pytest.fixture
def stopping(branch: Any) -> dict[str, Any]:
    """A volunteer with a past attended shift (hours in the plan) and a coming one."""
    activity = make_activity(branch=branch, tracks=list(Track.objects.all()[:1]))
    volunteer = make_volunteer(
        branches=[branch], certificate=CertificateStatus.CLEAR, name="Vera Volunteer"
    )
    VolunteerProfile.objects.filter(user=volunteer).update(
        skills="Lektiehjælp", availability_notes="Tirsdage"
    )
    now = timezone.now()
    done = make_signup(
        shift=make_shift(activity=activity, start=now - timedelta(days=2)),
        volunteer=volunteer,
        attended=True,
        hours="2.5",
    )
    coming = make_signup(
        shift=make_shift(activity=activity, start=now + timedelta(hours=3)), volunteer=volunteer
    )
    year = timezone.localtime(done.shift.start, local_tz()).year
    return {"volunteer": volunteer, "done": done, "coming": coming, "year": year}


def test_staff_end_a_profile_on_the_staff_page_and_the_hours_stay(
    stopping: dict[str, Any], staff: User
) -> None:
    volunteer = stopping["volunteer"]
    profile = VolunteerProfile.objects.get(user=volunteer)
    hours_before = _hours(stopping["year"])
    assert hours_before == Decimal("2.5")
    client = page_client(staff)
    listing = client.get(reverse("volunteers:staff-volunteers"))
    assert listing.status_code == 200 and b"Vera Volunteer" in listing.content
    url = reverse("volunteers:staff-volunteer-end", args=[profile.pk])

    # Without the confirmation tick nothing happens.
    client.post(url, {"reason": "Moved away"})
    assert VolunteerProfile.objects.filter(pk=profile.pk).exists()

    response = client.post(url, {"reason": "Moved away", "confirm": "yes"})
    assert response.status_code == 302
    assert not VolunteerProfile.objects.filter(pk=profile.pk).exists()  # skills, certificate...
    volunteer.refresh_from_db()
    assert volunteer.role == Role.CITIZEN
    stopping["coming"].refresh_from_db()
    assert stopping["coming"].status == SignupStatus.WITHDRAWN
    done = stopping["done"]
    done.refresh_from_db()
    assert (done.status, done.attended, done.hours) == (
        SignupStatus.SIGNED_UP,
        True,
        Decimal("2.50"),
    )
    assert _hours(stopping["year"]) == hours_before
    row = AuditLog.objects.get(action="volunteer.profile_ended")
    assert row.actor == staff and row.data["reason"] == "Moved away"
    assert row.data["signups_withdrawn"] == 1


def test_staff_of_another_branch_cannot_end_the_profile(stopping: dict[str, Any]) -> None:
    elsewhere = make_user(role=Role.STAFF, branches=[make_branch()], password=None)
    profile = VolunteerProfile.objects.get(user=stopping["volunteer"])
    with pytest.raises(NotFound):
        services.volunteer_profile_end(actor=elsewhere, profile=profile, reason="")
    response = page_client(elsewhere).post(
        reverse("volunteers:staff-volunteer-end", args=[profile.pk]), {"confirm": "yes"}
    )
    assert response.status_code == 404
    assert VolunteerProfile.objects.filter(pk=profile.pk).exists()


def test_an_administrator_ends_profiles_with_the_admin_action(
    stopping: dict[str, Any], administrator: User
) -> None:
    profile = VolunteerProfile.objects.get(user=stopping["volunteer"])
    client = Client()
    client.force_login(administrator)
    url = reverse("admin:volunteers_volunteerprofile_changelist")
    asked = client.post(url, {"action": "end_profiles", "_selected_action": [profile.pk]})
    assert asked.status_code == 200  # a page asks for the reason first
    assert VolunteerProfile.objects.filter(pk=profile.pk).exists()
    response = client.post(
        url,
        {
            "action": "end_profiles",
            "_selected_action": [profile.pk],
            "apply": "1",
            "reason": "Moved away",
        },
    )
    assert response.status_code == 302
    assert not VolunteerProfile.objects.filter(pk=profile.pk).exists()
    assert AuditLog.objects.get(action="volunteer.profile_ended").actor == administrator


def test_profiles_without_a_shift_for_12_months_are_removed_and_the_hours_stay(
    branch: Any,
) -> None:
    now = timezone.now()
    long_ago = now - timedelta(days=400)
    activity = make_activity(branch=branch, tracks=list(Track.objects.all()[:1]))

    def volunteer_with_shift(shift_start: Any | None) -> User:
        user = make_volunteer(branches=[branch], certificate=CertificateStatus.CLEAR)
        if shift_start is not None:
            make_signup(
                shift=make_shift(activity=activity, start=shift_start),
                volunteer=user,
                attended=True,
                hours="3",
            )
        VolunteerProfile.objects.filter(user=user).update(created_at=long_ago, updated_at=long_ago)
        return user

    idle = volunteer_with_shift(now - timedelta(days=380))
    never = volunteer_with_shift(None)
    recent = volunteer_with_shift(now - timedelta(days=300))
    coming = volunteer_with_shift(now + timedelta(days=5))
    new = make_volunteer(branches=[branch])  # joined recently, no shift yet
    touched = volunteer_with_shift(None)
    VolunteerProfile.objects.filter(user=touched).update(updated_at=now - timedelta(days=10))
    old_year = timezone.localtime(now - timedelta(days=380), local_tz()).year
    hours_before = _hours(old_year)
    assert hours_before >= Decimal("3")

    assert tasks.remove_idle_profiles.name == "volunteers.remove_idle_profiles"
    assert tasks.remove_idle_profiles.apply().get() == 2

    remaining = set(VolunteerProfile.objects.values_list("user_id", flat=True))
    assert remaining == {recent.pk, coming.pk, new.pk, touched.pk}
    assert idle.pk not in remaining and never.pk not in remaining
    idle.refresh_from_db()
    assert idle.role == Role.CITIZEN
    assert _hours(old_year) == hours_before
    assert AuditLog.objects.filter(action="volunteer.profile_ended", actor=None).count() == 2
    assert AuditLog.objects.get(action="volunteer_profiles.removed_idle").data["count"] == 2
    assert services.volunteer_profiles_remove_idle() == 0  # idempotent


def test_the_retention_runs_daily_in_beat() -> None:
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["volunteers.remove_idle_profiles"] == 86400.0
