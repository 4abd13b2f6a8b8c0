"""Demo data for the volunteers: a dozen volunteers, activities at several branches, a month of
shifts (some unfilled), hours from the past weeks, and a pending proposal. Idempotent, and laid
relative to today's date."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from core.demo import DEMO_PASSWORD
from core.exceptions import DomainError
from core.models import Audience, Branch, Role, Track, User
from core.timeutils import local_today, make_local
from rooms.models import Room
from volunteers import services
from volunteers.models import (
    Activity,
    ProfileStatus,
    SessionProposal,
    Shift,
    ShiftSignup,
    SignupStatus,
    VolunteerProfile,
)

# email, name, branches, skills, languages, certificate (status, days since checked), paused
VOLUNTEERS = [
    (
        "frivillig@example.dk",
        "Frida Frivillig",
        ("roskilde", "jyllinge"),
        "Lektiehjælp, matematik",
        "dansk, engelsk",
        ("clear", 300),
        False,
    ),
    (
        "anders.frivillig@example.dk",
        "Anders Andersen",
        ("roskilde",),
        "IT, smartphones",
        "dansk",
        ("none", None),
        False,
    ),
    (
        "birthe.frivillig@example.dk",
        "Birthe Bach",
        ("roskilde",),
        "Lektiehjælp, dansk",
        "dansk, tysk",
        ("clear", 120),
        False,
    ),
    (
        "carsten.frivillig@example.dk",
        "Carsten Clausen",
        ("roskilde", "viby"),
        "Matematik, fysik",
        "dansk",
        ("clear", 2 * 365 - 20),
        False,
    ),
    (
        "dorthe.frivillig@example.dk",
        "Dorthe Dahl",
        ("viby",),
        "Lektiehjælp",
        "dansk",
        ("clear", 60),
        False,
    ),
    (
        "emil.frivillig@example.dk",
        "Emil Eriksen",
        ("viby",),
        "Lektiehjælp, engelsk",
        "dansk, engelsk",
        ("requested", None),
        False,
    ),
    (
        "fatima.frivillig@example.dk",
        "Fatima Farah",
        ("jyllinge",),
        "Sprog, oversættelse",
        "dansk, arabisk, somali",
        ("none", None),
        False,
    ),
    (
        "gitte.frivillig@example.dk",
        "Gitte Gram",
        ("jyllinge",),
        "Samtale, højtlæsning",
        "dansk",
        ("none", None),
        False,
    ),
    (
        "hans.frivillig@example.dk",
        "Hans Holm",
        ("roskilde",),
        "IT, tablets",
        "dansk",
        ("none", None),
        False,
    ),
    (
        "ida.frivillig@example.dk",
        "Ida Iversen",
        ("gundsoemagle",),
        "Guidet fælleslæsning",
        "dansk",
        ("none", None),
        False,
    ),
    (
        "jens.frivillig@example.dk",
        "Jens Jakobsen",
        ("roskilde", "jyllinge"),
        "Opstilling, praktisk hjælp",
        "dansk",
        ("none", None),
        True,
    ),
    (
        "karin.frivillig@example.dk",
        "Karin Kjær",
        ("roskilde",),
        "Lektiehjælp, biologi",
        "dansk, engelsk",
        ("clear", 500),
        False,
    ),
]

# branch, name, description, tracks, audiences, children, weekday, from, to, needed, room, coordinator
ACTIVITIES = [
    (
        "roskilde",
        "Lektiecafé",
        "Hjælp til lektier for skolebørn, 1.–9. klasse.",
        ["struktur-for-livet"],
        ["boern"],
        True,
        1,
        time(15),
        time(17),
        3,
        None,
        "personale@example.dk",
    ),
    (
        "roskilde",
        "IT-hjælp for seniorer",
        "Hjælp til telefon, tablet, MitID og Digital Post.",
        ["digitale-forbindelser"],
        ["aeldre"],
        False,
        3,
        time(10),
        time(12),
        2,
        "Netværkstedet",
        "personale@example.dk",
    ),
    (
        "jyllinge",
        "Sprogcafé",
        "Øv dansk over en kop kaffe – sammen med Dansk Flygtningehjælp.",
        ["indgang-til-faellesskab"],
        ["voksne"],
        False,
        2,
        time(16),
        time(18),
        2,
        None,
        "personale@example.dk",
    ),
    (
        "viby",
        "Lektiecafé Viby",
        "Lektiehjælp i Cosmos for børn og unge.",
        ["struktur-for-livet"],
        ["boern", "unge"],
        True,
        0,
        time(15),
        time(17),
        2,
        None,
        "viby@example.dk",
    ),
    (
        "gundsoemagle",
        "Læseguide – guidet fælleslæsning",
        "Højtlæsning og samtale med Læseforeningens metode.",
        ["fordybelse"],
        ["voksne", "aeldre"],
        False,
        3,
        time(14),
        time(16),
        1,
        None,
        "admin@example.dk",
    ),
    (
        "roskilde",
        "Eventhjælper",
        "Praktisk hjælp ved bibliotekets store arrangementer.",
        ["en-lokal-aktoer"],
        ["alle"],
        False,
        5,
        time(10),
        time(14),
        4,
        None,
        "personale@example.dk",
    ),
]

# Who usually helps at which activity (their regular activities).
TEAMS = {
    "Lektiecafé": [
        "frivillig@example.dk",
        "birthe.frivillig@example.dk",
        "carsten.frivillig@example.dk",
        "karin.frivillig@example.dk",
        "anders.frivillig@example.dk",
    ],
    "IT-hjælp for seniorer": ["anders.frivillig@example.dk", "hans.frivillig@example.dk"],
    "Sprogcafé": [
        "fatima.frivillig@example.dk",
        "gitte.frivillig@example.dk",
        "frivillig@example.dk",
    ],
    "Lektiecafé Viby": [
        "dorthe.frivillig@example.dk",
        "emil.frivillig@example.dk",
        "carsten.frivillig@example.dk",
    ],
    "Læseguide – guidet fælleslæsning": ["ida.frivillig@example.dk"],
    "Eventhjælper": ["jens.frivillig@example.dk", "hans.frivillig@example.dk"],
}


def _next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _people(admin: User) -> dict[str, User]:
    people: dict[str, User] = {}
    branches = {b.slug: b for b in Branch.objects.all()}
    today = local_today()
    for email, name, slugs, skills, languages, (cert, days_ago), paused in VOLUNTEERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, name=name, role=Role.VOLUNTEER
            )
        elif user.role == Role.CITIZEN:
            user.role = Role.VOLUNTEER
            user.save(update_fields=["role"])
        people[email] = user
        profile = VolunteerProfile.objects.filter(user=user).first()
        if profile is None:
            profile = services.volunteer_enrol(
                actor=admin,
                user=user,
                branches=[branches[s] for s in slugs if s in branches],
                agreement_signed_on=today - timedelta(days=400),
                skills=skills,
                languages=languages,
            )
            services.certificate_record(
                actor=admin,
                profile=profile,
                status=cert,
                checked_on=today - timedelta(days=days_ago) if days_ago is not None else None,
            )
            if paused:
                services.volunteer_set_status(
                    actor=admin, profile=profile, status=ProfileStatus.PAUSED
                )
    return people


def _activities(admin: User) -> dict[str, Activity]:
    result: dict[str, Activity] = {}
    for branch_slug, name, desc, tracks, audiences, children, *_rest, coordinator in ACTIVITIES:
        branch = Branch.objects.filter(slug=branch_slug).first()
        if branch is None:
            continue
        activity = Activity.objects.filter(branch=branch, name=name).first()
        if activity is None:
            activity = services.activity_create(
                actor=admin,
                branch=branch,
                name=name,
                description=desc,
                tracks=Track.objects.filter(slug__in=tracks),
                audiences=Audience.objects.filter(slug__in=audiences),
                coordinator=User.objects.filter(email=coordinator).first(),
                children_under_15=children,
            )
        result[name] = activity
    for name, emails in TEAMS.items():
        if name in result:
            for profile in VolunteerProfile.objects.filter(user__email__in=emails):
                profile.activities.add(result[name])
    return result


def _shifts(admin: User, activities: dict[str, Activity], people: dict[str, User]) -> None:
    today = local_today()
    for branch_slug, name, *_mid, weekday, starts, ends, needed, room_name, _coord in ACTIVITIES:
        activity = activities.get(name)
        if activity is None or activity.shifts.exists():
            continue
        room = (
            Room.objects.filter(branch__slug=branch_slug, name=room_name).first()
            if room_name
            else None
        )
        # The past four weeks, attended (for the hours views).
        first_past = _next_weekday(today - timedelta(days=28), weekday)
        team = [people[e] for e in TEAMS.get(name, []) if e in people]
        profiles = {p.user_id: p for p in VolunteerProfile.objects.filter(user__in=team)}
        for week in range(4):
            day = first_past + timedelta(weeks=week)
            if day >= today:
                break
            start, end = make_local(day, starts), make_local(day, ends)
            shift = Shift.objects.create(activity=activity, start=start, end=end, needed=needed)
            for person in team[:needed]:
                if activity.children_under_15 and not profiles[person.pk].certificate_valid_on(day):
                    continue
                hours = Decimal((end - start).total_seconds()) / Decimal(3600)
                ShiftSignup.objects.create(
                    shift=shift,
                    volunteer=person,
                    status=SignupStatus.SIGNED_UP,
                    shift_start=start,
                    shift_end=end,
                    attended=True,
                    hours=hours.quantize(Decimal("0.01")),
                    attendance_recorded_by=activity.coordinator,
                )
        # A month ahead, as a weekly series (holidays and closures skipped).
        first = _next_weekday(today + timedelta(days=1), weekday)
        start, end = make_local(first, starts), make_local(first, ends)
        try:
            series = services.shift_series_create(
                actor=admin,
                activity=activity,
                start=start,
                end=end,
                rrule="FREQ=WEEKLY;COUNT=5",
                needed=needed,
                room=room,
            )
        except DomainError:  # the room is taken at one of the times: hold it without a room
            series = services.shift_series_create(
                actor=admin,
                activity=activity,
                start=start,
                end=end,
                rrule="FREQ=WEEKLY;COUNT=5",
                needed=needed,
            )
        # Sign some of the team up, leaving places open (unfilled shifts to show).
        for index, shift in enumerate(series.shifts.order_by("start")):
            for person in team[: max(0, needed - 1 - index % 2)]:
                try:
                    services.shift_signup(actor=person, shift=shift)
                except DomainError:
                    continue


def _proposals(admin: User, people: dict[str, User]) -> None:
    frida = people.get("frivillig@example.dk")
    jyllinge = Branch.objects.filter(slug="jyllinge").first()
    if frida is None or jyllinge is None:
        return
    if SessionProposal.objects.filter(volunteer=frida, title="Strikkecafé for begyndere").exists():
        return
    day = _next_weekday(local_today() + timedelta(days=14), 3)
    services.proposal_submit(
        actor=frida,
        title="Strikkecafé for begyndere",
        description="Vi lærer at slå masker op og strikke ret og vrang. Garn og pinde findes.",
        branch=jyllinge,
        start=make_local(day, time(16)),
        end=make_local(day, time(18)),
        rrule="FREQ=WEEKLY;COUNT=4",
        tracks=Track.objects.filter(slug="hygge"),
        audiences=Audience.objects.filter(slug__in=["voksne", "aeldre"]),
        capacity=12,
    )


def load() -> None:
    admin = User.objects.filter(email="admin@example.dk").first()
    if admin is None:
        return
    people = _people(admin)
    activities = _activities(admin)
    _shifts(admin, activities, people)
    _proposals(admin, people)
