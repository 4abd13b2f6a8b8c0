"""The committee report as a manager hands it over (issue #15).

Page 1 is the summary with the written status; every table of the PDF fits its page (read
back with poppler's ``pdftotext``, which drops text that runs off the page); the gaps are
listed once, at the end; an initiative's status is shown beside what its events say; the
December report's numbers are the coverage API's; audiences have their Danish names.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from core.models import Audience
from events.models import EventState
from plans import report as reports
from plans import services
from plans.models import InitiativeStatus
from tests.plans.conftest import YEAR, World
from tests.plans.factories import make_event, make_initiative, make_plan

DECEMBER = "2027-12-10 12:00 +01:00"
PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None,
    reason="pdftotext (Debian package poppler-utils) is not installed; .ci/run installs it",
)


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page as poppler lays it out (``pdftotext -layout``)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(  # noqa: S603 (a fixed program and our own file)
        [str(PDFTOTEXT), "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def column_headers(html: str) -> list[list[str]]:
    """The column headers of every table of the report, table by table."""
    tables = re.findall(r"<thead>(.*?)</thead>", html, flags=re.S)
    return [
        [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", h)).split())
            for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', t, flags=re.S)
        ]
        for t in tables
    ]


def words(text: str) -> str:
    return " ".join(text.split())


def on(text: str, phrase: str) -> bool:
    """``phrase`` in ``text``, its words in order: a cell that wraps puts its next line after
    the other columns of the same line in ``pdftotext -layout``."""
    pattern = r"\s+(?:\S+\s+)*?".join(re.escape(w) for w in phrase.split())
    return re.search(pattern, text) is not None


@pytest.fixture
def december(world: World) -> World:
    """The world of the coverage tests, with a written status and next year's draft."""
    services.plan_status_write(
        actor=world.staff,
        plan=world.plan,
        overall="Året er gået godt; to spor mangler stadig indsatser.",
        per_track={"hygge": "Julehyggen trak fulde huse i alle tre biblioteker."},
    )
    draft = make_plan(year=YEAR + 1, is_draft=True)
    make_initiative(
        plan=draft,
        title="Læsekredse for unge",
        tracks=[world.tracks[0]],
        branches=[world.branches[1]],
        quarters=[2, 3],
    )
    return world


@needs_pdftotext
@time_machine.travel(DECEMBER, tick=False)
@pytest.mark.parametrize("period", ["year", "h1"])
def test_every_table_of_the_pdf_fits_the_page(december: World, tmp_path: Path, period: str) -> None:
    report = reports.build_report(year=YEAR, period=period)
    pages = pdf_pages(reports.render_pdf(report), tmp_path)
    text = words(" ".join(pages))
    headers = column_headers(reports.render_html(report, for_pdf=True))
    assert len(headers) >= 1 + 2 * 7  # the summary, then two or three tables per track
    for table in headers:
        for header in table:
            # pdftotext leaves out what runs off the page, so a cut-off column is missing
            # here; a header may wrap inside its cell, so its words are looked for in order.
            assert on(text, header), f"column “{header}” is not (wholly) on the page"


@needs_pdftotext
@time_machine.travel(DECEMBER, tick=False)
def test_page_one_is_the_summary_and_the_gaps_are_listed_once_at_the_end(
    december: World, tmp_path: Path
) -> None:
    report = reports.build_report(year=YEAR, period="year")
    pages = pdf_pages(reports.render_pdf(report), tmp_path)
    first = words(pages[0])
    for track in report.coverage.tracks:
        assert on(first, track.name_da)
    assert on(first, "Julehyggen trak fulde huse i alle tre biblioteker.")
    assert on(first, "Året er gået godt; to spor mangler stadig indsatser.")
    gaps = report.coverage.gaps
    assert gaps, "the world has gaps to list"
    assert str(len(gaps)) in first
    everything = words(" ".join(pages))
    last_pages = words(" ".join(pages[-3:]))
    for gap in gaps:
        assert words(gap.message) not in first
        assert everything.count(words(gap.message)) == 1, gap.message
        assert words(gap.message) in last_pages
    # December carries next year's draft, by quarter.
    assert "Læsekredse for unge" in everything
    assert len(pages) < 18


@time_machine.travel(DECEMBER, tick=False)
def test_december_report_numbers_equal_the_coverage_api(december: World, api) -> None:
    data = api.get("/api/coverage/", {"year": YEAR}).json()
    report = reports.build_report(year=YEAR, period="year")
    html = reports.render_html(report)
    summary = html[html.index('<table class="summary">') : html.index("</table>")]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", summary, flags=re.S)
    by_name = {
        unescape(name): [
            words(unescape(re.sub(r"<[^>]+>", "", c)))
            for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, flags=re.S)
        ]
        for name, cells in rows
    }
    api_rows = {t["track"]: t for t in data["tracks"]}
    assert len(by_name) == 7
    for section in report.sections:
        cells = by_name[section.track.name_da]
        row = api_rows[section.track.slug]
        danish = lambda n: f"{n:,}".replace(",", ".")  # noqa: E731 (1.234 in Danish)
        assert cells[0].startswith(f"{row['initiatives']} ")
        assert f"{row['target_initiatives']}" in cells[0]
        assert cells[1] == danish(row["events_held"])
        assert cells[2] == danish(row["events_planned"])
        assert cells[3] == danish(row["attendance"])
        assert cells[4] == f"{row['volunteer_hours']:g}".replace(".", ",")
        assert cells[5] == danish(row["partners"])


@time_machine.travel(DECEMBER, tick=False)
def test_xlsx_has_danish_audience_names_the_written_status_and_participants(
    december: World,
) -> None:
    report = reports.build_report(year=YEAR, period="year")
    wb = load_workbook(io.BytesIO(reports.render_xlsx(report)))
    overview = list(wb.worksheets[0].iter_rows(values_only=True))
    header = list(overview[0])
    audiences = header.index(header[-2])
    slugs = set(Audience.objects.values_list("slug", flat=True))
    names = set(Audience.objects.values_list("name_da", flat=True)) - slugs
    listed = {a for row in overview[1:] for a in (row[audiences] or "").split(", ") if a}
    assert listed and listed <= names, listed
    cells = {str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row}
    assert "Julehyggen trak fulde huse i alle tre biblioteker." in cells
    assert "Læsekredse for unge" in cells
    audience_sheet = next(
        ws for ws in wb.worksheets if ws.max_column == 4 and ws.title != "Mangler"
    )
    rows = list(audience_sheet.iter_rows(values_only=True))[1:]
    total = sum(r[3] for r in rows if r[3])
    api_total = sum(
        n
        for s in report.sections
        for _b, c in s.by_branch
        for n in c.audience_participants.values()
    )
    assert total == api_total > 0


@time_machine.travel(DECEMBER, tick=False)
def test_one_truth_status_beside_what_the_linked_events_say(world: World) -> None:
    from datetime import date, time

    from core.timeutils import make_local

    done = make_initiative(
        plan=world.plan,
        title="Strikkecafé hele året",
        tracks=[world.tracks[1]],
        branches=[world.branches[0]],
        quarters=[1],
        status=InitiativeStatus.DONE,
    )
    dropped = make_initiative(
        plan=world.plan,
        title="Opgivet kursusrække",
        tracks=[world.tracks[0]],
        branches=[world.branches[0]],
        quarters=[4],
        status=InitiativeStatus.DROPPED,
    )
    future = make_event(
        branch=world.branches[0],
        start=make_local(date(2027, 12, 20), time(10)),
        tracks=[world.tracks[1]],
    )
    held = make_event(
        branch=world.branches[0],
        start=make_local(date(2027, 11, 2), time(10)),
        tracks=[world.tracks[0]],
        attendance_count=9,
        state=EventState.PUBLISHED,
    )
    done.events.add(future)
    dropped.events.add(held)
    report = reports.build_report(year=YEAR, period="year")
    facts = report.facts
    assert (facts[done.pk].held, facts[done.pk].planned) == (0, 1)
    assert facts[done.pk].warnings and facts[dropped.pk].warnings
    assert facts[dropped.pk].participants == 9
    warned = {i.title for i, _w in report.warnings}
    assert warned == {"Strikkecafé hele året", "Opgivet kursusrække"}
    html = reports.render_html(report)
    for w in facts[done.pk].warnings + facts[dropped.pk].warnings:
        assert w in unescape(html)
    # The plan page warns staff before the report is made.
    browser = Client()
    browser.force_login(world.staff)
    page = browser.get("/plan/", {"year": YEAR}).content.decode()
    assert "Strikkecafé hele året" in page and "Opgivet kursusrække" in page
    assert unescape(page).count(facts[done.pk].warnings[0]) == 1


@time_machine.travel(DECEMBER, tick=False)
def test_manager_writes_the_status_on_the_plan_page_and_it_is_saved_with_the_plan(
    world: World,
) -> None:
    from core.models import AuditLog

    browser = Client()
    browser.force_login(world.staff)
    page = browser.get("/plan/", {"year": YEAR}).content.decode()
    assert 'name="track_hygge"' in page and 'name="overall"' in page
    response = browser.post(
        f"/plan/status/{YEAR}/",
        {"overall": "Et godt år.", "track_hygge": "Fulde huse.", "track_fordybelse": " "},
    )
    assert response.status_code == 302
    world.plan.refresh_from_db()
    assert world.plan.status_overall == "Et godt år."
    assert world.plan.track_status == {"hygge": "Fulde huse."}
    assert AuditLog.objects.filter(action="plan.status_written").count() == 1
    html = reports.render_html(reports.build_report(year=YEAR, period="h1"))
    summary = html[: html.index('<section class="track"')]
    assert "Et godt år." in summary and "Fulde huse." in summary
    # The form shows what was saved; an unknown track is refused with a message, not a 500.
    assert "Fulde huse." in browser.get("/plan/", {"year": YEAR}).content.decode()
    refused = browser.post(f"/plan/status/{YEAR}/", {"track_atlantis": "x"}, follow=True)
    assert refused.status_code == 200
    world.plan.refresh_from_db()
    assert world.plan.track_status == {"hygge": "Fulde huse."}
    citizen = Client()
    from tests.plans.factories import make_person

    citizen.force_login(make_person())
    assert citizen.post(f"/plan/status/{YEAR}/", {"overall": "x"}).status_code == 403


@time_machine.travel(DECEMBER, tick=False)
def test_coverage_table_shows_held_and_planned_apart_with_a_legend(world: World) -> None:
    browser = Client()
    browser.force_login(world.staff)
    html = browser.get("/plan/", {"year": 2028}).content.decode()
    assert 'class="legend heat-legend"' in html
    html = browser.get("/plan/", {"year": YEAR}).content.decode()
    assert 'class="planned-mark"' in html or "planned-mark" in html
    assert 'class="table-scroll"' in html


@time_machine.travel(DECEMBER, tick=False)
@pytest.mark.parametrize("linked", [1, 6])
def test_one_truth_costs_the_same_queries_at_any_size(
    world: World, django_assert_num_queries, linked: int
) -> None:
    from plans import selectors

    initiatives = list(world.plan.initiatives.all())
    for initiative in initiatives:
        initiative.events.add(*world.events[:linked])
    with django_assert_num_queries(3):
        # 1 events linked one by one, 2 events of linked series, 3 checked-in seats.
        facts = selectors.initiative_event_facts(initiatives)
    assert all(f.linked for f in facts.values())
    assert any(f.held for f in facts.values())


@time_machine.travel(DECEMBER, tick=False)
def test_the_dashboard_counts_participants_per_audience_as_the_api_does(world: World, api) -> None:
    data = api.get("/api/coverage/", {"year": YEAR}).json()
    browser = Client()
    browser.force_login(world.staff)
    html = browser.get("/plan/", {"year": YEAR}).content.decode()
    table = html[html.index('<table class="audiences">') :]
    table = table[: table.index("</table>")]
    names = dict(Audience.objects.values_list("slug", "name_da"))
    header = [unescape(h) for h in re.findall(r'<th scope="col">(.*?)</th>', table)][1:]
    rows = {
        unescape(name): [
            int(n.replace(".", "")) for n in re.findall(r'<td class="n">([\d.]+)</td>', cells)
        ]
        for name, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, flags=re.S)
    }
    tracks = {t.slug: t.name_da for t in world.tracks}
    checked = 0
    for row in data["tracks"]:
        for item in row["audience_participants"]:
            shown = rows[tracks[row["track"]]][header.index(names[item["audience"]])]
            assert shown == item["participants"]
            checked += 1
    assert checked
