"""Issue #13, point 6: staff link partners to events and to plan initiatives from the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from core.models import Track
from core.timeutils import local_today
from events.models import Event
from tests.events.factories import make_event, make_staff
from tests.factories import make_branch, make_partner

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.cookies.load({"django_language": "en"})
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_staff_link_a_partner_to_a_new_event_and_see_it_on_the_event_page() -> None:
    branch = make_branch()
    partner = make_partner(name="Ældresagen Roskilde")
    client = _client(make_staff(branch))
    assert "Ældresagen Roskilde" in client.get("/personale/arrangementer/ny/").content.decode()
    form = {
        "title": "Bankoaften",
        "branch": branch.pk,
        "place_kind": "branch",
        "day": (local_today() + timedelta(days=20)).isoformat(),
        "start_time": "18:00",
        "end_time": "20:00",
        "registration_required": "on",
        "max_seats_per_registration": 1,
        "price_dkk": "0",
        "capacity": 30,
        "tracks": [Track.objects.order_by("pk").first().pk],
        "partners": [partner.pk],
        "publish": "on",
        "create": "1",
    }
    assert client.post("/personale/arrangementer/ny/", form).status_code == 302
    event = Event.objects.get(title="Bankoaften")
    assert list(event.partners.all()) == [partner]
    page = client.get(f"/arrangementer/{event.pk}/").content.decode()
    assert "In cooperation with" in page and "Ældresagen Roskilde" in page


def test_staff_link_a_partner_to_an_existing_event_from_its_edit_page() -> None:
    branch = make_branch()
    event = make_event(branch=branch, title="Læseklub")
    partner = make_partner(name="Røde Kors")
    client = _client(make_staff(branch))
    page = client.get(f"/personale/arrangementer/{event.pk}/ret/")
    assert page.status_code == 200 and "Røde Kors" in page.content.decode()
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False, "")}
    data.update(
        day=form.initial["day"].isoformat(),
        start_time=form.initial["start_time"].strftime("%H:%M"),
        end_time=form.initial["end_time"].strftime("%H:%M"),
        tracks=[t.pk for t in form.initial["tracks"]],
        partners=[partner.pk],
        published="on",
    )
    assert client.post(f"/personale/arrangementer/{event.pk}/ret/", data).status_code == 302
    assert list(Event.objects.get(pk=event.pk).partners.all()) == [partner]
