"""Staff pages for volunteers and activities: enrol by e-mail, record a child certificate
from the profiles list, see hours, create and edit activities (own branches only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from core.contracts import AuditAction
from core.models import AuditLog, User
from core.timeutils import local_today
from tests.factories import make_branch, make_user
from tests.volunteers.factories import at, make_activity, make_shift, make_signup, make_volunteer
from volunteers.models import Activity, CertificateStatus, VolunteerProfile

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_staff_enrol_an_existing_account_by_email(staff: User, branch: Any) -> None:
    person = make_user(email="Karen@Example.org", name="Karen Kirk", password=None)
    response = logged_in(staff).post(
        "/personale/frivillige/profiler/ny/",
        {"email": " karen@example.org ", "branches": [branch.pk], "skills": "IT"},
    )
    assert response.status_code == 302
    profile = VolunteerProfile.objects.get(user=person)
    assert list(profile.branches.all()) == [branch]
    assert AuditLog.objects.filter(action=AuditAction.VOLUNTEER_ENROLLED).count() == 1
    page = logged_in(staff).get("/personale/frivillige/profiler/").content.decode()
    assert "Karen Kirk" in page


def test_unknown_email_or_another_branch_is_a_form_error(staff: User, branch: Any) -> None:
    client = logged_in(staff)
    response = client.post(
        "/personale/frivillige/profiler/ny/",
        {"email": "nobody@example.org", "branches": [branch.pk]},
    )
    assert response.status_code == 200
    assert "No account has this e-mail address" in response.content.decode()
    other = make_branch()
    make_user(email="ole@example.org", password=None)
    response = client.post(
        "/personale/frivillige/profiler/ny/", {"email": "ole@example.org", "branches": [other.pk]}
    )
    assert response.status_code == 200
    for bad in ({"email": "x", "branches": ["9" * 30]}, {"email": "a@b.dk", "branches": ["x"]}):
        assert client.post("/personale/frivillige/profiler/ny/", bad).status_code == 200
    assert not VolunteerProfile.objects.exists()


def test_enrolling_twice_is_a_form_error(staff: User, branch: Any) -> None:
    make_volunteer(branches=[branch], email="vera@example.org")
    response = logged_in(staff).post(
        "/personale/frivillige/profiler/ny/", {"email": "vera@example.org", "branches": [branch.pk]}
    )
    assert response.status_code == 200
    assert "already a volunteer" in response.content.decode()


def test_certificate_recorded_from_the_profiles_list(staff: User, branch: Any) -> None:
    volunteer = make_volunteer(branches=[branch])
    profile = VolunteerProfile.objects.get(user=volunteer)
    page = logged_in(staff).get("/personale/frivillige/profiler/").content.decode()
    assert f"/personale/frivillige/boerneattester/{profile.pk}/" in page
    checked = local_today() - timedelta(days=3)
    response = logged_in(staff).post(
        f"/personale/frivillige/boerneattester/{profile.pk}/",
        {
            "status": CertificateStatus.CLEAR,
            "checked_on": checked.isoformat(),
            "next": "/personale/frivillige/profiler/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/personale/frivillige/profiler/"
    profile.refresh_from_db()
    assert profile.certificate_status == CertificateStatus.CLEAR
    assert profile.certificate_checked_on == checked
    row = AuditLog.objects.get(action=AuditAction.VOLUNTEER_CERTIFICATE_RECORDED)
    assert row.actor == staff and row.target_id == str(profile.pk)


def test_profiles_list_shows_this_years_hours(staff: User, branch: Any) -> None:
    volunteer = make_volunteer(branches=[branch], name="Hanne Hjælper")
    make_volunteer(branches=[branch], name="Ny Frivillig")
    day = local_today() - timedelta(days=1)
    if day.year != local_today().year:
        day = local_today()
    shift = make_shift(activity=make_activity(branch=branch), start=at(day, 0, 30))
    make_signup(shift=shift, volunteer=volunteer, attended=True, hours="3.5")
    page = logged_in(staff).get("/personale/frivillige/profiler/").content.decode()
    row = page.split("Hanne Hjælper", 1)[1].split("</tr>", 1)[0]
    assert "3.50" in row or "3,50" in row
    other = page.split("Ny Frivillig", 1)[1].split("</tr>", 1)[0]
    assert "3.50" not in other and "3,50" not in other


def test_create_and_edit_an_activity_at_own_branch(staff: User, branch: Any) -> None:
    client = logged_in(staff)
    response = client.post(
        "/personale/frivillige/aktiviteter/ny/",
        {"branch": branch.pk, "name": "Lektiecafé", "withdraw_deadline_hours": 24},
    )
    assert response.status_code == 302
    activity = Activity.objects.get(name="Lektiecafé")
    assert activity.branch == branch and activity.coordinator == staff
    response = client.post(
        f"/personale/frivillige/aktiviteter/{activity.pk}/",
        {
            "name": "Lektiecafé for 4.-6. klasse",
            "children_under_15": "on",
            "withdraw_deadline_hours": 48,
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.name == "Lektiecafé for 4.-6. klasse"
    assert activity.children_under_15 and activity.withdraw_deadline_hours == 48
    row = AuditLog.objects.get(action=AuditAction.ACTIVITY_CHANGED)
    assert row.data["name"] == ["Lektiecafé", "Lektiecafé for 4.-6. klasse"]
    assert (
        "Lektiecafé for 4.-6. klasse"
        in client.get("/personale/frivillige/aktiviteter/").content.decode()
    )


def test_another_branchs_activity_is_a_404_and_cannot_be_created(staff: User) -> None:
    other = make_branch()
    theirs = make_activity(branch=other, name="Deres")
    client = logged_in(staff)
    assert client.get(f"/personale/frivillige/aktiviteter/{theirs.pk}/").status_code == 404
    assert (
        client.post(
            f"/personale/frivillige/aktiviteter/{theirs.pk}/",
            {"name": "Overtaget", "withdraw_deadline_hours": 24},
        ).status_code
        == 404
    )
    response = client.post(
        "/personale/frivillige/aktiviteter/ny/",
        {"branch": other.pk, "name": "Snydt", "withdraw_deadline_hours": 24},
    )
    assert response.status_code == 200  # not one of the choices
    assert not Activity.objects.filter(name__in=["Overtaget", "Snydt"]).exists()
    assert "Deres" not in client.get("/personale/frivillige/aktiviteter/").content.decode()


def test_bad_activity_input_is_a_form_error(staff: User, branch: Any) -> None:
    client = logged_in(staff)
    for bad in (
        {"branch": branch.pk, "name": "   ", "withdraw_deadline_hours": 24},
        {"branch": branch.pk, "name": "X", "withdraw_deadline_hours": 99999},
        {"branch": "9" * 30, "name": "X", "withdraw_deadline_hours": 24},
        {"branch": branch.pk, "name": "X", "withdraw_deadline_hours": 24, "tracks": ["9" * 30]},
    ):
        assert client.post("/personale/frivillige/aktiviteter/ny/", bad).status_code == 200
    assert not Activity.objects.exists()


def test_citizens_cannot_reach_the_pages(citizen: User) -> None:
    client = logged_in(citizen)
    for url in (
        "/personale/frivillige/profiler/ny/",
        "/personale/frivillige/aktiviteter/",
        "/personale/frivillige/aktiviteter/ny/",
    ):
        assert client.get(url).status_code == 404


def test_activity_update_unchanged_writes_no_audit_row(staff: User, branch: Any) -> None:
    from volunteers import services

    activity = make_activity(branch=branch, name="IT-hjælp")
    services.activity_update(
        actor=staff, activity=activity, data={"name": " IT-hjælp "}, tracks=[], audiences=[]
    )
    assert not AuditLog.objects.filter(action=AuditAction.ACTIVITY_CHANGED).exists()
