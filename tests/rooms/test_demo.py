import pytest

from core.demo import load_core
from rooms import demo
from rooms.models import Booking, Equipment, EquipmentKind, Licence, Room

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent_and_complete() -> None:
    load_core()
    demo.load()
    counts = (Room.objects.count(), Equipment.objects.count(), Booking.objects.count())
    demo.load()
    assert (Room.objects.count(), Equipment.objects.count(), Booking.objects.count()) == counts
    assert Room.objects.get(branch__slug="viby", name="Peder Syv Salen").capacity == 150
    assert Room.objects.filter(branch__slug="roskilde").count() == 8
    laser = Equipment.objects.get(branch__slug="roskilde", kind=EquipmentKind.LASER_CUTTER)
    assert laser.min_age == 18 and laser.slot_minutes == 60
    printers = Equipment.objects.filter(branch__slug="roskilde", kind=EquipmentKind.PRINTER_3D)
    assert [
        (p.slot_minutes, p.max_slots_per_day, p.max_slots_per_week, p.max_days_ahead)
        for p in printers
    ] == [(120, 2, 4, 42)] * 2
    assert Licence.objects.filter(person__email="borger@example.dk").exists()
    assert Booking.objects.filter(status="pending").exists()
    assert Booking.objects.filter(status="confirmed", booker__email="borger@example.dk").exists()
