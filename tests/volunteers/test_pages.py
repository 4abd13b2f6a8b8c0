"""The volunteers' pages, as a person uses them (Django test client, logged in)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from core.models import Track, User
from core.timeutils import local_today
from tests.volunteers.factories import at, make_activity, make_shift, make_signup, make_volunteer
from volunteers.models import SessionProposal, ShiftSignup

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_shows_my_shifts_open_shifts_proposals_and_hours(branch: Any) -> None:
    me = make_volunteer(branches=[branch])
    day = local_today() + timedelta(days=3)
    mine = make_shift(activity=make_activity(branch=branch, name="Sprogcafé"), start=at(day, 10))
    make_signup(shift=mine, volunteer=me)
    make_shift(activity=make_activity(branch=branch, name="IT-hjælp"), start=at(day, 14))
    make_shift(activity=make_activity(branch=branch, name="Lektiecafé", children_under_15=True))
    past = make_shift(activity=mine.activity, start=at(local_today() - timedelta(days=1), 10))
    make_signup(shift=past, volunteer=me, attended=True, hours="2.5")
    SessionProposal.objects.create(
        volunteer=me, title="Strikkecafé", branch=branch, start=at(day, 16), end=at(day, 18)
    )
    html = logged_in(me).get("/frivillig/").content.decode()
    assert "Sprogcafé" in html and "IT-hjælp" in html
    # No certificate: the child activity is not offered.
    assert "Lektiecafé" not in html
    assert "Strikkecafé" in html
    assert "2,5" in html


def test_dashboard_is_for_volunteers_only(citizen: User) -> None:
    assert logged_in(citizen).get("/frivillig/").status_code == 403
    assert Client().get("/frivillig/").status_code == 302


def test_sign_up_and_withdraw_from_the_page(branch: Any) -> None:
    me = make_volunteer(branches=[branch])
    shift = make_shift(activity=make_activity(branch=branch), needed=1)
    client = logged_in(me)
    response = client.post(f"/frivillig/vagter/{shift.pk}/tilmeld/", follow=True)
    assert response.status_code == 200
    signup = ShiftSignup.objects.get(volunteer=me)
    other = logged_in(make_volunteer(branches=[branch]))
    response = other.post(f"/frivillig/vagter/{shift.pk}/tilmeld/", follow=True)
    assert "Vagten er fuld" in response.content.decode()
    assert other.post(f"/frivillig/tilmeldinger/{signup.pk}/afmeld/").status_code == 404
    client.post(f"/frivillig/tilmeldinger/{signup.pk}/afmeld/")
    signup.refresh_from_db()
    assert signup.status == "withdrawn"


@time_machine.travel("2026-11-25 12:00 +01:00", tick=False)
def test_proposal_form_previews_dates_then_sends(branch: Any) -> None:
    me = make_volunteer(branches=[branch])
    client = logged_in(me)
    hygge = Track.objects.get(slug="hygge")
    data = {
        "title": "Julehygge med højtlæsning",
        "branch": branch.pk,
        "day": "2026-12-17",
        "start_time": "10:00",
        "end_time": "12:00",
        "repeat": "FREQ=WEEKLY",
        "times": "3",
        "tracks": [hygge.pk],
        "preview": "1",
    }
    html = client.post("/frivillig/forslag/ny/", data).content.decode()
    assert "<del>" in html  # 24 December is shown as skipped, with the reason
    assert not SessionProposal.objects.exists()
    del data["preview"]
    response = client.post("/frivillig/forslag/ny/", {**data, "send": "1"})
    assert response.status_code == 302
    proposal = SessionProposal.objects.get()
    assert proposal.rrule == "FREQ=WEEKLY;COUNT=3" and proposal.status == "pending"


def test_proposal_form_shows_errors_beside_fields(branch: Any) -> None:
    me = make_volunteer(branches=[branch])
    html = logged_in(me).post("/frivillig/forslag/ny/", {"title": ""}).content.decode()
    assert 'class="errorlist"' in html
    assert not SessionProposal.objects.exists()


def test_staff_unfilled_shifts_per_branch(branch: Any, staff: User) -> None:
    activity = make_activity(branch=branch, name="Lektiecafé")
    soon = make_shift(activity=activity, start=at(local_today() + timedelta(days=2), 15), needed=2)
    make_signup(shift=soon, volunteer=make_volunteer())
    make_shift(activity=activity, start=at(local_today() + timedelta(days=20), 15))
    filled = make_shift(activity=activity, start=at(local_today() + timedelta(days=3), 15))
    make_signup(shift=filled, volunteer=make_volunteer())
    html = logged_in(staff).get("/personale/frivillige/").content.decode()
    assert branch.name in html
    assert f"/personale/frivillige/vagter/{soon.pk}/" in html
    assert f"/personale/frivillige/vagter/{filled.pk}/" not in html
    assert len(re.findall(r"/personale/frivillige/vagter/\d+/", html)) == 1


def test_staff_pages_are_for_staff(branch: Any) -> None:
    me = make_volunteer(branches=[branch])
    for url in (
        "/personale/frivillige/",
        "/personale/frivillige/boerneattester/",
        "/personale/frivillige/timer/",
        "/personale/frivillige/forslag/",
    ):
        assert logged_in(me).get(url).status_code == 403


def test_staff_certificates_page(branch: Any, staff: User) -> None:
    homework = make_activity(branch=branch, children_under_15=True)
    missing = make_volunteer(branches=[branch], name="Mette Mangler")
    missing.volunteer_profile.activities.add(homework)
    html = logged_in(staff).get("/personale/frivillige/boerneattester/").content.decode()
    assert "Mette Mangler" in html


def test_staff_hours_csv(branch: Any, staff: User) -> None:
    activity = make_activity(branch=branch, name="IT-hjælp")
    vera = make_volunteer(branches=[branch], name="Vera Værk")
    shift = make_shift(activity=activity, start=at(date(2026, 2, 3), 10))
    make_signup(shift=shift, volunteer=vera, attended=True, hours=Decimal("2.25"))
    response = logged_in(staff).get(
        "/personale/frivillige/timer/", {"year": 2026, "group_by": "volunteer", "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Frivillig;Kvartal;Timer;Vagter"  # headings in Danish
    assert "Vera Værk;;2,25;1" in text


@time_machine.travel("2026-11-25 12:00 +01:00", tick=False)  # its date is an open day
def test_staff_approve_from_the_queue(branch: Any, staff: User) -> None:
    from tests.rooms.factories import make_room

    me = make_volunteer(branches=[branch])
    day = local_today() + timedelta(days=10)
    proposal = SessionProposal.objects.create(
        volunteer=me,
        title="Brætspilsaften",
        branch=branch,
        room=make_room(branch=branch),
        start=at(day, 18),
        end=at(day, 20),
    )
    proposal.tracks.set([Track.objects.get(slug="hygge")])
    client = logged_in(staff)
    assert "Brætspilsaften" in client.get("/personale/frivillige/forslag/").content.decode()
    client.post(f"/personale/frivillige/forslag/{proposal.pk}/beslut/", {"action": "approve"})
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.event is not None


def test_staff_records_attendance_and_corrects_hours(branch: Any, staff: User) -> None:
    vera = make_volunteer(branches=[branch])
    shift = make_shift(
        activity=make_activity(branch=branch), start=at(local_today() - timedelta(days=2), 10)
    )
    signup = make_signup(shift=shift, volunteer=vera)
    client = logged_in(staff)
    url = f"/personale/frivillige/vagter/{shift.pk}/"
    client.post(url, {"signup": signup.pk, "attended": "yes", "hours": ""})
    signup.refresh_from_db()
    assert signup.attended and signup.hours == Decimal("2.00")
    client.post(
        url, {"signup": signup.pk, "action": "correct", "hours": "3", "note": "Blev længere"}
    )
    signup.refresh_from_db()
    assert signup.hours == Decimal("3.00")
    assert "Blev længere" == signup.corrections.get().note


def test_volunteer_reports_a_past_shift_from_the_dashboard(branch: Any) -> None:
    me = make_volunteer(branches=[branch])
    shift = make_shift(
        activity=make_activity(branch=branch, name="Sprogcafé"),
        start=at(local_today() - timedelta(days=2), 16),
    )
    signup = make_signup(shift=shift, volunteer=me)
    client = logged_in(me)
    assert f"/frivillig/tilmeldinger/{signup.pk}/kom/" in client.get("/frivillig/").content.decode()
    client.post(f"/frivillig/tilmeldinger/{signup.pk}/kom/")
    signup.refresh_from_db()
    assert signup.reported_hours == Decimal("2.00") and signup.attended is None
    assert (
        f"/frivillig/tilmeldinger/{signup.pk}/kom/"
        not in client.get("/frivillig/").content.decode()
    )


def test_staff_records_a_certificate_from_the_page(branch: Any, staff: User) -> None:
    homework = make_activity(branch=branch, children_under_15=True)
    person = make_volunteer(branches=[branch], name="Mette Mangler")
    person.volunteer_profile.activities.add(homework)
    client = logged_in(staff)
    url = f"/personale/frivillige/boerneattester/{person.volunteer_profile.pk}/"
    client.post(url, {"status": "clear", "checked_on": local_today().isoformat()})
    person.volunteer_profile.refresh_from_db()
    assert person.volunteer_profile.certificate_valid_until == local_today().replace(
        year=local_today().year + 2
    )
    html = client.get("/personale/frivillige/boerneattester/").content.decode()
    assert "<td>Mette Mangler<br>" not in html  # no longer in the table (only in the message)


@time_machine.travel("2026-11-25 12:00 +01:00", tick=False)
def test_staff_create_a_series_of_shifts_with_a_preview(branch: Any, staff: User) -> None:
    from volunteers.models import Shift

    activity = make_activity(branch=branch, name="Lektiecafé")
    client = logged_in(staff)
    data = {
        "activity": activity.pk,
        "day": "2026-12-17",
        "start_time": "15:00",
        "end_time": "17:00",
        "needed": "2",
        "repeat": "FREQ=WEEKLY",
        "times": "4",
    }
    html = client.post(
        "/personale/frivillige/vagter/ny/", {**data, "preview": "1"}
    ).content.decode()
    assert "<del>" in html and not Shift.objects.exists()
    response = client.post("/personale/frivillige/vagter/ny/", {**data, "create": "1"})
    assert response.status_code == 302
    days = sorted(s.start.date() for s in Shift.objects.all())
    assert date(2026, 12, 24) not in days and len(days) == 2  # 24/12 and 31/12 are closed
    assert all(s.needed == 2 for s in Shift.objects.all())


def test_staff_cannot_create_shifts_for_another_branch(branch: Any, staff: User) -> None:
    from tests.factories import make_branch

    elsewhere = make_activity(branch=make_branch())
    day = local_today() + timedelta(days=3)
    html = (
        logged_in(staff)
        .post(
            "/personale/frivillige/vagter/ny/",
            {
                "activity": elsewhere.pk,
                "day": day.isoformat(),
                "start_time": "10:00",
                "end_time": "12:00",
                "needed": "1",
            },
        )
        .content.decode()
    )
    assert 'class="errorlist"' in html
    from volunteers.models import Shift

    assert not Shift.objects.exists()


def test_staff_start_page_links_the_volunteer_pages(client: Client) -> None:
    from core.models import Role
    from tests.factories import make_branch, make_user

    client.force_login(make_user(role=Role.STAFF, branches=[make_branch()]))
    text = client.get("/personale/").content.decode()
    for href, label in [
        ("/personale/frivillige/", "Frivillige vagter, der mangler folk"),
        ("/personale/frivillige/boerneattester/", "Frivilliges børneattester"),
        ("/personale/frivillige/timer/", "Frivillige timer"),
        ("/personale/frivillige/forslag/", "Forslag til aktiviteter fra frivillige"),
    ]:
        assert f'href="{href}"' in text, href
        assert label in text, label


def test_volunteer_pages_use_the_sites_danish_date_and_time_style(branch: Any) -> None:
    me = make_volunteer(branches=[branch])
    with time_machine.travel(date(2026, 11, 20)):
        mine = make_shift(
            activity=make_activity(branch=branch, name="Sprogcafé"),
            start=at(date(2026, 11, 26), 10),
        )
        make_signup(shift=mine, volunteer=me)
        make_shift(
            activity=make_activity(branch=branch, name="IT-hjælp"), start=at(date(2026, 11, 26), 14)
        )
        html = logged_in(me).get("/frivillig/").content.decode()
    assert "torsdag 26.11." in html and "10.00–12.00" in html and "14.00–16.00" in html
    assert "10:00" not in html and "Nov" not in html and "november" not in html


def test_proposal_preview_refuses_a_room_at_another_library_and_groups_the_rooms(
    branch: Any,
) -> None:
    from tests.factories import make_branch
    from tests.rooms.factories import make_room

    other = make_branch(name="Gadstrup Bibliotek")
    elsewhere = make_branch(name="Viby Bibliotek")
    make_room(branch=branch, name="Mødelokale 1")
    far_room = make_room(branch=other, name="Lille sal")
    make_room(branch=elsewhere, name="Fremmed rum")
    client = logged_in(make_volunteer(branches=[branch, other]))
    form_page = client.get("/frivillig/forslag/ny/").content.decode()
    assert '<optgroup label="Gadstrup Bibliotek">' in form_page
    assert "Mødelokale 1" in form_page and "Lille sal" in form_page
    assert "Fremmed rum" not in form_page  # not one of the volunteer's libraries
    data = {
        "title": "Julehygge",
        "branch": branch.pk,
        "room": far_room.pk,
        "day": "2026-12-17",
        "start_time": "10:00",
        "end_time": "12:00",
        "tracks": [Track.objects.get(slug="hygge").pk],
        "preview": "1",
    }
    html = client.post("/frivillig/forslag/ny/", data).content.decode()
    assert "Lille sal ligger på Gadstrup Bibliotek" in html
    assert "17.12.2026" not in html  # no preview of dates for a wrong room
    assert not SessionProposal.objects.exists()
