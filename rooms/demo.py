"""Demo rooms, makerspace machines, bookings and a licence, laid relative to today."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from core.models import Branch, Partner, User
from core.selectors import closure_reason
from core.timeutils import local_today, make_local
from rooms.models import (
    BookableBy,
    Booking,
    BookingKind,
    BookingStatus,
    Equipment,
    EquipmentKind,
    Licence,
    LicenceSource,
    PriceTier,
    Room,
)

FEE, RENT = Decimal("150"), Decimal("600")

ROOMS: dict[str, list[tuple[str, int, dict[str, Any]]]] = {
    "roskilde": [
        (
            "Salen",
            120,
            {
                "requires_approval": True,
                "buffer_minutes": 30,
                "max_duration_minutes": 360,
                "amenities": "scene, lydanlæg, projektor, 120 stole",
                "fee_dkk": Decimal("400"),
                "rent_dkk": Decimal("2000"),
            },
        ),
        ("Mødelokale 1", 14, {"amenities": "skærm, whiteboard, kaffemaskine", "max_future": 4}),
        ("Mødelokale 2", 8, {"amenities": "skærm, whiteboard", "max_future": 4}),
        (
            "Studierum A",
            4,
            {
                "amenities": "whiteboard",
                "check_in_required": True,  # the door sign's QR code; freed after 15 min
                "max_duration_minutes": 180,
                "max_per_day": 1,
                "max_per_week": 3,
                "self_service_allowed": True,
                "max_days_ahead": 14,
                "cancel_days_before": 0,
                "fee_dkk": Decimal("0"),
                "rent_dkk": Decimal("0"),
            },
        ),
        (
            "Studierum B",
            4,
            {
                "amenities": "whiteboard",
                "max_duration_minutes": 180,
                "max_per_day": 1,
                "max_per_week": 3,
                "self_service_allowed": True,
                "max_days_ahead": 14,
                "cancel_days_before": 0,
                "fee_dkk": Decimal("0"),
                "rent_dkk": Decimal("0"),
            },
        ),
        ("Netværkstedet", 10, {"bookable_by": BookableBy.STAFF, "amenities": "10 pc'er"}),
        ("Makerspace", 8, {"bookable_by": BookableBy.STAFF, "amenities": "værktøj, maskiner"}),
        (
            "Musikrum",
            6,
            {"amenities": "klaver, trommesæt", "slot_minutes": 60, "min_duration_minutes": 60},
        ),
    ],
    "jyllinge": [
        ("Mødelokale", 20, {"self_service_allowed": True, "amenities": "skærm"}),
        (
            "Arrangementsområde",
            40,
            {"requires_approval": True, "self_service_allowed": True, "buffer_minutes": 30},
        ),
    ],
    "viby": [
        (
            "Peder Syv Salen",
            150,
            {
                "requires_approval": True,
                "bookable_by": BookableBy.ASSOCIATIONS,
                "buffer_minutes": 60,
                "max_duration_minutes": 480,
                "description": "Ejes af Cosmos; udlånes til foreninger.",
                "amenities": "scene, lydanlæg, projektor",
            },
        ),
        (
            "Fælleskøkken",
            24,
            {"requires_approval": True, "self_service_allowed": True, "buffer_minutes": 30},
        ),
        ("Medielab", 6, {"self_service_allowed": True, "amenities": "musik-pc, podcast-udstyr"}),
        ("Grovværksted", 12, {"self_service_allowed": False, "amenities": "høvlebænke, værktøj"}),
        ("Mødelokale", 10, {"self_service_allowed": True, "amenities": "skærm"}),
    ],
    "gadstrup": [("Mødelokale", 15, {"self_service_allowed": True})],
    "gundsoemagle": [("Læsestue", 12, {"self_service_allowed": True})],
    "aagerup": [
        ("Mødelokale", 10, {"self_service_allowed": True, "description": "Selvbetjent hele året."})
    ],
}

# name, kind, licence, min_age, slot minutes, per day, per week, days ahead
MACHINES: dict[str, list[tuple[str, str, bool, int | None, int, int, int, int]]] = {
    "roskilde": [
        ("3D-printer 1", EquipmentKind.PRINTER_3D, True, None, 120, 2, 4, 42),
        ("3D-printer 2", EquipmentKind.PRINTER_3D, True, None, 120, 2, 4, 42),
        ("Laserskærer", EquipmentKind.LASER_CUTTER, True, 18, 60, 2, 4, 42),
        ("Vinylskærer", EquipmentKind.VINYL_CUTTER, True, None, 60, 2, 4, 42),
        ("Symaskine", EquipmentKind.SEWING_MACHINE, False, None, 60, 3, 6, 42),
        ("Storformatprinter", EquipmentKind.LARGE_FORMAT_PRINTER, True, None, 60, 2, 4, 42),
        ("Loddestation", EquipmentKind.SOLDERING_STATION, True, 14, 60, 2, 4, 42),
        ("Arduino-sæt", EquipmentKind.ARDUINO_KIT, False, None, 120, 2, 4, 42),
    ],
    "viby": [
        ("Musik-pc", EquipmentKind.MUSIC_PC, False, None, 120, 2, 4, 28),
        ("Podcast-kit", EquipmentKind.PODCAST_KIT, False, None, 120, 2, 4, 28),
    ],
}


def _open_weekday(branch: Branch, start: date) -> date:
    """The first weekday on or after ``start`` the branch is not closed."""
    day = start
    while day.weekday() >= 5 or closure_reason(branch=branch, day=day) is not None:
        day += timedelta(days=1)
    return day


def _book(
    room: Room,
    day: date,
    start: time,
    end: time,
    *,
    booker: User | None,
    purpose: str,
    status: str = BookingStatus.CONFIRMED,
    kind: str = BookingKind.BOOKING,
    partner: Partner | None = None,
    attendees: int = 6,
) -> None:
    s, e = make_local(day, start), make_local(day, end)
    if Booking.objects.filter(room=room, start=s, purpose=purpose).exists():
        return
    blocked_end = e + timedelta(minutes=room.buffer_minutes)
    if Booking.objects.filter(
        room=room,
        status__in=["pending", "confirmed"],
        blocked_start__lt=blocked_end,
        blocked_end__gt=s,
    ).exists():
        return
    tier, price = PriceTier.RENT, room.rent_dkk
    if partner is not None and partner.kind in {"voluntary_social", "municipal"}:
        tier, price = PriceTier.FREE, Decimal("0")
    elif partner is not None and partner.kind == "adult_education":
        tier, price = PriceTier.FEE, room.fee_dkk
    if kind != BookingKind.BOOKING:
        tier, price = PriceTier.FREE, Decimal("0")
    Booking.objects.create(
        room=room,
        booker=booker,
        start=s,
        end=e,
        blocked_start=s,
        blocked_end=blocked_end,
        status=status,
        kind=kind,
        purpose=purpose,
        partner=partner,
        attendees=attendees,
        price_tier=tier,
        price_dkk=price,
    )


@transaction.atomic
def load() -> None:
    """The demo rooms and machines, a licence for the demo citizen, and a few bookings."""
    branches = {b.slug: b for b in Branch.objects.filter(slug__in=list(ROOMS) + list(MACHINES))}
    rooms = _load_rooms(branches)
    _load_machines(branches, rooms)
    borger = User.objects.filter(email="borger@example.dk").first()
    if borger is not None:
        Licence.objects.get_or_create(
            person=borger,
            equipment_kind=EquipmentKind.PRINTER_3D,
            defaults={"source": LicenceSource.COURSE},
        )
    roskilde = branches.get("roskilde")
    if roskilde is not None:
        _load_bookings(roskilde, rooms, borger=borger)


def _load_rooms(branches: dict[str, Branch]) -> dict[tuple[str, str], Room]:
    """The rooms of ``ROOMS`` (created or updated), by (branch slug, room name)."""
    rooms: dict[tuple[str, str], Room] = {}
    for slug, specs in ROOMS.items():
        branch = branches.get(slug)
        if branch is None:
            continue
        for name, capacity, rules in specs:
            defaults: dict[str, Any] = {"capacity": capacity, "fee_dkk": FEE, "rent_dkk": RENT}
            defaults.update(rules)
            rooms[(slug, name)], _ = Room.objects.update_or_create(
                branch=branch, name=name, defaults=defaults
            )
    return rooms


def _load_machines(branches: dict[str, Branch], rooms: dict[tuple[str, str], Room]) -> None:
    """The machines of ``MACHINES`` (created or updated), in the branch's makerspace room."""
    for slug, machines in MACHINES.items():
        branch = branches.get(slug)
        if branch is None:
            continue
        makerspace = rooms.get((slug, "Makerspace")) or rooms.get((slug, "Medielab"))
        for name, kind, licence, min_age, slot, per_day, per_week, ahead in machines:
            Equipment.objects.update_or_create(
                branch=branch,
                name=name,
                defaults={
                    "kind": kind,
                    "room": makerspace,
                    "licence_required": licence,
                    "min_age": min_age,
                    "slot_minutes": slot,
                    "max_slots_per_day": per_day,
                    "max_slots_per_week": per_week,
                    "max_days_ahead": ahead,
                    "release_after_minutes": 15,
                },
            )


def _load_bookings(
    roskilde: Branch, rooms: dict[tuple[str, str], Room], *, borger: User | None
) -> None:
    """A few bookings in Roskilde on the next open weekdays: confirmed, pending, an event."""
    forening = User.objects.filter(email="forening@example.dk").first()
    aeldre = Partner.objects.filter(name="Ældre Sagen Roskilde").first()
    vuc = Partner.objects.filter(name="VUC Roskilde").first()
    today = local_today()
    d1 = _open_weekday(roskilde, today + timedelta(days=1))
    d2 = _open_weekday(roskilde, d1 + timedelta(days=1))
    d3 = _open_weekday(roskilde, today + timedelta(days=7))
    m1, m2 = rooms[("roskilde", "Mødelokale 1")], rooms[("roskilde", "Mødelokale 2")]
    salen = rooms[("roskilde", "Salen")]
    _book(
        m1,
        d1,
        time(10),
        time(12),
        booker=forening,
        partner=aeldre,
        purpose="Bestyrelsesmøde, Ældre Sagen",
        attendees=9,
    )
    _book(m1, d1, time(13), time(14), booker=borger, purpose="Studiegruppe", attendees=4)
    _book(
        m2,
        d2,
        time(16),
        time(18),
        booker=None,
        purpose="Lektiecafé",
        kind=BookingKind.EVENT,
        attendees=8,
    )
    _book(
        salen,
        d3,
        time(17),
        time(19),
        booker=forening,
        partner=vuc,
        purpose="Foredrag om ordblindhed",
        status=BookingStatus.PENDING,
        attendees=60,
    )
    _book(
        m2,
        d3,
        time(10),
        time(11, 30),
        booker=borger,
        purpose="Foreningsmøde",
        status=BookingStatus.CONFIRMED,
        attendees=5,
    )
