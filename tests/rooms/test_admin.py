import pytest
from django.test import Client

from tests.factories import make_user
from tests.rooms.factories import at, future_day, make_booking, make_equipment, make_room

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["room", "booking", "equipment", "licence", "equipmentbooking"])
def test_admin_lists_and_searches(model: str) -> None:
    admin = make_user(role="administrator", email="admin-rooms@example.org")
    room = make_room()
    day = future_day(3)
    make_booking(room=room, start=at(day, 10), end=at(day, 11), booker=make_user())
    make_equipment()
    client = Client()
    client.force_login(admin)
    assert client.get(f"/admin/rooms/{model}/").status_code == 200
    assert client.get(f"/admin/rooms/{model}/?q=x").status_code == 200
    assert client.get("/admin/rooms/room/add/").status_code == 200


def test_admin_grants_a_licence_through_the_service() -> None:
    from core.models import AuditLog
    from rooms.models import Licence

    admin = make_user(role="administrator", email="admin-lic@example.org")
    person = make_user()
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/rooms/licence/add/",
        {"person": person.pk, "equipment_kind": "laser_cutter", "source": "staff"},
    )
    assert response.status_code == 302
    licence = Licence.objects.get(person=person)
    assert licence.granted_by == admin
    assert AuditLog.objects.filter(action="licence.granted", target_id=str(licence.pk)).exists()


def test_admin_rejects_a_request_through_the_service_with_the_reason() -> None:
    from core.models import AuditLog
    from notifications.models import Delivery
    from rooms import services
    from rooms.models import BookingStatus

    admin = make_user(role="administrator", email="admin-reject@example.org")
    booker = make_user()
    room = make_room(requires_approval=True)
    day = future_day(4)
    booking = services.booking_request(
        actor=booker, room=room, start=at(day, 10), end=at(day, 11), purpose="Møde", attendees=2
    ).first
    assert booking.status == BookingStatus.PENDING
    client = Client()
    client.force_login(admin)
    selected = {"action": "reject_bookings", "_selected_action": [booking.pk], "apply": "yes"}
    page = client.post("/admin/rooms/booking/", {**selected, "reason": ""})
    assert page.status_code == 200  # the reason is required: asked again
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING
    client.post("/admin/rooms/booking/", {**selected, "reason": "Lokalet er optaget"})
    booking.refresh_from_db()
    assert (booking.status, booking.rejection_reason) == (
        BookingStatus.REJECTED,
        "Lokalet er optaget",
    )
    assert AuditLog.objects.get(action="booking.rejected", target_id=str(booking.pk)).actor == admin
    assert Delivery.objects.filter(kind="booking.rejected", recipient=booker).exists()
