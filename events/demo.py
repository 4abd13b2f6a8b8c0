"""Demo events: a season across the branches from today, tagged with tracks.

Some recurring, some full with a waiting list, a licence course, a drop-in café,
and past held events with check-ins and drop-in counts (the plan's dashboard
reads them). Idempotent: a series that exists (same title and branch) is left alone.
No event is placed on a day its branch is closed: a one-off event that would fall on one
(the author evening three weeks ahead is on Christmas Eve when the demo is loaded on
1 December) moves on a week, and series leave closed days out as the service does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from core.exceptions import DomainError
from core.models import Audience, BookmobileStop, Branch, Partner, Track, User
from core.selectors import closure_reason
from core.timeutils import local_today, make_local
from events import services
from events.models import EventSeries, EventState, PlaceKind, Registration, RegistrationStatus
from rooms.models import Room

WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass
class Demo:
    title: str
    branch: str
    weekday: int  # 0 = Monday: the first date is the next such day
    start: time
    end: time
    tracks: list[str]
    rrule: str = ""  # without BYDAY (added from weekday)
    audiences: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    room: str = ""
    capacity: int | None = None
    registration_required: bool = True
    max_seats: int = 4
    price: str = "0"
    description: str = ""
    weeks_ahead: int = 0
    fill: int = 0  # seats taken by demo people
    waiting: int = 0  # people on the waiting list
    licence: str = ""
    stop: str = ""
    past: bool = False  # a series that has already run (held, with attendance)


SEASON = [
    Demo(
        "IT-hjælp i Netværkstedet",
        "roskilde",
        1,
        time(10),
        time(12),
        ["digitale-forbindelser"],
        rrule="FREQ=WEEKLY;COUNT=12",
        audiences=["aeldre", "voksne"],
        partners=["Ældre Sagen Roskilde"],
        room="Netværkstedet",
        capacity=6,
        max_seats=1,
        description="Frivillige IT-hjælpere hjælper med MitID, e-Boks, telefon og tablet. Tag din egen enhed med.",
        fill=5,
    ),
    Demo(
        "Guidet fælleslæsning",
        "gundsoemagle",
        1,
        time(14),
        time(15, 30),
        ["fordybelse"],
        rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=6",
        audiences=["voksne", "aeldre"],
        partners=["Læseforeningen"],
        capacity=10,
        max_seats=1,
        description="En læseguide læser en novelle og et digt højt, og vi taler om teksten undervejs.",
        fill=10,
        waiting=2,
    ),
    Demo(
        "Strikkecafé",
        "aagerup",
        3,
        time(15),
        time(17),
        ["hygge"],
        rrule="FREQ=WEEKLY;COUNT=10",
        audiences=["alle"],
        registration_required=False,
        description="Tag dit strikketøj med. Kaffen er på kanden. Ingen tilmelding.",
    ),
    Demo(
        "Sprogcafé",
        "viby",
        2,
        time(16),
        time(18),
        ["indgang-til-faellesskab"],
        rrule="FREQ=WEEKLY;COUNT=10",
        audiences=["voksne"],
        partners=["Dansk Flygtningehjælp", "KulturCosmos"],
        capacity=20,
        description="Øv dansk i hyggeligt selskab med frivillige fra Dansk Flygtningehjælp.",
        fill=8,
    ),
    Demo(
        "Litterær barselscafé",
        "jyllinge",
        4,
        time(10),
        time(11, 30),
        ["struktur-for-livet"],
        rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=5",
        audiences=["familier"],
        room="Mødelokale",
        capacity=12,
        max_seats=2,
        description="Rim, remser og bøger for de mindste – og kaffe og snak for de voksne.",
        fill=6,
    ),
    Demo(
        "Coding Pirates",
        "roskilde",
        0,
        time(16, 30),
        time(18, 30),
        ["digitale-forbindelser", "indgang-til-faellesskab"],
        rrule="FREQ=WEEKLY;COUNT=10",
        audiences=["boern", "unge"],
        partners=["Coding Pirates Roskilde"],
        capacity=12,
        max_seats=2,
        description="Kod spil, byg robotter og lær at programmere sammen med frivillige.",
        fill=9,
    ),
    Demo(
        "Forfatteraften: nordisk krimi",
        "jyllinge",
        3,
        time(19),
        time(21),
        ["fordybelse"],
        audiences=["voksne"],
        room="Arrangementsområde",
        capacity=40,
        price="50",
        description="Mød forfatteren til årets mest omtalte krimi i samtale med en bibliotekar.",
        weeks_ahead=3,
        fill=40,
        waiting=3,
    ),
    Demo(
        "Ordblind – hvad nu?",
        "roskilde",
        2,
        time(19),
        time(21),
        ["viden-og-vejledning"],
        audiences=["voksne", "unge"],
        partners=["VUC Roskilde", "Ordblindeforeningen", "NOTA"],
        room="Salen",
        capacity=60,
        description="Aften om hjælpemidler, læsning og undervisning for ordblinde og pårørende.",
        weeks_ahead=2,
        fill=23,
    ),
    Demo(
        "Kørekort til laserskæreren",
        "roskilde",
        5,
        time(10),
        time(13),
        ["digitale-forbindelser"],
        rrule="FREQ=MONTHLY;COUNT=3",
        audiences=["voksne"],
        partners=["FabLab RUC"],
        room="Makerspace",
        capacity=4,
        max_seats=1,
        licence="laser_cutter",
        description="Lær at bruge laserskæreren sikkert. Når du er tjekket ind, får du kørekortet. Fra 18 år.",
        fill=4,
        waiting=2,
    ),
    Demo(
        "Foreningsaften i Cosmos",
        "viby",
        1,
        time(19),
        time(21, 30),
        ["indgang-til-faellesskab", "en-lokal-aktoer"],
        audiences=["alle"],
        partners=["KulturCosmos", "Ramsøegnens Lokalhistoriske Arkiv"],
        capacity=150,
        max_seats=6,
        description="Mød byens foreninger og find et fællesskab, der passer til dig.",
        weeks_ahead=4,
        fill=30,
    ),
    Demo(
        "Koncert: Viser ved fjorden",
        "viby",
        5,
        time(15),
        time(16, 30),
        ["hygge", "fordybelse"],
        audiences=["alle"],
        partners=["RAGNAROCK"],
        capacity=150,
        price="80",
        description="Eftermiddagskoncert med viser og fællessang.",
        weeks_ahead=5,
        fill=70,
    ),
    Demo(
        "Bogbussen fortæller: historier for de mindste",
        "bogbussen",
        1,
        time(15, 30),
        time(16, 30),
        ["en-lokal-aktoer"],
        rrule="FREQ=WEEKLY;COUNT=4",
        audiences=["boern", "familier"],
        stop="Trekroner Øst",
        registration_required=False,
        description="Højtlæsning i bogbussen ved holdepladsen.",
    ),
    # Held: the weeks before today, with check-ins and drop-in counts.
    Demo(
        "IT-hjælp i Netværkstedet (efterår)",
        "roskilde",
        3,
        time(10),
        time(12),
        ["digitale-forbindelser"],
        rrule="FREQ=WEEKLY;COUNT=8",
        audiences=["aeldre"],
        partners=["Ældre Sagen Roskilde"],
        room="Netværkstedet",
        capacity=6,
        max_seats=1,
        fill=6,
        past=True,
    ),
    Demo(
        "Strikkecafé (efterår)",
        "aagerup",
        1,
        time(15),
        time(17),
        ["hygge"],
        rrule="FREQ=WEEKLY;COUNT=8",
        audiences=["alle"],
        registration_required=False,
        past=True,
    ),
    Demo(
        "Fællessang ved fjorden",
        "jyllinge",
        6,
        time(14),
        time(15, 30),
        ["hygge", "en-lokal-aktoer"],
        audiences=["alle"],
        registration_required=False,
        past=True,
    ),
    Demo(
        "Nyt liv som pensionist",
        "roskilde",
        2,
        time(14),
        time(16),
        ["struktur-for-livet", "viden-og-vejledning"],
        audiences=["aeldre"],
        partners=["Ældre Sagen Roskilde"],
        capacity=30,
        fill=24,
        past=True,
    ),
]


def _first_day(weekday: int, weeks_ahead: int, past: bool, today: date) -> date:
    if past:
        day = today - timedelta(weeks=9)
    else:
        day = today + timedelta(days=1, weeks=weeks_ahead)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def _open_day(branch: Branch, day: date) -> date:
    """``day``, or the same weekday of the first week after it when ``branch`` is open."""
    while closure_reason(branch=branch, day=day) is not None:
        day += timedelta(weeks=1)
    return day


def _people(n: int) -> list[User]:
    people = []
    for i in range(1, n + 1):
        email = f"deltager{i}@example.dk"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None, name=f"Deltager {i}")
        people.append(user)
    return people


def _room(branch: Branch, name: str) -> Any:
    if not name:
        return None
    return Room.objects.filter(branch=branch, name=name).first()


def _create(demo: Demo, actor: User, today: date) -> EventSeries | None:
    branch = Branch.objects.filter(slug=demo.branch).first()
    if branch is None:
        return None
    first = _first_day(demo.weekday, demo.weeks_ahead, demo.past, today)
    if not demo.rrule:
        first = _open_day(branch, first)
    start = make_local(first, demo.start)
    end = make_local(first, demo.end)
    rrule = demo.rrule
    if rrule.startswith("FREQ=WEEKLY"):
        rrule += f";BYDAY={WEEKDAY_CODES[demo.weekday]}"
    elif rrule.startswith("FREQ=MONTHLY"):
        rrule += f";BYDAY=1{WEEKDAY_CODES[demo.weekday]}"
        first_of = first.replace(day=1)
        while first_of.weekday() != demo.weekday:
            first_of += timedelta(days=1)
        if first_of < first:  # start on the first such weekday of next month
            month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            first_of = month
            while first_of.weekday() != demo.weekday:
                first_of += timedelta(days=1)
        start, end = make_local(first_of, demo.start), make_local(first_of, demo.end)
    fields: dict[str, Any] = {
        "description": demo.description,
        "capacity": demo.capacity,
        "registration_required": demo.registration_required,
        "max_seats_per_registration": demo.max_seats,
        "price_dkk": Decimal(demo.price),
        "licence_equipment_kind": demo.licence,
        "tracks": list(Track.objects.filter(slug__in=demo.tracks)),
        "audiences": list(Audience.objects.filter(slug__in=demo.audiences)),
        "partners": list(Partner.objects.filter(name__in=demo.partners)),
        "state": EventState.PUBLISHED,
    }
    room = _room(branch, demo.room)
    stop = (
        BookmobileStop.objects.filter(branch=branch, name=demo.stop).first() if demo.stop else None
    )
    if stop is not None:
        fields.update(place_kind=PlaceKind.BOOKMOBILE_STOP, stop=stop)
    attempts = [dict(fields, place_kind=PlaceKind.ROOM, room=room)] if room else []
    attempts.append(fields)
    for attempt in attempts:
        try:
            return services.series_create(
                actor=actor,
                rrule=rrule,
                start=start,
                end=end,
                title=demo.title,
                branch=branch,
                include_closed=False,
                **attempt,
            )
        except DomainError:  # the room is taken in the demo rooms: hold it at the branch
            continue
    return None


def _fill(series: EventSeries, demo: Demo, people: list[User]) -> None:
    now = timezone.now()
    for event in series.events.all():
        if event.start <= now:
            # Held: written directly (the service refuses registering after the start).
            if event.registration_required:
                for i, attendee in enumerate(people[: demo.fill]):
                    Registration.objects.create(
                        event=event,
                        user=attendee,
                        seats=1,
                        status=RegistrationStatus.CONFIRMED,
                        created_at=event.start - timedelta(days=3),
                        checked_in_at=event.start if i % 5 != 4 else None,
                    )
            else:
                event.attendance_count = 8 + (event.pk % 9)
                event.save(update_fields=["attendance_count"])
            continue
        seats_taken = 0
        queue = iter(people)
        while seats_taken < demo.fill:
            person = next(queue, None)
            if person is None:
                break
            seats = 1 if demo.max_seats == 1 else min(2, demo.fill - seats_taken)
            services.registration_create(actor=person, event=event, seats=seats)
            seats_taken += seats
        for _i in range(demo.waiting):
            person = next(queue, None)
            if person is None:
                break
            services.registration_create(actor=person, event=event, seats=1)


def load() -> None:
    today = local_today()
    actor = User.objects.filter(email="admin@example.dk").first()
    if actor is None:
        return
    people = _people(80)
    for demo in SEASON:
        if EventSeries.objects.filter(title=demo.title, branch__slug=demo.branch).exists():
            continue
        series = _create(demo, actor, today)
        if series is not None:
            _fill(series, demo, people)
    # Bent Borger: registered for one event and waiting for a full one.
    bent = User.objects.filter(email="borger@example.dk").first()
    if bent is None or Registration.objects.filter(user=bent).exists():
        return
    for title in ("Ordblind – hvad nu?", "Forfatteraften: nordisk krimi"):
        series = EventSeries.objects.filter(title=title).first()
        event = series.events.filter(start__gt=timezone.now()).first() if series else None
        if event is not None:
            try:
                services.registration_create(actor=bent, event=event, seats=2)
            except DomainError:
                continue
