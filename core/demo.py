"""Demo data: a believable Roskilde set, laid relative to today's date.

``python manage.py load_demo`` runs the core loader below and then the loaders
the other apps register in their ``AppConfig.ready()``::

    from core.demo import register_loader
    register_loader("rooms", rooms.demo.load, order=20)

Every loader must be idempotent: running it twice leaves the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from django.db import transaction

from core.models import (
    BookmobileStop,
    Branch,
    BranchKind,
    Closure,
    HoursKind,
    OpeningHours,
    Partner,
    PartnerKind,
    Role,
    User,
)
from core.timeutils import local_today

DEMO_PASSWORD = "modested-demo-2026"  # noqa: S105 (published demo password)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    branches: tuple[str, ...] = ()
    note: str = ""


DEMO_ACCOUNTS = [
    DemoAccount(
        "admin@example.dk", "Astrid Administrator", Role.ADMINISTRATOR, (), "administrator"
    ),
    DemoAccount(
        "personale@example.dk",
        "Sofie Sørensen",
        Role.STAFF,
        ("roskilde", "jyllinge"),
        "staff: Roskilde, Jyllinge",
    ),
    DemoAccount("viby@example.dk", "Mads Mikkelsen", Role.STAFF, ("viby",), "staff: Viby"),
    # Room series always wait for staff approval, so every branch with rooms has staff.
    DemoAccount(
        "lokal@example.dk",
        "Lone Lund",
        Role.STAFF,
        ("gadstrup", "gundsoemagle", "aagerup"),
        "staff: Gadstrup, Gundsømagle, Ågerup",
    ),
    DemoAccount("frivillig@example.dk", "Frida Frivillig", Role.VOLUNTEER, (), "volunteer"),
    DemoAccount("borger@example.dk", "Bent Borger", Role.CITIZEN, (), "citizen"),
    DemoAccount(
        "forening@example.dk", "Karen Kasserer", Role.CITIZEN, (), "citizen, Ældre Sagen member"
    ),
]

Loader = Callable[[], None]
_loaders: dict[str, tuple[int, Loader]] = {}


def register_loader(key: str, loader: Loader, *, order: int = 50) -> None:
    _loaders[key] = (order, loader)


def loaders() -> list[tuple[str, Loader]]:
    return [
        (key, fn) for key, (order, fn) in sorted(_loaders.items(), key=lambda kv: (kv[1][0], kv[0]))
    ]


BRANCHES = [
    # slug, name, kind, town, address, postcode, phone
    (
        "roskilde",
        "Roskilde Bibliotek",
        BranchKind.MAIN,
        "Roskilde",
        "Dronning Margrethes Vej 14",
        "4000",
        "46 31 50 00",
    ),
    (
        "jyllinge",
        "Jyllinge Bibliotek",
        BranchKind.LOCAL,
        "Jyllinge",
        "Bygaden 26",
        "4040",
        "46 31 50 40",
    ),
    (
        "viby",
        "Viby Bibliotek i Cosmos",
        BranchKind.LOCAL,
        "Viby Sjælland",
        "Kirkevej 2",
        "4130",
        "46 31 50 60",
    ),
    (
        "gadstrup",
        "Gadstrup Bibliotek",
        BranchKind.LOCAL,
        "Gadstrup",
        "Bygaden 4",
        "4621",
        "46 31 50 70",
    ),
    (
        "gundsoemagle",
        "Gundsømagle Bibliotek",
        BranchKind.LOCAL,
        "Gundsømagle",
        "Kirkevej 11",
        "4000",
        "46 31 50 80",
    ),
    (
        "aagerup",
        "Ågerup Bibliotek",
        BranchKind.LOCAL,
        "Ågerup",
        "Ågerupvej 65",
        "4000",
        "46 31 50 90",
    ),
    ("bogbussen", "Bogbussen", BranchKind.BOOKMOBILE, "Roskilde Kommune", "", "", "46 31 50 10"),
]

STOPS = [
    # weekday, name, place, from, to
    (1, "Herringløse", "Herringløse Bygade", time(13, 30), time(14, 15)),
    (1, "Trekroner Øst", "Trekroner Øst, ved butikkerne", time(15, 10), time(17, 10)),
    (1, "Veddelev", "Strandvejen", time(18, 0), time(19, 0)),
    (2, "Svogerslev", "Svogerslev Hovedgade", time(15, 0), time(16, 0)),
    (2, "Himmelev", "Himmelev Sognevej", time(16, 30), time(17, 30)),
    (3, "Roskilde Gyvelvej", "Gyvelvej", time(13, 10), time(13, 45)),
    (3, "Vindinge", "Vindinge Bygade", time(15, 0), time(15, 45)),
    (4, "Snoldelev", "Snoldelev Bygade", time(14, 0), time(14, 45)),
]

PARTNERS = [
    ("KulturCosmos", PartnerKind.VOLUNTARY_SOCIAL),
    ("Ramsøegnens Lokalhistoriske Arkiv", PartnerKind.CULTURAL_INSTITUTION),
    ("Roskilde Arkiverne", PartnerKind.MUNICIPAL),
    ("Læseforeningen", PartnerKind.VOLUNTARY_SOCIAL),
    ("Dansk Flygtningehjælp", PartnerKind.VOLUNTARY_SOCIAL),
    ("Ordblindeforeningen", PartnerKind.VOLUNTARY_SOCIAL),
    ("VUC Roskilde", PartnerKind.ADULT_EDUCATION),
    ("NOTA", PartnerKind.CULTURAL_INSTITUTION),
    ("FabLab RUC", PartnerKind.CULTURAL_INSTITUTION),
    ("RAGNAROCK", PartnerKind.CULTURAL_INSTITUTION),
    ("Jyllinge Festival", PartnerKind.OTHER),
    ("Ågerup og Omegns Landsbyråd", PartnerKind.VOLUNTARY_SOCIAL),
    ("Coding Pirates Roskilde", PartnerKind.VOLUNTARY_SOCIAL),
    ("Ældre Sagen Roskilde", PartnerKind.VOLUNTARY_SOCIAL),
    ("AOF Roskilde", PartnerKind.ADULT_EDUCATION),
]


def _hours(branch: Branch, rows: list[tuple[int, time, time, str]]) -> None:
    if branch.opening_hours.exists():
        return
    OpeningHours.objects.bulk_create(
        OpeningHours(branch=branch, weekday=wd, opens=o, closes=c, kind=k) for wd, o, c, k in rows
    )


def _main_library_hours() -> list[tuple[int, time, time, str]]:
    rows: list[tuple[int, time, time, str]] = []
    for wd in range(5):
        rows += [
            (wd, time(8), time(10), HoursKind.SELF_SERVICE),
            (wd, time(10), time(19), HoursKind.STAFFED),
            (wd, time(19), time(22), HoursKind.SELF_SERVICE),
        ]
        rows.append((wd, time(10), time(15), HoursKind.CITIZEN_SERVICE))
    rows += [
        (5, time(8), time(10), HoursKind.SELF_SERVICE),
        (5, time(10), time(14), HoursKind.STAFFED),
        (5, time(14), time(22), HoursKind.SELF_SERVICE),
        (6, time(8), time(22), HoursKind.SELF_SERVICE),
    ]
    return rows


def _local_hours(staffed: list[tuple[int, time, time]]) -> list[tuple[int, time, time, str]]:
    """Local branches are open 07-22 with self-service, staffed in a few short slots."""
    rows: list[tuple[int, time, time, str]] = []
    for wd in range(7):
        slots = sorted((o, c) for d, o, c in staffed if d == wd)
        cursor = time(7)
        for opens, closes in slots:
            if cursor < opens:
                rows.append((wd, cursor, opens, HoursKind.SELF_SERVICE))
            rows.append((wd, opens, closes, HoursKind.STAFFED))
            cursor = closes
        if cursor < time(22):
            rows.append((wd, cursor, time(22), HoursKind.SELF_SERVICE))
    return rows


LOCAL_STAFFED = {
    "jyllinge": [
        (0, time(13), time(18)),
        (2, time(10), time(14)),
        (3, time(13), time(18)),
        (5, time(10), time(13)),
    ],
    "viby": [
        (0, time(13), time(18)),
        (1, time(10), time(14)),
        (3, time(13), time(18)),
        (4, time(10), time(14)),
    ],
    "gadstrup": [(1, time(14), time(18)), (3, time(10), time(13))],
    "gundsoemagle": [(0, time(14), time(18)), (3, time(14), time(18))],
    "aagerup": [],  # self-service all year
}


@transaction.atomic
def load_core() -> None:
    today = local_today()
    branches = _branches()
    _hours(branches["roskilde"], _main_library_hours())
    for slug, staffed in LOCAL_STAFFED.items():
        _hours(branches[slug], _local_hours(staffed))
    _bookmobile_stops(branches["bogbussen"], today=today)
    _closures(branches, today=today)
    for name, kind in PARTNERS:
        Partner.objects.update_or_create(
            name=name,
            defaults={"kind": kind, "contact_email": f"kontakt@{_slugish(name)}.example.dk"},
        )
    _accounts(branches)


def _branches() -> dict[str, Branch]:
    branches: dict[str, Branch] = {}
    for position, (slug, name, kind, town, address, postcode, phone) in enumerate(
        BRANCHES, start=1
    ):
        branches[slug], _ = Branch.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "town": town,
                "address": address,
                "postcode": postcode,
                "phone": phone,
                "email": f"{slug}@example.dk",
                "position": position,
            },
        )
    return branches


def _bookmobile_stops(bus: Branch, *, today: date) -> None:
    for weekday, name, place, arrives, departs in STOPS:
        BookmobileStop.objects.update_or_create(
            branch=bus,
            name=name,
            defaults={
                "place": place,
                "weekday": weekday,
                "arrives": arrives,
                "departs": departs,
                "valid_from": date(today.year - 1, 1, 1),
                "valid_until": None,
            },
        )


def _closures(branches: dict[str, Branch], *, today: date) -> None:
    """The small branches close in July and over Christmas; relative to today."""
    july_year = today.year if today.month <= 7 else today.year + 1
    christmas_year = today.year if (today.month, today.day) <= (12, 31) else today.year + 1
    for slug in ("gadstrup", "gundsoemagle"):
        Closure.objects.get_or_create(
            branch=branches[slug],
            starts_on=date(july_year, 7, 1),
            ends_on=date(july_year, 7, 31),
            defaults={"reason": "Sommerlukket"},
        )
        Closure.objects.get_or_create(
            branch=branches[slug],
            starts_on=date(christmas_year, 12, 27),
            ends_on=date(christmas_year, 12, 30),
            defaults={"reason": "Juleferie"},
        )
    Closure.objects.get_or_create(
        branch=branches["bogbussen"],
        starts_on=date(july_year, 7, 1),
        ends_on=date(july_year, 7, 31),
        defaults={"reason": "Bogbussen holder sommerferie"},
    )


def _accounts(branches: dict[str, Branch]) -> None:
    """The demo accounts (one per role), with their branches and memberships."""
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(
                email=account.email, password=DEMO_PASSWORD, name=account.name
            )
        user.name = account.name
        user.role = account.role
        user.is_staff = account.role == Role.ADMINISTRATOR  # the admin site: administrators only
        user.is_superuser = account.role == Role.ADMINISTRATOR
        user.save()
        user.branches.set([branches[slug] for slug in account.branches])
    Partner.objects.get(name="Ældre Sagen Roskilde").members.add(
        User.objects.get(email="forening@example.dk")
    )


def _slugish(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})
    return "".join(ch for ch in name.translate(table).lower() if ch.isalnum())


def load_all() -> None:
    load_core()
    for _key, loader in loaders():
        loader()
