"""Demo data: this year's action plan (and next year's draft), laid relative to today.

Initiatives sit on every track, modelled on Roskilde's 2017 action plan; some tracks fall
short of their target at some branches so the dashboard shows real gaps. Initiatives are
linked to the demo events (loaded before this, order 30) that match their tracks,
branches and quarters. Idempotent: running it twice leaves the same data.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from core.models import Branch, Partner, Track, User
from core.timeutils import local_today
from events.models import Event, EventState
from plans.models import Initiative, InitiativeStatus, Plan, TrackTarget, plan_period_for
from plans.selectors import quarter_bounds

# title, description, quarters, tracks, branches, partners, responsible e-mail
INITIATIVES: list[tuple[str, str, list[int], list[str], list[str], list[str], str]] = [
    (
        "Guidet fælleslæsning i Gundsømagle",
        "Læseguider fra Læseforeningen læser højt og samtaler om teksten hver anden uge.",
        [1, 2, 3, 4],
        ["fordybelse", "indgang-til-faellesskab"],
        ["gundsoemagle"],
        ["Læseforeningen"],
        "admin@example.dk",
    ),
    (
        "Forfatteraftener i Jyllinge",
        "Tre aftener med lokale og landskendte forfattere; samtale og bogsalg.",
        [1, 4],
        ["fordybelse"],
        ["jyllinge"],
        [],
        "personale@example.dk",
    ),
    (
        "Fordybelseszoner i Viby og Jyllinge",
        "Indretning af rolige læsezoner med lænestole og lyttestationer.",
        [2, 3],
        ["fordybelse", "hygge"],
        ["viby", "jyllinge"],
        ["KulturCosmos"],
        "viby@example.dk",
    ),
    (
        "Strikkecafé i Ågerup",
        "Ugentlig strikkecafé i den selvbetjente åbningstid, drevet af frivillige.",
        [1, 2, 3, 4],
        ["hygge", "indgang-til-faellesskab"],
        ["aagerup"],
        ["Ågerup og Omegns Landsbyråd"],
        "admin@example.dk",
    ),
    (
        "Dysleksiaften med VUC og Ordblindeforeningen",
        "Vejledning om hjælpemidler, NOTA og voksenundervisning for ordblinde.",
        [1],
        ["viden-og-vejledning"],
        ["roskilde"],
        ["VUC Roskilde", "Ordblindeforeningen", "NOTA"],
        "personale@example.dk",
    ),
    (
        "Vejledning i den ubemandede tid",
        "Skilte, temaudstillinger og QR-vejledninger til den selvbetjente åbningstid i juli.",
        [3],
        ["viden-og-vejledning"],
        ["gadstrup", "gundsoemagle", "aagerup"],
        [],
        "admin@example.dk",
    ),
    (
        "Naturfortællinger på biblioteket",
        "Foredrag og vandringer om lokal natur sammen med frivillige naturvejledere.",
        [2, 3],
        ["viden-og-vejledning", "en-lokal-aktoer"],
        ["viby"],
        ["KulturCosmos"],
        "viby@example.dk",
    ),
    (
        "Eksamenslæsesal",
        "Forlænget åbent og stille læsesal i eksamensperioderne i maj-juni og december.",
        [2, 4],
        ["struktur-for-livet"],
        ["roskilde"],
        [],
        "personale@example.dk",
    ),
    (
        "Litterær barselscafé",
        "Barselscafé med højtlæsning for forældre og rim og remser for de mindste.",
        [1, 2, 3, 4],
        ["struktur-for-livet", "hygge"],
        ["viby", "jyllinge"],
        [],
        "viby@example.dk",
    ),
    (
        "Nypensionistcafé",
        "Café for nye pensionister om foreninger, frivillighed og digitale selvbetjeninger.",
        [4],
        ["struktur-for-livet", "indgang-til-faellesskab"],
        ["gundsoemagle"],
        ["Ældre Sagen Roskilde"],
        "admin@example.dk",
    ),
    (
        "Bogstabling ved Ågerup Sommerfest",
        "Biblioteket deltager i Ågerup Sommerfest med bogstabling og bogbyttemarked.",
        [3],
        ["en-lokal-aktoer"],
        ["aagerup"],
        ["Ågerup og Omegns Landsbyråd"],
        "admin@example.dk",
    ),
    (
        "Bogbussen på Trekronerdagen",
        "Bogbussen kommer til Trekronerdagen med lånekort, højtlæsning og quiz.",
        [3],
        ["en-lokal-aktoer"],
        ["bogbussen"],
        [],
        "admin@example.dk",
    ),
    (
        "3D-print på Jyllinge Festival",
        "Makerspace-stand med 3D-printer og Coding Pirates på Jyllinge Festival.",
        [2],
        ["en-lokal-aktoer", "digitale-forbindelser"],
        ["jyllinge"],
        ["Jyllinge Festival", "Coding Pirates Roskilde"],
        "personale@example.dk",
    ),
    (
        "Sprogcafé med Dansk Flygtningehjælp",
        "Ugentlig sprogcafé, hvor frivillige taler dansk med nye borgere.",
        [1, 2, 3, 4],
        ["indgang-til-faellesskab"],
        ["roskilde"],
        ["Dansk Flygtningehjælp"],
        "personale@example.dk",
    ),
    (
        "Foreningsaften i Cosmos",
        "Lokale foreninger præsenterer sig for nye borgere i Peder Syv Salen.",
        [3],
        ["indgang-til-faellesskab", "en-lokal-aktoer"],
        ["viby"],
        ["KulturCosmos"],
        "viby@example.dk",
    ),
    (
        "Digitale lokale netværk i Gadstrup",
        "Biblioteket opretter og faciliterer en lokal Facebook-gruppe og nyhedsbrev.",
        [1],
        ["digitale-forbindelser"],
        ["gadstrup"],
        [],
        "admin@example.dk",
    ),
    (
        "Kørekort til laserskæreren",
        "Introduktionskurser til makerspacet, med FabLab RUC – aflyst pga. maskinnedbrud.",
        [2],
        ["digitale-forbindelser"],
        ["roskilde"],
        ["FabLab RUC"],
        "personale@example.dk",
    ),
]
DROPPED = {"Kørekort til laserskæreren"}
EVALUATIONS = {
    "Dysleksiaften med VUC og Ordblindeforeningen": "42 deltagere; VUC vil gentage aftenen.",
    "Guidet fælleslæsning i Gundsømagle": "Fast gruppe på 8–10; en ny læseguide er uddannet.",
    "Kørekort til laserskæreren": "Udskudt til næste år, da laserskæreren skal repareres.",
}

# Next year's draft plan: a start on most tracks, not yet three on each.
DRAFT: list[tuple[str, list[int], list[str], list[str]]] = [
    ("Læsekredse for unge i Viby", [1, 2], ["fordybelse"], ["viby"]),
    ("Hyggekroge i Gadstrup", [1], ["hygge"], ["gadstrup"]),
    (
        "IT-hjælp med frivillige i Netværkstedet",
        [1, 2, 3, 4],
        ["digitale-forbindelser", "viden-og-vejledning"],
        ["roskilde"],
    ),
    (
        "Bogbussen ved virksomheder",
        [2, 3],
        ["en-lokal-aktoer", "struktur-for-livet"],
        ["bogbussen"],
    ),
    (
        "Interessefællesskaber i Jyllinge og Gadstrup",
        [3, 4],
        ["indgang-til-faellesskab"],
        ["jyllinge", "gadstrup"],
    ),
]

# Branch targets that make real gaps: (track, branch, min initiatives, min events, min attendance)
BRANCH_TARGETS = [
    ("hygge", "gadstrup", 1, 4, None),
    ("digitale-forbindelser", "aagerup", 1, 2, None),
    ("fordybelse", "gundsoemagle", 1, 3, 60),
    ("en-lokal-aktoer", "jyllinge", 1, 3, 150),
]


def _status(quarters: list[int], current_quarter: int) -> str:
    if max(quarters) < current_quarter:
        return InitiativeStatus.DONE
    if min(quarters) <= current_quarter:
        return InitiativeStatus.IN_PROGRESS
    return InitiativeStatus.PLANNED


@transaction.atomic
def load() -> None:
    today = local_today()
    year = today.year
    current_quarter = (today.month - 1) // 3 + 1
    tracks = {t.slug: t for t in Track.objects.all()}
    branches = {b.slug: b for b in Branch.objects.all()}
    partners = {p.name: p for p in Partner.objects.all()}
    people = {u.email: u for u in User.objects.filter(email__endswith="@example.dk")}
    if not tracks or not branches:
        return

    plan, _ = Plan.objects.update_or_create(
        year=year,
        defaults={
            "period": plan_period_for(year),
            "title": f"Handleplan {year}",
            "is_draft": False,
            "notes": "Bibliotekernes rolle i lokalsamfundet: mindst tre indsatser på hvert af de syv spor.",
        },
    )
    draft, _ = Plan.objects.update_or_create(
        year=year + 1,
        defaults={
            "period": plan_period_for(year + 1),
            "title": f"Handleplan {year + 1} (udkast)",
            "is_draft": True,
        },
    )
    for track in tracks.values():
        for p in (plan, draft):
            TrackTarget.objects.update_or_create(
                plan=p, track=track, branch=None, defaults={"min_initiatives": 3}
            )
    for track_slug, branch_slug, ini, events, attendance in BRANCH_TARGETS:
        if track_slug in tracks and branch_slug in branches:
            TrackTarget.objects.update_or_create(
                plan=plan,
                track=tracks[track_slug],
                branch=branches[branch_slug],
                defaults={
                    "min_initiatives": ini,
                    "min_events": events,
                    "min_attendance": attendance,
                },
            )

    for title, description, quarters, t_slugs, b_slugs, p_names, email in INITIATIVES:
        status = (
            InitiativeStatus.DROPPED if title in DROPPED else _status(quarters, current_quarter)
        )
        initiative, _ = Initiative.objects.update_or_create(
            plan=plan,
            title=title,
            defaults={
                "description": description,
                "quarters": quarters,
                "status": status,
                "evaluation": EVALUATIONS.get(title, ""),
                "responsible": people.get(email),
            },
        )
        its_tracks = [tracks[s] for s in t_slugs if s in tracks]
        its_branches = [branches[s] for s in b_slugs if s in branches]
        initiative.tracks.set(its_tracks)
        initiative.branches.set(its_branches)
        initiative.partners.set([partners[n] for n in p_names if n in partners])
        window = Q()
        for q in quarters:
            start, end = quarter_bounds(year, q)
            window |= Q(start__gte=start, start__lt=end)
        carried_by = list(
            Event.objects.filter(window, tracks__in=its_tracks, branch__in=its_branches)
            .exclude(state=EventState.DRAFT)
            .distinct()
            .order_by("start")[:8]
        )
        initiative.events.set(carried_by)
        initiative.series.set({e.series_id for e in carried_by})

    for title, quarters, t_slugs, b_slugs in DRAFT:
        initiative, _ = Initiative.objects.update_or_create(
            plan=draft,
            title=title,
            defaults={"quarters": quarters, "status": InitiativeStatus.PLANNED},
        )
        initiative.tracks.set([tracks[s] for s in t_slugs if s in tracks])
        initiative.branches.set([branches[s] for s in b_slugs if s in branches])
