"""The status report: PDF pages, XLSX sheets and numbers, CSV, the command line."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import pgettext
from openpyxl import load_workbook
from pypdf import PdfReader

from plans import report as reports
from tests.plans.conftest import NOW, YEAR, World
from tests.plans.factories import make_initiative, make_plan


@pytest.fixture
def with_draft(world: World) -> World:
    draft = make_plan(year=YEAR + 1, is_draft=True)
    make_initiative(
        plan=draft,
        title="Læsekredse for unge",
        tracks=[world.tracks[0]],
        branches=[world.branches[1]],
        quarters=[1, 2],
    )
    return world


def _expected_track_total(world: World, slug: str, quarters: tuple[int, ...]) -> dict[str, int]:
    exp = world.expected
    keys = [(slug, b.slug, q) for b in world.branches for q in quarters]
    return {
        "held": sum(exp.held[k] for k in keys),
        "attendance": sum(exp.attendance[k] for k in keys),
        "registrations": sum(exp.registrations[k] for k in keys),
    }


def test_december_pdf_has_a_section_per_track_and_the_draft(with_draft: World) -> None:
    world = with_draft
    report = reports.build_report(year=YEAR, period="year", now=NOW)
    pdf = PdfReader(io.BytesIO(reports.render_pdf(report)))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    # Summary page + one page (at least) per track + the draft plan.
    assert len(pdf.pages) >= 1 + 7 + 1
    assert "Årsrapport december 2027" in text
    for name in [
        "Fordybelse",
        "Hygge",
        "Viden & vejledning",
        "Struktur for livet",
        "En lokal aktør",
        "Indgang til fællesskab",
        "Digitale forbindelser",
    ]:
        assert name in text
    assert "Handleplan 2028 (udkast)" in text
    assert "Læsekredse for unge" in text
    assert (
        "Digitale forbindelser: 1 af 3 indsatser i handleplanen for 2027 (opgivne tæller ikke med)"
        in text
    )
    # The per-track sections start on their own pages, in the plan's order.
    hygge_page = next(i for i, p in enumerate(pdf.pages) if p.extract_text().startswith("Hygge"))
    assert hygge_page >= 1
    held = _expected_track_total(world, "hygge", (1, 2, 3, 4))["held"]
    assert f"Afholdte arrangementer: {held}" in pdf.pages[hygge_page].extract_text().replace(
        "\n", " "
    )


def test_june_xlsx_numbers_match_the_coverage(with_draft: World) -> None:
    world = with_draft
    report = reports.build_report(year=YEAR, period="h1", now=NOW)
    wb = load_workbook(io.BytesIO(reports.render_xlsx(report)))
    # June: no draft sheet (the next year's plan belongs to December).
    with translation.override("da"):
        written, audiences = (
            pgettext("plan report column", name) for name in ("Written status", "Audiences")
        )
    assert wb.sheetnames == [
        "Oversigt",
        written,
        "Biblioteker",
        "Kvartaler",
        "Indsatser",
        audiences,
        "Mangler",
    ]
    overview = wb["Oversigt"]
    header = [c.value for c in overview[1]]
    assert header[:2] == ["Spor", "Mål (indsatser)"]
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in overview.iter_rows(min_row=2, values_only=True)
    }
    assert len(rows) == 7
    for track in world.tracks:
        expected = _expected_track_total(world, track.slug, (1, 2))
        row = rows[track.name_da]
        assert row["Afholdte arrangementer"] == expected["held"]
        assert row["Fremmøde"] == expected["attendance"]
        assert row["Tilmeldinger"] == expected["registrations"]
    quarters = {c.value for c in wb["Kvartaler"]["B"][1:]}
    assert quarters == {1, 2}
    gaps = [r[3] for r in wb["Mangler"].iter_rows(min_row=2, values_only=True)]
    assert (
        "Digitale forbindelser: 1 af 3 indsatser i handleplanen for 2027 (opgivne tæller ikke med)"
        in gaps
    )
    titles = {r[1] for r in wb["Indsatser"].iter_rows(min_row=2, values_only=True)}
    assert "Læsekredse for unge" not in titles  # next year's draft is not this year's plan


def test_december_xlsx_has_the_draft_sheet(with_draft: World) -> None:
    report = reports.build_report(year=YEAR, period="year", now=NOW)
    wb = load_workbook(io.BytesIO(reports.render_xlsx(report)))
    assert wb.sheetnames[-1] == "Udkast 2028"
    assert [r[1] for r in wb["Udkast 2028"].iter_rows(min_row=2, values_only=True)] == [
        "Læsekredse for unge"
    ]


def _read_csv(content: bytes) -> list[dict[str, str]]:
    """Read the CSV back the way Danish Excel does: UTF-8 with BOM, semicolons."""
    assert content.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would garble æøå"
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def test_csv_rows_per_track_branch_quarter(world: World) -> None:
    report = reports.build_report(year=YEAR, period="year", now=NOW)
    rows = _read_csv(reports.render(report, "csv"))
    assert list(rows[0])[:3] == ["Spor", "Bibliotek", "Kvartal"]
    assert "Frivillige timer" in rows[0]
    exp = world.expected
    checked = 0
    for row in rows:
        if row["Bibliotek"] == "Alle":
            continue
        track = next((t for t in world.tracks if t.name_da == row["Spor"]), None)
        branch = next((b for b in world.branches if b.name == row["Bibliotek"]), None)
        if track is None or branch is None:
            continue
        key = (track.slug, branch.slug, int(row["Kvartal"]))
        assert int(row["Afholdte arrangementer"]) == exp.held[key]
        assert int(row["Fremmøde"]) == exp.attendance[key]
        hours = row["Frivillige timer"]
        assert "." not in hours, hours  # decimal comma, never a point
        assert Decimal(hours.replace(",", ".")) == exp.hours[key]
        checked += 1
    assert checked > 0


def test_csv_uses_decimal_comma_and_keeps_danish_letters(world: World) -> None:
    report = reports.build_report(year=YEAR, period="year", now=NOW)
    content = reports.render(report, "csv")
    first_line = content.decode("utf-8-sig").splitlines()[0]
    assert first_line.startswith("Spor;Bibliotek;Kvartal;")
    assert "Fremmøde" in first_line  # ø survives the round trip
    rows = _read_csv(content)
    hours = [r["Frivillige timer"] for r in rows]
    assert all("," in h for h in hours), hours[:5]  # e.g. "0,0" and "1,5"
    assert any(h not in {"0,0"} for h in hours)


def test_command_writes_csv_for_excel(world: World, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    call_command(
        "plan_report", str(YEAR), "--period", "h1", "--format", "csv", "--output", str(out)
    )
    rows = _read_csv(out.read_bytes())
    assert {r["Kvartal"] for r in rows} == {"1", "2", "Alle"}


def test_command_writes_each_format(world: World, tmp_path: Path) -> None:
    for fmt in ("xlsx", "csv", "html"):
        out = tmp_path / f"r.{fmt}"
        call_command(
            "plan_report", str(YEAR), "--period", "h1", "--format", fmt, "--output", str(out)
        )
        assert out.stat().st_size > 100
    assert load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "Oversigt"
    assert "Statusrapport juni 2027" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_command_pdf_default_name(world: World, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    call_command("plan_report", str(YEAR), "--period", "h1", "--format", "pdf")
    pdf = PdfReader(tmp_path / "statusrapport-2027-juni.pdf")
    assert "Statusrapport juni 2027" in pdf.pages[0].extract_text()


def test_command_refuses_a_bad_period(db: None) -> None:
    with pytest.raises(CommandError):
        call_command("plan_report", "2027", "--period", "q3")


def test_report_says_met_targets_without_n_of_target(world: World) -> None:
    """A met target reads "5 indsatser (mål: 3)", never "5 af 3"; a short one names what's missing."""
    fordybelse, hygge = world.tracks[0], world.tracks[1]
    # Fordybelse has 2 live initiatives; three more make 5 against the default target of 3.
    for _ in range(3):
        make_initiative(plan=world.plan, tracks=[fordybelse], branches=[world.branches[0]])
    report = reports.build_report(year=YEAR, period="year", now=NOW)
    sections = {s.track.slug: s for s in report.sections}
    assert sections[fordybelse.slug].year_numbers.initiative_count == 5
    assert sections[hygge.slug].year_numbers.initiative_count == 2
    html = reports.render_html(report)
    assert "5 indsatser (mål: 3)" in html
    assert "5 af 3" not in html
    assert "2 indsatser (mål: 3, mangler 1)" in html
    assert "Indsatser i handleplanen:</strong> 5 indsatser (mål: 3);" in html
