"""One approval queue (/lokaler/godkendelse/): every waiting room request of the staff
member's branches in one list, oldest request first, approved or rejected from the list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.models import AuditLog, Branch, Role, User
from notifications.models import Delivery
from rooms import services
from rooms.models import Booking, BookingStatus, Room
from tests.factories import make_branch, make_user
from tests.rooms.factories import at, future_day, future_series_day, make_room

pytestmark = pytest.mark.django_db
QUEUE = "/lokaler/godkendelse/"


@dataclass
class Scene:
    viby: Branch
    jyllinge: Branch
    viby_room: Room
    jyllinge_room: Room
    staff: User


def _request(room: Room, *, days: int, hour: int = 10, name: str = "") -> Booking:
    booker = make_user(password=None, name=name or f"Booker {days}-{hour}")
    day = future_day(days)
    return services.booking_request(
        actor=booker,
        room=room,
        start=at(day, hour),
        end=at(day, hour + 1),
        purpose="Møde",
        attendees=3,
    ).first


@pytest.fixture
def scene() -> Scene:
    viby = make_branch(name="Viby", slug="viby")
    jyllinge = make_branch(name="Jyllinge", slug="jyllinge")
    return Scene(
        viby=viby,
        jyllinge=jyllinge,
        viby_room=make_room(branch=viby, name="Viby-salen", requires_approval=True),
        jyllinge_room=make_room(branch=jyllinge, name="Jyllinge-salen", requires_approval=True),
        staff=make_user(role=Role.STAFF, branches=[viby], password=None, name="Vibeke"),
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_the_queue_lists_the_branches_requests_oldest_first_with_price_and_requester(
    scene: Scene,
) -> None:
    later_date_older_request = _request(scene.viby_room, days=9, name="Anna Først")
    sooner_date_newer_request = _request(scene.viby_room, days=3, name="Bo Bagefter")
    Booking.objects.filter(pk=later_date_older_request.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    Booking.objects.filter(pk=sooner_date_newer_request.pk).update(price_dkk=250)
    _request(scene.jyllinge_room, days=4, name="Jens Jyllinge")
    body = _client(scene.staff).get(QUEUE).content.decode()
    assert body.index("Anna Først") < body.index("Bo Bagefter")  # the oldest request first
    assert "Viby-salen" in body and "250" in body
    assert "Jyllinge" not in body  # another branch's request is not shown, nor its branch


def test_administrators_see_every_branch_and_may_narrow_it(scene: Scene) -> None:
    _request(scene.viby_room, days=3, name="Anna Viby")
    _request(scene.jyllinge_room, days=3, name="Jens Jyllinge")
    admin = _client(make_user(role=Role.ADMINISTRATOR, password=None))
    body = admin.get(QUEUE).content.decode()
    assert "Anna Viby" in body and "Jens Jyllinge" in body
    narrowed = admin.get(QUEUE, {"filial": "jyllinge"}).content.decode()
    assert "Jens Jyllinge" in narrowed and "Anna Viby" not in narrowed


def test_staff_cannot_open_another_branch_or_the_queue_as_citizens(scene: Scene) -> None:
    assert _client(scene.staff).get(QUEUE, {"filial": "jyllinge"}).status_code == 404
    assert _client(make_user(password=None)).get(QUEUE).status_code == 404


def test_approve_from_the_queue(scene: Scene) -> None:
    booking = _request(scene.viby_room, days=3)
    response = _client(scene.staff).post(f"/lokaler/booking/{booking.pk}/godkend/", {"next": QUEUE})
    assert response.status_code == 302 and response["Location"] == QUEUE
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    audit = AuditLog.objects.get(action="booking.confirmed", target_id=str(booking.pk))
    assert audit.actor == scene.staff
    assert Delivery.objects.filter(kind="booking.confirmed", recipient=booking.booker).exists()
    assert "Booker" not in _client(scene.staff).get(QUEUE).content.decode()


def test_reject_from_the_queue_needs_a_reason_the_booker_reads(scene: Scene) -> None:
    booking = _request(scene.viby_room, days=3)
    client = _client(scene.staff)
    refused = client.post(f"/lokaler/booking/{booking.pk}/afvis/", {"next": QUEUE, "reason": ""})
    assert refused["Location"] == QUEUE
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING
    assert "Please give the booker a reason." in client.get(QUEUE).content.decode()
    client.post(f"/lokaler/booking/{booking.pk}/afvis/", {"next": QUEUE, "reason": "Lukket"})
    booking.refresh_from_db()
    assert (booking.status, booking.rejection_reason) == (BookingStatus.REJECTED, "Lukket")
    assert AuditLog.objects.filter(action="booking.rejected", target_id=str(booking.pk)).exists()
    assert Delivery.objects.filter(kind="booking.rejected", recipient=booking.booker).exists()


def test_staff_of_another_branch_cannot_decide(scene: Scene) -> None:
    booking = _request(scene.jyllinge_room, days=3)
    response = _client(scene.staff).post(f"/lokaler/booking/{booking.pk}/godkend/", {"next": QUEUE})
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING


def test_a_series_is_one_row_and_approved_as_a_whole(scene: Scene) -> None:
    booker = make_user(password=None, name="Serie-Sanne")
    day = future_series_day(7, weeks=3)
    first = services.booking_request(
        actor=booker,
        room=scene.viby_room,
        start=at(day, 12),
        end=at(day, 13),
        purpose="Strikkeklub",
        attendees=5,
        every_weeks=1,
        until=day + timedelta(weeks=3),
    ).first
    client = _client(scene.staff)
    body = client.get(QUEUE).content.decode()
    assert body.count("Serie-Sanne") == 1 and "series: 4 dates" in body
    client.post(f"/lokaler/booking/{first.pk}/godkend/", {"next": QUEUE, "whole_series": "1"})
    statuses = set(
        Booking.objects.filter(series_id=first.series_id).values_list("status", flat=True)
    )
    assert statuses == {BookingStatus.CONFIRMED}
    assert AuditLog.objects.filter(action="booking.confirmed").count() == 4


def test_the_branch_pages_still_work_and_link_to_the_queue(scene: Scene) -> None:
    _request(scene.viby_room, days=3, name="Anna Viby")
    body = _client(scene.staff).get(f"{QUEUE}viby/").content.decode()
    assert "Anna Viby" in body and f'href="{QUEUE}"' in body


@pytest.mark.parametrize("size", [1, 4])
def test_the_queue_costs_the_same_queries_at_any_size(
    scene: Scene, size: int, django_assert_num_queries: object
) -> None:
    for n in range(size):
        _request(scene.viby_room, days=3 + n)
    client = _client(scene.staff)
    # session 1, user 1, the person's branches 1, the requests (with room, branch, booker,
    # partner and the series' numbers) 1, the main menu and messages: the rest.
    client.get(QUEUE)  # warm
    with django_assert_num_queries(4) as captured:  # type: ignore[operator]
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert len(captured.captured_queries) == 4
