"""Bad input to the page forms becomes a form error beside the field, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from core.models import Track, User
from events.models import Event
from tests.events.factories import make_event, make_staff
from tests.factories import make_branch
from tests.volunteers.factories import make_volunteer
from volunteers.models import SessionProposal

HUGE = str(2**63)
pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def assert_form_error(response: Any, field: str) -> None:
    assert response.status_code in (200, 400), response.status_code  # the form, shown again
    html = response.content.decode()
    assert 'class="errorlist"' in html
    assert f'name="{field}"' in html  # the form is shown again, with the error beside it


@time_machine.travel("2027-03-01T09:00:00+01:00")
def test_series_form_with_an_absurd_capacity_is_a_form_error() -> None:
    branch = make_branch()
    form = {
        "title": "IT-hjælp",
        "branch": branch.pk,
        "place_kind": "branch",
        "day": "2027-03-23",
        "start_time": "10:00",
        "end_time": "12:00",
        "repeat": "",
        "registration_required": "on",
        "max_seats_per_registration": 1,
        "price_dkk": "0",
        "capacity": HUGE,
        "tracks": [Track.objects.get(slug="digitale-forbindelser").pk],
        "create": "1",
    }
    response = logged_in(make_staff(branch)).post("/personale/arrangementer/ny/", form)
    assert_form_error(response, "capacity")
    assert not Event.objects.exists()


def test_event_edit_with_an_absurd_capacity_is_a_form_error() -> None:
    branch = make_branch()
    event = make_event(branch=branch, capacity=10)
    client = logged_in(make_staff(branch))
    page = client.get(f"/personale/arrangementer/{event.pk}/ret/")
    assert page.status_code == 200
    local, local_end = timezone.localtime(event.start), timezone.localtime(event.end)
    form = {
        "title": event.title,
        "day": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "end_time": local_end.strftime("%H:%M"),
        "place_kind": "branch",
        "capacity": HUGE,
        "max_seats_per_registration": 1,
        "tracks": [Track.objects.get(slug="hygge").pk],
        "published": "on",
    }
    response = client.post(f"/personale/arrangementer/{event.pk}/ret/", form)
    assert_form_error(response, "capacity")
    event.refresh_from_db()
    assert event.capacity == 10


@time_machine.travel("2026-11-25 12:00 +01:00", tick=False)
def test_proposal_form_with_an_absurd_capacity_is_a_form_error() -> None:
    branch = make_branch()
    data = {
        "title": "Julehygge",
        "branch": branch.pk,
        "day": "2026-12-17",
        "start_time": "10:00",
        "end_time": "12:00",
        "capacity": HUGE,
        "tracks": [Track.objects.get(slug="hygge").pk],
        "send": "1",
    }
    response = logged_in(make_volunteer(branches=[branch])).post("/frivillig/forslag/ny/", data)
    assert_form_error(response, "capacity")
    assert not SessionProposal.objects.exists()


def test_drop_in_attendance_with_an_absurd_count_is_refused() -> None:
    branch = make_branch()
    event = make_event(branch=branch, registration_required=False, capacity=None)
    client = logged_in(make_staff(branch))
    with time_machine.travel(event.end):
        response = client.post(
            f"/personale/arrangementer/{event.pk}/fremmoede/", {"attendance_count": HUGE}
        )
    assert response.status_code < 500
    event.refresh_from_db()
    assert event.attendance_count is None


def test_a_tampered_huge_track_id_is_a_form_error_not_a_500() -> None:
    """Checkbox ids beyond the database's integer (pk__in=[2**63]) used to overflow."""
    branch = make_branch()
    form = {"title": "IT-hjælp", "branch": branch.pk, "tracks": [HUGE], "create": "1"}
    response = logged_in(make_staff(branch)).post("/personale/arrangementer/ny/", form)
    assert_form_error(response, "tracks")
    assert not Event.objects.exists()


def test_proposal_form_with_a_tampered_huge_track_id_is_a_form_error() -> None:
    branch = make_branch()
    data = {"title": "Julehygge", "branch": branch.pk, "tracks": [HUGE], "send": "1"}
    response = logged_in(make_volunteer(branches=[branch])).post("/frivillig/forslag/ny/", data)
    assert_form_error(response, "tracks")
    assert not SessionProposal.objects.exists()


def test_initiative_form_with_garbage_year_or_huge_ids_is_no_500() -> None:
    from plans.models import Initiative

    branch = make_branch()
    client = logged_in(make_staff(branch))
    page = client.get("/plan/indsatser/ny/", {"year": "garbage"})
    assert page.status_code == 200
    response = client.post(
        "/plan/indsatser/ny/", {"title": "Læsekreds", "tracks": [HUGE], "branches": [HUGE]}
    )
    assert_form_error(response, "tracks")
    assert not Initiative.objects.exists()
