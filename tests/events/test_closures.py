"""Events respect closures (issue #13, point 9).

An event placed or moved onto a day its branch is closed (a public holiday, a calendar
closing day such as Christmas Eve, a ``Closure`` row) is refused with the closure named,
unless staff tick "held although the library is closed" and say why; the reason is kept on
the event, written in the audit row and shown to staff. Series leave closed days out.

Frozen on 1 December 2026, when the demo's author evening three weeks ahead falls on
Christmas Eve (Thursday 24 December 2026).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from core.contracts import AuditAction
from core.exceptions import Conflict, ErrorCode, RuleViolation
from core.models import AuditLog, Closure, User
from core.selectors import closure_reason
from core.timeutils import local_tz, make_local
from events import services
from events.models import Event, EventSeries, EventState
from tests.events.factories import make_event, make_staff
from tests.factories import make_branch, track
from tests.volunteers.factories import make_volunteer
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db

NOW = "2026-12-01 10:00 +01:00"
CHRISTMAS_EVE = date(2026, 12, 24)
DAY_BEFORE = date(2026, 12, 23)
CLOSED_MESSAGE_START = "Jyllinge Bibliotek is closed on 24.12.2026 (Christmas Eve)"


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The messages are asserted in English (msgids); lazy messages are read after the
    ``with`` that raised them, so the whole test runs in English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def jyllinge() -> Any:
    return make_branch(name="Jyllinge Bibliotek", slug="jyllinge-test")


@pytest.fixture
def staff(jyllinge: Any) -> User:
    return make_staff(jyllinge)


def _evening(day: date) -> dict[str, Any]:
    return {"start": make_local(day, time(19)), "end": make_local(day, time(21))}


def _create(staff: User, branch: Any, day: date, **extra: Any) -> Event:
    return services.event_create(
        actor=staff, title="Forfatteraften", branch=branch, **_evening(day), **extra
    )


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.cookies["django_language"] = "en"
    return client


def _page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


# --- The service -----------------------------------------------------------------------------


def test_an_event_on_christmas_eve_is_refused_naming_the_closure(staff, jyllinge) -> None:
    with translation.override("en"), pytest.raises(Conflict) as refused:
        _create(staff, jyllinge, CHRISTMAS_EVE)
    assert refused.value.code == ErrorCode.BRANCH_CLOSED
    assert refused.value.status_code == 409
    assert refused.value.message.startswith(CLOSED_MESSAGE_START)
    assert "Held although the library is closed" in refused.value.message
    assert refused.value.extra["closure"]["date"] == "2026-12-24"
    assert not Event.objects.exists() and not EventSeries.objects.exists()
    # The day before, the library is open: the same event is placed.
    assert _create(staff, jyllinge, DAY_BEFORE).closed_override_reason == ""


def test_held_although_closed_with_a_reason_is_kept_logged_and_shown_to_staff(
    staff, jyllinge
) -> None:
    event = _create(
        staff,
        jyllinge,
        CHRISTMAS_EVE,
        closed_override=True,
        closed_override_reason="  Julelæsning med frivillige, huset åbnes særskilt  ",
        state=EventState.PUBLISHED,
        tracks=[track("fordybelse")],
    )
    assert event.closed_override_reason == "Julelæsning med frivillige, huset åbnes særskilt"
    row = AuditLog.objects.get(action=AuditAction.EVENT_SERIES_CREATED)
    assert row.data["closed_override_reason"] == event.closed_override_reason
    assert row.data["held_when_closed"] == ["2026-12-24T19:00:00+01:00"]
    assert row.actor == staff
    # Shown to staff on the event page and in their list; not to the public.
    staff_page = _page(staff).get(f"/arrangementer/{event.pk}/").content.decode()
    assert "Held although the library is closed:" in staff_page
    assert "Julelæsning med frivillige" in staff_page
    assert (
        "Julelæsning med frivillige"
        in _page(staff).get("/personale/arrangementer/").content.decode()
    )
    public = Client().get(f"/arrangementer/{event.pk}/")
    assert public.status_code == 200
    assert "Julelæsning med frivillige" not in public.content.decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_held_although_closed_without_a_reason_is_refused(staff, jyllinge, reason: str) -> None:
    with translation.override("en"), pytest.raises(RuleViolation) as refused:
        _create(staff, jyllinge, CHRISTMAS_EVE, closed_override=True, closed_override_reason=reason)
    assert refused.value.code == ErrorCode.CLOSED_REASON_REQUIRED
    assert refused.value.field == "closed_override_reason"
    assert refused.value.message.startswith(CLOSED_MESSAGE_START)
    assert not Event.objects.exists()


def test_a_closure_of_the_branch_is_named_and_another_branch_is_not_closed(staff, jyllinge) -> None:
    Closure.objects.create(
        branch=jyllinge, starts_on=date(2026, 12, 9), ends_on=date(2026, 12, 11), reason="Vandskade"
    )
    with translation.override("en"), pytest.raises(Conflict) as refused:
        _create(staff, jyllinge, date(2026, 12, 10))
    assert "(Vandskade)" in refused.value.message
    other = make_branch(name="Viby Bibliotek")
    assert _create(make_staff(other), other, date(2026, 12, 10)).branch == other


def test_a_move_onto_a_closed_day_is_refused_unless_held_with_a_reason(
    staff, jyllinge, signals
) -> None:
    event = _create(staff, jyllinge, DAY_BEFORE)
    with translation.override("en"), pytest.raises(Conflict) as refused:
        services.event_update(actor=staff, event=event, **_evening(CHRISTMAS_EVE))
    assert refused.value.code == ErrorCode.BRANCH_CLOSED
    assert refused.value.message.startswith(CLOSED_MESSAGE_START)
    event.refresh_from_db()
    assert event.start == make_local(DAY_BEFORE, time(19)) and event.sequence == 0

    with pytest.raises(RuleViolation):
        services.event_update(
            actor=staff, event=event, closed_override=True, **_evening(CHRISTMAS_EVE)
        )
    services.event_update(
        actor=staff,
        event=event,
        closed_override=True,
        closed_override_reason="Forfatteren kan kun denne dag",
        **_evening(CHRISTMAS_EVE),
    )
    event.refresh_from_db()
    assert event.start == make_local(CHRISTMAS_EVE, time(19))
    assert event.closed_override_reason == "Forfatteren kan kun denne dag"
    row = AuditLog.objects.filter(action=AuditAction.EVENT_CHANGED).latest("pk")
    assert row.data["old"]["closed_override_reason"] == ""
    assert row.data["new"]["closed_override_reason"] == "Forfatteren kan kun denne dag"

    # Later in the evening of the day it is held on: no new closure, the reason stays.
    services.event_update(
        actor=staff, event=event, start=make_local(CHRISTMAS_EVE, time(18)), end=event.end
    )
    event.refresh_from_db()
    assert event.closed_override_reason == "Forfatteren kan kun denne dag"
    # On to New Year's Eve, another closure: the earlier reason does not cover it.
    with translation.override("en"), pytest.raises(Conflict) as refused:
        services.event_update(actor=staff, event=event, **_evening(date(2026, 12, 31)))
    assert "New Year's Eve" in refused.value.message
    # Back to an open day: the event is no longer held although closed.
    services.event_update(actor=staff, event=event, **_evening(DAY_BEFORE))
    event.refresh_from_db()
    assert event.closed_override_reason == ""


def test_a_change_that_does_not_move_the_event_is_not_refused(staff, jyllinge) -> None:
    """An event left on a day that was closed after it was placed can still be renamed (the
    short-notice closure deals with it); only a move onto a closure is refused."""
    event = make_event(branch=jyllinge, start=make_local(CHRISTMAS_EVE, time(19)))
    services.event_update(actor=staff, event=event, title="Forfatteraften (ny titel)")
    event.refresh_from_db()
    assert event.title == "Forfatteraften (ny titel)"


# --- Series ------------------------------------------------------------------------------


def _thursdays(staff: User, branch: Any, **extra: Any) -> EventSeries:
    return services.series_create(
        actor=staff,
        rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=4",
        title="Læsekreds",
        branch=branch,
        **_evening(date(2026, 12, 17)),
        **extra,
    )


def _local_days(series: EventSeries) -> list[date]:
    return [e.start.astimezone(local_tz()).date() for e in series.events.order_by("start")]


def test_a_series_leaves_out_christmas_eve_and_new_years_eve(staff, jyllinge) -> None:
    series = _thursdays(staff, jyllinge)
    assert _local_days(series) == [date(2026, 12, 17), date(2027, 1, 7)]
    assert not series.events.exclude(closed_override_reason="").exists()


def test_a_series_held_on_closed_days_needs_the_reason(staff, jyllinge) -> None:
    with pytest.raises(RuleViolation) as refused:
        _thursdays(staff, jyllinge, include_closed=True)
    assert refused.value.code == ErrorCode.CLOSED_REASON_REQUIRED
    assert not EventSeries.objects.exists()
    series = _thursdays(
        staff, jyllinge, include_closed=True, closed_override_reason="Julehygge for læsekredsen"
    )
    assert _local_days(series) == [
        date(2026, 12, 17),
        CHRISTMAS_EVE,
        date(2026, 12, 31),
        date(2027, 1, 7),
    ]
    reasons = [e.closed_override_reason for e in series.events.order_by("start")]
    assert reasons == ["", "Julehygge for læsekredsen", "Julehygge for læsekredsen", ""]
    assert series.closed_override_reason == "Julehygge for læsekredsen"


def test_a_series_update_onto_a_closed_day_of_another_branch_is_refused(staff, jyllinge) -> None:
    series = _thursdays(staff, jyllinge)
    roskilde = make_branch(name="Roskilde Bibliotek")
    staff.branches.add(roskilde)
    Closure.objects.create(
        branch=roskilde, starts_on=date(2027, 1, 7), ends_on=date(2027, 1, 7), reason="Flytning"
    )
    with translation.override("en"), pytest.raises(Conflict) as refused:
        services.series_update(actor=staff, series=series, branch=roskilde)
    assert refused.value.code == ErrorCode.BRANCH_CLOSED
    assert "Roskilde Bibliotek is closed on 07.01.2027 (Flytning)" in refused.value.message
    assert set(series.events.values_list("branch", flat=True)) == {jyllinge.pk}


def test_a_series_time_change_keeps_its_dates_held_although_closed(staff, jyllinge) -> None:
    series = _thursdays(
        staff, jyllinge, include_closed=True, closed_override_reason="Julehygge for læsekredsen"
    )
    services.series_update(actor=staff, series=series, start_time=time(18))
    hours = {e.start.astimezone(local_tz()).hour for e in series.events.all()}
    assert hours == {18}
    assert series.events.filter(closed_override_reason="Julehygge for læsekredsen").count() == 2


def test_a_volunteers_proposal_on_a_closed_day_is_refused_when_approved(staff, jyllinge) -> None:
    volunteer = make_volunteer(branches=[jyllinge])
    proposal = volunteer_services.proposal_submit(
        actor=volunteer,
        title="Juleklip",
        branch=jyllinge,
        tracks=[track("hygge")],
        **_evening(CHRISTMAS_EVE),
    )
    with translation.override("en"), pytest.raises(Conflict) as refused:
        volunteer_services.proposal_approve(actor=staff, proposal=proposal)
    assert refused.value.code == ErrorCode.BRANCH_CLOSED
    assert refused.value.message.startswith(CLOSED_MESSAGE_START)
    assert not Event.objects.exists()


# --- The API -----------------------------------------------------------------------------


def _body(day: date, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Forfatteraften",
        "branch": "jyllinge-test",
        "start": make_local(day, time(19)).isoformat(),
        "end": make_local(day, time(21)).isoformat(),
        **extra,
    }


def test_api_refuses_christmas_eve_with_409_and_accepts_the_override(staff, jyllinge) -> None:
    api = _api(staff)
    refused = api.post("/api/events/", _body(CHRISTMAS_EVE), format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "branch_closed"
    assert refused.json()["detail"].startswith(CLOSED_MESSAGE_START)
    assert refused.json()["closure"] == {"date": "2026-12-24", "reason": "Christmas Eve"}

    no_reason = api.post("/api/events/", _body(CHRISTMAS_EVE, closed_override=True), format="json")
    assert no_reason.status_code == 400
    assert no_reason.json()["code"] == "closed_reason_required"
    assert no_reason.json()["field"] == "closed_override_reason"
    assert not Event.objects.exists()

    created = api.post(
        "/api/events/",
        _body(
            CHRISTMAS_EVE,
            closed_override=True,
            closed_override_reason="Særarrangement",
            state="published",
            tracks=["fordybelse"],
        ),
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["closed_override_reason"] == "Særarrangement"
    # The public does not see the staff note.
    public = APIClient().get(f"/api/events/{created.json()['id']}/")
    assert public.status_code == 200
    assert "closed_override_reason" not in public.json()


def test_api_refuses_a_move_onto_a_closed_day(staff, jyllinge) -> None:
    event = _create(staff, jyllinge, DAY_BEFORE)
    api = _api(staff)
    moved = {k: v for k, v in _body(CHRISTMAS_EVE).items() if k in ("start", "end")}
    refused = api.patch(f"/api/events/{event.pk}/", moved, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "branch_closed"
    event.refresh_from_db()
    assert event.start == make_local(DAY_BEFORE, time(19))
    held = api.patch(
        f"/api/events/{event.pk}/",
        {**moved, "closed_override": True, "closed_override_reason": "Særarrangement"},
        format="json",
    )
    assert held.status_code == 200
    assert held.json()["closed_override_reason"] == "Særarrangement"


def test_api_series_leaves_out_closed_days_and_needs_a_reason_to_keep_them(staff, jyllinge) -> None:
    api = _api(staff)
    body = {**_body(date(2026, 12, 17)), "rrule": "FREQ=WEEKLY;BYDAY=TH;COUNT=4"}
    skipped = api.post("/api/event-series/", body, format="json")
    assert skipped.status_code == 201
    assert len(skipped.json()["events"]) == 2
    kept = api.post(
        "/api/event-series/", {**body, "title": "Andet hold", "include_closed": True}, format="json"
    )
    assert kept.status_code == 400
    assert kept.json()["code"] == "closed_reason_required"


# --- The pages ---------------------------------------------------------------------------


def _form(day: date, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Forfatteraften",
        "branch": "",
        "place_kind": "branch",
        "day": day.isoformat(),
        "start_time": "19:00",
        "end_time": "21:00",
        "registration_required": "on",
        "max_seats_per_registration": 2,
        "price_dkk": "50",
        "capacity": 40,
        "tracks": [track("fordybelse").pk],
        "create": "1",
        **extra,
    }


def test_the_page_form_shows_the_closure_and_accepts_the_override(staff, jyllinge) -> None:
    client = _page(staff)
    url = "/personale/arrangementer/ny/"
    refused = client.post(url, _form(CHRISTMAS_EVE, branch=jyllinge.pk))
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert errors["start_time"][0].startswith(CLOSED_MESSAGE_START)
    assert not Event.objects.exists()

    no_reason = client.post(url, _form(CHRISTMAS_EVE, branch=jyllinge.pk, include_closed="on"))
    assert no_reason.status_code == 200
    assert "closed_override_reason" in no_reason.context["form"].errors
    assert not Event.objects.exists()

    created = client.post(
        url,
        _form(
            CHRISTMAS_EVE,
            branch=jyllinge.pk,
            include_closed="on",
            closed_override_reason="Forfatteren kan kun denne dag",
        ),
    )
    assert created.status_code == 302
    event = Event.objects.get()
    assert event.closed_override_reason == "Forfatteren kan kun denne dag"
    # The edit page keeps the tick and the reason, so saving it again changes nothing.
    page = client.get(f"/personale/arrangementer/{event.pk}/ret/")
    initial = page.context["form"].initial
    assert initial["closed_override"] is True
    assert initial["closed_override_reason"] == "Forfatteren kan kun denne dag"


def test_the_edit_page_refuses_a_move_onto_a_closed_day(staff, jyllinge) -> None:
    event = _create(staff, jyllinge, DAY_BEFORE, tracks=[track("fordybelse")])
    client = _page(staff)
    data = {
        "title": event.title,
        "description": "",
        "day": CHRISTMAS_EVE.isoformat(),
        "start_time": "19:00",
        "end_time": "21:00",
        "place_kind": "branch",
        "max_seats_per_registration": 4,
        "tracks": [track("fordybelse").pk],
    }
    refused = client.post(f"/personale/arrangementer/{event.pk}/ret/", data)
    assert refused.status_code == 200
    assert refused.context["form"].errors["start_time"][0].startswith(CLOSED_MESSAGE_START)
    held = client.post(
        f"/personale/arrangementer/{event.pk}/ret/",
        {**data, "closed_override": "on", "closed_override_reason": "Særarrangement"},
    )
    assert held.status_code == 302
    event.refresh_from_db()
    assert event.closed_override_reason == "Særarrangement"


# --- The demo ----------------------------------------------------------------------------


def test_the_demo_holds_no_event_on_a_closed_day_and_loads_twice() -> None:
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    count = Event.objects.count()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Event.objects.count() == count
    # Three weeks ahead is Christmas Eve, the week after New Year's Eve: it moves to 7 January.
    author_evening = Event.objects.get(title="Forfatteraften: nordisk krimi")
    assert author_evening.start.astimezone(local_tz()).date() == date(2027, 1, 7)
    on_closed_days = [
        (e.title, e.start.astimezone(local_tz()).date())
        for e in Event.objects.select_related("branch").exclude(state=EventState.CANCELLED)
        if not e.closed_override_reason
        and closure_reason(branch=e.branch, day=e.start.astimezone(local_tz()).date())
    ]
    assert on_closed_days == []
