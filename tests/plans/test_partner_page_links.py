"""Issue #13, point 6: the partner's own page lists the events (coming and past) and the plan's
initiatives linked to it, and staff link or unlink them from there, through the events and
plans services (audit row); staff of another branch are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.contracts import AuditAction
from core.models import AuditLog, Partner, Role, User
from core.timeutils import local_today
from events.models import Event
from plans.models import Initiative, Plan
from tests.factories import make_branch, make_partner, track
from tests.plans.factories import make_event, make_initiative, make_person, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _link(client: Client, partner: Partner, source: str, pk: int, action: str) -> str:
    response = client.post(
        f"/personale/partnere/{partner.pk}/forbindelser/",
        {"source": source, "object": pk, "action": action},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def _fill(partner: Partner, n: int, *, branch: object) -> None:
    now = timezone.now()
    plan = Plan.objects.filter(year=local_today().year).first() or make_plan(
        year=local_today().year
    )
    for i in range(n):
        make_event(
            branch=branch,  # type: ignore[arg-type]
            start=now + timedelta(days=3 + i),
            partners=[partner],
            title=f"Kommende {i}",
        )
        make_event(
            branch=branch,  # type: ignore[arg-type]
            start=now - timedelta(days=3 + i),
            partners=[partner],
            title=f"Afholdt {i}",
        )
        make_initiative(
            plan=plan,
            tracks=[track("hygge")],
            branches=[branch],  # type: ignore[list-item]
            partners=[partner],
            title=f"Indsats {i}",
        )


def _page_queries(client: Client, partner: Partner) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/personale/partnere/{partner.pk}/")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_partner_page_lists_linked_events_and_initiatives_in_fixed_queries() -> None:
    branch = make_branch(name="Jyllinge Bibliotek", slug="jyllinge")
    staff = make_person(role=Role.STAFF, branches=[branch])
    client = _client(staff)
    small, large = make_partner(name="Lille forening"), make_partner(name="Stor forening")
    _fill(small, 1, branch=branch)
    _fill(large, 5, branch=branch)
    small_page, small_queries = _page_queries(client, small)
    large_page, large_queries = _page_queries(client, large)
    assert small_queries == large_queries
    coming = Event.objects.get(title="Kommende 0", partners=small)
    past = Event.objects.get(title="Afholdt 0", partners=small)
    initiative = Initiative.objects.get(title="Indsats 0", partners=small)
    assert f'href="/personale/arrangementer/{coming.pk}/ret/"' in small_page
    assert f'href="/plan/indsatser/{initiative.pk}/"' in small_page
    # Coming events come under their heading, past events under theirs, before the plan's.
    headings = [small_page.index(t) for t in ("Coming events", "Past events", "Initiatives")]
    assert headings == sorted(headings)
    assert headings[0] < small_page.index("Kommende 0") < headings[1]
    assert headings[1] < small_page.index(past.title) < headings[2]
    assert small_page.index("Indsats 0") > headings[2]
    assert "Kommende 4" in large_page and "Afholdt 4" in large_page and "Indsats 4" in large_page
    assert "Afholdt 4" not in small_page  # only the partner's own (past ones are not offered)


def test_staff_link_and_unlink_an_event_and_an_initiative_from_the_partner_page() -> None:
    branch = make_branch(name="Viby Bibliotek", slug="viby")
    staff = make_person(role=Role.STAFF, branches=[branch])
    partner = make_partner(name="Ældre Sagen")
    event = make_event(
        branch=branch,
        start=timezone.now() + timedelta(days=5),
        title="Banko",
        tracks=[track("hygge")],
    )
    initiative = make_initiative(
        plan=make_plan(year=local_today().year),
        tracks=[track("hygge")],
        branches=[branch],
        title="Læsekreds for ældre",
    )
    client = _client(staff)
    page = client.get(f"/personale/partnere/{partner.pk}/").content.decode()
    assert "Banko" in page and "Læsekreds for ældre" in page  # offered to link

    page = _link(client, partner, "events", event.pk, "link")
    assert "The link is saved." in page
    assert list(event.partners.all()) == [partner]
    row = AuditLog.objects.get(action=AuditAction.EVENT_CHANGED, target_id=str(event.pk))
    assert row.actor == staff and row.data["old"]["partners"] == []
    _link(client, partner, "initiatives", initiative.pk, "link")
    assert list(initiative.partners.all()) == [partner]
    row = AuditLog.objects.get(action=AuditAction.INITIATIVE_CHANGED)
    assert row.data["partners"] == {"old": [], "new": [partner.pk]}
    page = client.get(f"/personale/partnere/{partner.pk}/").content.decode()
    assert 'Unlink<span class="visually-hidden"> Banko' in page

    page = _link(client, partner, "events", event.pk, "unlink")
    assert "The link is removed." in page
    assert not event.partners.exists()
    _link(client, partner, "initiatives", initiative.pk, "unlink")
    assert not initiative.partners.exists()
    assert AuditLog.objects.filter(action=AuditAction.INITIATIVE_CHANGED).count() == 2
    # Unlinking again changes nothing and writes no row.
    _link(client, partner, "initiatives", initiative.pk, "unlink")
    assert AuditLog.objects.filter(action=AuditAction.INITIATIVE_CHANGED).count() == 2


def test_staff_of_another_branch_may_not_link_or_unlink() -> None:
    roskilde = make_branch(name="Roskilde Bibliotek", slug="roskilde")
    viby = make_branch(name="Viby Bibliotek", slug="viby")
    outsider = make_person(role=Role.STAFF, branches=[viby])
    partner = make_partner(name="Coding Pirates")
    linked = make_event(
        branch=roskilde, start=timezone.now() + timedelta(days=4), partners=[partner], title="Kode"
    )
    free = make_event(
        branch=roskilde,
        start=timezone.now() + timedelta(days=6),
        title="Robotter",
        tracks=[track("hygge")],
    )
    initiative = make_initiative(
        plan=make_plan(year=local_today().year),
        tracks=[track("hygge")],
        branches=[roskilde],
        partners=[partner],
        title="Kodeklub",
    )
    client = _client(outsider)
    page = client.get(f"/personale/partnere/{partner.pk}/").content.decode()
    assert "Kode" in page and "Kodeklub" in page  # listed, but not theirs to change
    assert "Unlink" not in page and "Robotter" not in page

    page = _link(client, partner, "events", linked.pk, "unlink")
    assert "Only staff of Roskilde Bibliotek may change its events." in page
    page = _link(client, partner, "events", free.pk, "link")
    assert "Only staff of Roskilde Bibliotek may change its events." in page
    page = _link(client, partner, "initiatives", initiative.pk, "unlink")
    assert "You can only change initiatives of your own branches." in page
    assert list(linked.partners.all()) == [partner] and not free.partners.exists()
    assert list(initiative.partners.all()) == [partner]
    assert not AuditLog.objects.filter(
        action__in=[AuditAction.EVENT_CHANGED, AuditAction.INITIATIVE_CHANGED]
    ).exists()


def test_bad_link_requests_are_messages_and_citizens_do_not_reach_the_page() -> None:
    branch = make_branch(name="Viby Bibliotek", slug="viby")
    partner = make_partner(name="Læseforeningen")
    client = _client(make_person(role=Role.STAFF, branches=[branch]))
    assert "Choose what to link." in _link(client, partner, "events", 0, "link")
    assert "The event does not exist." in _link(client, partner, "events", 999999, "link")
    assert "nothing of that kind" in _link(client, partner, "rooms", 1, "link")
    url = f"/personale/partnere/{partner.pk}/forbindelser/"
    assert client.get(url).status_code == 405
    assert client.post("/personale/partnere/999999/forbindelser/", {}).status_code == 404
    citizen = _client(make_person())
    response = citizen.post(url, {"source": "events", "object": 1, "action": "link"})
    assert response.status_code == 404
