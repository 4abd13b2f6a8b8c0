"""Associations host their own public events (issue 14, point 5): a member proposes one in
the association's room booking, staff of the branch approve (published with the association
as host and partner: in the programme, its feed and the plan's coverage) or reject it with a
reason; the member sees the registrations (names only) and checks people in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.exceptions import PermissionDenied, RuleViolation
from core.models import AuditLog, Role
from core.timeutils import local_tz
from events import services
from events.models import AssociationEventStatus, Event, EventState, Registration
from notifications.models import Delivery
from plans import selectors as plan_selectors
from tests.events.factories import make_person
from tests.factories import PASSWORD, make_partner, make_user, track
from tests.rooms.factories import at, future_day, make_booking, make_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(branch: Any, staff: Any) -> dict[str, Any]:
    member = make_user(name="Karen Kasserer")
    association = make_partner(name="Ældre Sagen Lokal")
    association.members.add(member)
    room = make_room(branch=branch, name="Salen", capacity=40)
    day = future_day(10)
    booking = make_booking(
        room=room, start=at(day, 14), end=at(day, 16), booker=member, partner=association
    )
    return {"member": member, "association": association, "booking": booking, "staff": staff}


def _propose(w: dict[str, Any], **kw: Any) -> Any:
    data = {
        "title": "Kom og spil skak",
        "description": "Skak for alle niveauer; brætter haves.",
        "tracks": [track("hygge")] if "tracks" not in kw else kw.pop("tracks"),
        "capacity": 20,
        "registration_required": True,
    }
    data.update(kw)
    return services.association_event_propose(actor=w["member"], booking=w["booking"], **data)


def test_only_a_member_proposes_and_a_track_is_needed(world: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied) as error:
        services.association_event_propose(
            actor=make_person(),
            booking=world["booking"],
            title="x",
            description="y",
            tracks=[track("hygge")],
        )
    assert error.value.code == "not_a_member"
    with pytest.raises(RuleViolation):
        _propose(world, tracks=[])
    proposal = _propose(world)
    assert proposal.status == AssociationEventStatus.PENDING
    assert AuditLog.objects.filter(action="association_event.proposed").exists()


def test_an_approved_event_is_in_the_programme_its_feed_and_the_coverage(
    world: dict[str, Any], api: Any
) -> None:
    proposal = _propose(world)
    proposal = services.association_event_approve(actor=world["staff"], proposal=proposal)
    event = Event.objects.get(pk=proposal.event_id)
    assert event.state == EventState.PUBLISHED
    assert list(event.partners.all()) == [world["association"]]
    assert event.association_proposal.partner == world["association"]  # the host
    detail = Client().get(reverse("events:event-detail", args=[event.pk]))
    assert "Ældre Sagen Lokal" in detail.content.decode()
    assert event.room == world["booking"].room and event.room_booking == world["booking"]
    # the programme (API and page) and the public feed
    listed = api.get("/api/events/", {"branch": event.branch.slug}).json()["results"]
    assert [e["title"] for e in listed] == ["Kom og spil skak"]
    calendar = Client().get(
        reverse("events:calendar"), {"dato": event.start.astimezone(local_tz()).date()}
    )
    assert "Kom og spil skak" in calendar.content.decode()
    feed = Client().get(reverse("notifications:events-feed"), {"branch": event.branch.slug})
    assert b"Kom og spil skak" in feed.content
    # the plan's coverage: the track and the partner
    local_start = event.start.astimezone(local_tz())
    cov = plan_selectors.coverage(year=local_start.year)
    cell = cov.total(track=track("hygge"), whole_year=True)
    assert cell.events_planned == 1
    assert "Ældre Sagen Lokal" in cell.partners
    assert Delivery.objects.filter(
        kind="association_event.approved", recipient=world["member"]
    ).exists()


def test_rejecting_needs_a_reason_and_tells_the_member(world: dict[str, Any]) -> None:
    proposal = _propose(world)
    with pytest.raises(RuleViolation):
        services.association_event_reject(actor=world["staff"], proposal=proposal, reason="")
    services.association_event_reject(
        actor=world["staff"], proposal=proposal, reason="Salen er lovet væk til valget"
    )
    proposal.refresh_from_db()
    assert proposal.status == AssociationEventStatus.REJECTED
    assert proposal.decision_reason == "Salen er lovet væk til valget"
    assert not Event.objects.exists()
    delivery = Delivery.objects.get(kind="association_event.rejected")
    assert delivery.recipient == world["member"]


def test_staff_of_another_branch_cannot_decide(world: dict[str, Any]) -> None:
    from core.exceptions import NotFound
    from tests.factories import make_branch

    outsider = make_user(role=Role.STAFF, branches=[make_branch()])
    proposal = _propose(world)
    with pytest.raises(NotFound):
        services.association_event_approve(actor=outsider, proposal=proposal)


def test_the_member_sees_names_only_and_checks_people_in(world: dict[str, Any]) -> None:
    import time_machine

    proposal = services.association_event_approve(actor=world["staff"], proposal=_propose(world))
    event = proposal.event
    guest = make_person(name="Gerda Gæst", email="gerda@example.org")
    reg = Registration.objects.create(event=event, user=guest, seats=1, status="confirmed")
    browser = Client()
    browser.cookies["django_language"] = "en"
    browser.login(email=world["member"].email, password=PASSWORD)
    page = browser.get(reverse("events:association-events")).content.decode()
    assert "Kom og spil skak" in page and reverse("events:check-in", args=[event.pk]) in page
    with time_machine.travel(event.start, tick=False):
        door = browser.get(reverse("events:check-in", args=[event.pk])).content.decode()
        assert "Gerda Gæst" in door and "gerda@example.org" not in door
        browser.post(reverse("events:registration-check-in", args=[reg.pk]))
    reg.refresh_from_db()
    assert reg.checked_in_at is not None
    stranger = make_user(name="Ikke medlem")
    other = Client()
    other.login(email=stranger.email, password=PASSWORD)
    assert other.get(reverse("events:check-in", args=[event.pk])).status_code == 404


def test_the_pages_propose_and_the_staff_queue_approves(world: dict[str, Any]) -> None:
    member = Client()
    member.cookies["django_language"] = "en"
    member.login(email=world["member"].email, password=PASSWORD)
    url = reverse("events:association-event-propose", args=[world["booking"].pk])
    response = member.post(
        url,
        {
            "title": "Strikkecafé",
            "description": "Tag dit strikketøj med.",
            "tracks": [track("hygge").pk],
            "registration_required": "0",
        },
    )
    assert response.status_code == 302
    desk = Client()
    desk.cookies["django_language"] = "en"
    desk.login(email=world["staff"].email, password=PASSWORD)
    queue = desk.get(reverse("events:association-proposals")).content.decode()
    assert "Strikkecafé" in queue and "Ældre Sagen Lokal" in queue
    proposal = world["booking"].event_proposals.get()
    desk.post(reverse("events:association-proposal-approve", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == AssociationEventStatus.APPROVED
    assert proposal.event.registration_required is False
    # another member of the public cannot reach the proposal form
    stranger = Client()
    stranger.login(email=make_user().email, password=PASSWORD)
    assert stranger.get(url).status_code == 404
