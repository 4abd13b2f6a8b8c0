"""The status report to the culture committee (KIU): June (first half) and December (year).

One ``Report`` is built from the coverage selector and rendered four ways: a printable
HTML page, a PDF (WeasyPrint, from the same HTML), the numbers as XLSX (openpyxl) and as
CSV. Reports are always in Danish, with the tracks' Danish names as the plan writes them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.exceptions import RuleViolation
from core.exports import safe_row
from core.models import Audience, Track
from core.timeutils import local_tz
from plans import selectors
from plans.models import Initiative, InitiativeStatus, Plan
from plans.selectors import PERIODS, Cell, Coverage, Gap

if TYPE_CHECKING:
    from openpyxl import Workbook

REPORT_LANGUAGE = "da"
FORMATS = ("html", "pdf", "xlsx", "csv")


@dataclass
class TrackSection:
    track: Track
    target: int
    numbers: Cell
    year_numbers: Cell
    by_branch: list[tuple[Any, Cell]]
    by_quarter: list[tuple[int, Cell]]
    initiatives: list[Initiative]
    partners: list[str]
    gaps: list[Gap]
    next_initiatives: list[Initiative] = field(default_factory=list)
    status_text: str = ""
    # Participants per audience, Danish names: [("Børn", 42), ...]
    audience_participants: list[tuple[str, int]] = field(default_factory=list)
    # Next year's draft per quarter: [[titles in Q1], [Q2], [Q3], [Q4]]
    next_by_quarter: list[list[str]] = field(default_factory=list)

    @property
    def by_status(self) -> list[tuple[str, int]]:
        counts = self.year_numbers.initiatives_by_status()
        return [(str(label), counts[value]) for value, label in InitiativeStatus.choices]


@dataclass
class Report:
    year: int
    period: str
    title: str
    period_label: str
    coverage: Coverage
    plan: Plan | None
    sections: list[TrackSection]
    next_plan: Plan | None
    generated_at: datetime
    audience_names: dict[str, str] = field(default_factory=dict)
    status_overall: str = ""
    # What the linked events say, per initiative id (one truth, see plans.selectors.truth)
    facts: dict[int, selectors.EventFacts] = field(default_factory=dict)

    @property
    def warnings(self) -> list[tuple[Initiative, list[str]]]:
        """Initiatives whose status and linked events disagree, each once."""
        seen: dict[int, tuple[Initiative, list[str]]] = {}
        for section in self.sections:
            for i in section.initiatives:
                if self.facts.get(i.pk) and self.facts[i.pk].warnings:
                    seen.setdefault(i.pk, (i, self.facts[i.pk].warnings))
        return list(seen.values())

    @property
    def gap_groups(self) -> list[tuple[str, list[tuple[str, list[str]]]]]:
        """The gaps once, by branch (the plan as a whole first) and track, at the report's end."""
        everywhere = _("All branches")
        order = {b.pk: n for n, b in enumerate(self.coverage.branches)}
        groups: dict[tuple[int, str], dict[str, list[str]]] = {}
        tracks = {t.pk: n for n, t in enumerate(self.coverage.tracks)}
        for gap in sorted(
            self.coverage.gaps,
            key=lambda g: (
                order.get(g.branch.pk, 0) + 1 if g.branch else 0,
                tracks.get(g.track.pk, 0),
            ),
        ):
            key = (
                order.get(gap.branch.pk, 0) + 1 if gap.branch else 0,
                gap.branch.name if gap.branch else str(everywhere),
            )
            groups.setdefault(key, {}).setdefault(gap.track.name_da, []).append(gap.message)
        return [(name, list(by_track.items())) for (_n, name), by_track in groups.items()]

    @property
    def audience_rows(self) -> list[tuple[str, str, str, int]]:
        """(track, branch, audience, participants) for every branch and track with any."""
        names = self.audience_names
        rows = []
        for section in self.sections:
            for branch, cell in section.by_branch:
                for slug, n in sorted(cell.audience_participants.items()):
                    rows.append((section.track.name_da, branch.name, names.get(slug, slug), n))
        return rows

    @property
    def is_full_year(self) -> bool:
        return self.period == "year"

    @property
    def filename_stem(self) -> str:
        return f"statusrapport-{self.year}-{'juni' if self.period == 'h1' else 'december'}"


def quarters_text(quarters: list[int]) -> str:
    """ "1. og 3. kvartal", "hele året" – the way the plan writes it."""
    if sorted(quarters) == [1, 2, 3, 4]:
        return _("all year")
    labels = [f"{q}." for q in sorted(quarters)]
    joined = (
        labels[0]
        if len(labels) == 1
        else ", ".join(labels[:-1]) + " " + _("and") + " " + labels[-1]
    )
    return _("%(quarters)s quarter") % {"quarters": joined}


def build_report(*, year: int, period: str, now: datetime | None = None) -> Report:
    """Gather everything of a report in a fixed number of queries (in Danish)."""
    if period not in PERIODS:
        raise RuleViolation(
            _("The period must be “h1” (June) or “year” (December)."), field="period"
        )
    with translation.override(REPORT_LANGUAGE):
        cov = selectors.coverage(year=year, quarters=PERIODS[period], now=now)
        initiatives = list(selectors.initiative_list(year=year))
        next_plan = selectors.plan_for_year(year=year + 1) if period == "year" else None
        next_initiatives = (
            list(selectors.initiative_list(year=year + 1)) if next_plan is not None else []
        )
        grouped = dict(
            (t.pk, items) for t, items in selectors.initiatives_by_track(initiatives, cov.tracks)
        )
        next_grouped = dict(
            (t.pk, items)
            for t, items in selectors.initiatives_by_track(next_initiatives, cov.tracks)
        )
        sections = []
        names = dict(Audience.objects.values_list("slug", "name_da"))
        written = cov.plan.track_status if cov.plan is not None else {}
        for track in cov.tracks:
            numbers = cov.total(track=track)
            year_numbers = cov.total(track=track, whole_year=True)
            target = cov.target(track=track)
            section_initiatives = grouped.get(track.pk, [])
            partners = set(numbers.partners)
            sections.append(
                TrackSection(
                    track=track,
                    target=target.min_initiatives if target else 0,
                    numbers=numbers,
                    year_numbers=year_numbers,
                    by_branch=[(b, cov.total(track=track, branch=b)) for b in cov.branches],
                    by_quarter=[(q, cov.total(track=track, quarter=q)) for q in cov.quarters],
                    initiatives=section_initiatives,
                    partners=sorted(partners),
                    gaps=cov.gaps_for(track),
                    next_initiatives=next_grouped.get(track.pk, []),
                    status_text=(written or {}).get(track.slug, ""),
                    audience_participants=sorted(
                        (names.get(slug, slug), n)
                        for slug, n in numbers.audience_participants.items()
                    ),
                    next_by_quarter=[
                        [i.title for i in next_grouped.get(track.pk, []) if q in i.quarter_list]
                        for q in (1, 2, 3, 4)
                    ],
                )
            )
        facts = selectors.initiative_event_facts(initiatives, now=now)
        if period == "h1":
            title = _("Status report June %(year)s") % {"year": year}
            period_label = _("1st half of %(year)s (1st and 2nd quarter)") % {"year": year}
        else:
            title = _("Annual report December %(year)s") % {"year": year}
            period_label = _("The whole year %(year)s") % {"year": year}
    return Report(
        year=year,
        period=period,
        title=title,
        period_label=period_label,
        coverage=cov,
        plan=cov.plan,
        sections=sections,
        next_plan=next_plan,
        generated_at=timezone.localtime(now or timezone.now(), local_tz()),
        audience_names=names,
        status_overall=cov.plan.status_overall if cov.plan is not None else "",
        facts=facts,
    )


# --- HTML and PDF -----------------------------------------------------------------


def render_html(
    report: Report, *, for_pdf: bool = False, links: dict[str, str] | None = None
) -> str:
    with translation.override(REPORT_LANGUAGE):
        return render_to_string(
            "plans/report.html",
            {
                "report": report,
                "for_pdf": for_pdf,
                "links": links or {},
                "statuses": InitiativeStatus,
            },
        )


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # lazy: ~1 s to import, needed only for a download

    html = render_html(report, for_pdf=True)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


# --- Numbers: XLSX and CSV --------------------------------------------------------


def _number(value: Decimal | int) -> float | int:
    return float(value) if isinstance(value, Decimal) else value


# Headings use their own context, so other apps' catalogues cannot change their wording.
def _numbers_header() -> list[str]:
    return [
        pgettext("plan report column", "Initiatives"),
        pgettext("plan report column", "Events held"),
        pgettext("plan report column", "Events planned"),
        pgettext("plan report column", "Events cancelled"),
        pgettext("plan report column", "Registrations"),
        pgettext("plan report column", "Attendance"),
        pgettext("plan report column", "Volunteer hours"),
        pgettext("plan report column", "Partners"),
    ]


def _numbers_row(cell: Cell) -> list[Any]:
    return [
        cell.initiative_count,
        cell.events_held,
        cell.events_planned,
        cell.events_cancelled,
        cell.registrations,
        cell.attendance,
        _number(cell.volunteer_hours),
        cell.partner_count,
    ]


def number_rows(report: Report) -> list[list[Any]]:
    """One row per track × branch × quarter of the period, then the totals per track.

    Columns: track, branch, quarter, then the numbers. Totals have branch and quarter
    "Alle" (initiatives count distinct initiatives, so they do not add up).
    """
    cov = report.coverage
    rows: list[list[Any]] = []
    everyone = pgettext("plan report column", "All")
    for section in report.sections:
        track = section.track
        for branch in cov.branches:
            for q in cov.quarters:
                cell = cov.total(track=track, branch=branch, quarter=q)
                rows.append([track.name_da, branch.name, q, *_numbers_row(cell)])
        rows.append([track.name_da, everyone, everyone, *_numbers_row(section.numbers)])
    return rows


CSV_DELIMITER = ";"
CSV_ENCODING = "utf-8-sig"  # UTF-8 with a BOM, so Excel shows æ, ø and å


def _csv_value(value: Any) -> Any:
    """Decimal numbers with a decimal comma, as Danish Excel reads them ("1,5", "0,0")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return value


def render_csv(report: Report) -> str:
    """The numbers for Danish Excel: semicolon-separated, decimal comma.

    ``render()`` encodes it as UTF-8 with a BOM (``CSV_ENCODING``).
    """
    with translation.override(REPORT_LANGUAGE):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
        writer.writerow(
            safe_row(
                [
                    pgettext("plan report column", "Track"),
                    pgettext("plan report column", "Branch"),
                    pgettext("plan report column", "Quarter"),
                    *_numbers_header(),
                ]
            )
        )
        # Text that looks like a formula is made inert first; numbers stay numbers (a
        # negative one too) and only then get their decimal comma.
        writer.writerows([_csv_value(v) for v in safe_row(row)] for row in number_rows(report))
        return out.getvalue()


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    """One sheet: a bold, frozen header row, every cell through ``safe_cell``, fitted widths."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=title[:31])
    ws.append(safe_row(header))
    bold = Font(bold=True)
    for c in ws[1]:
        c.font = bold
    for row in rows:
        ws.append(safe_row(row))  # a title beginning with "=" is text, not a formula
    ws.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[index - 1])) for r in rows if len(r) >= index])
        ws.column_dimensions[get_column_letter(index)].width = min(60, max(10, width + 2))


def _overview_sheet(wb: Workbook, report: Report) -> None:
    """Per track: the target, the numbers of the period and the audiences reached."""
    header = [
        pgettext("plan report column", "Track"),
        pgettext("plan report column", "Target (initiatives)"),
        *_numbers_header(),
        pgettext("plan report column", "Audiences"),
        pgettext("plan report column", "Participants per audience"),
    ]
    rows = [
        [
            s.track.name_da,
            s.target,
            *_numbers_row(s.numbers),
            ", ".join(sorted(report.audience_names.get(a, a) for a in s.numbers.audiences)),
            ", ".join(f"{name}: {n}" for name, n in s.audience_participants),
        ]
        for s in report.sections
    ]
    _sheet(wb, pgettext("plan report column", "Overview"), header, rows)


def _branches_sheet(wb: Workbook, report: Report) -> None:
    """Per track and branch: the numbers of the period."""
    rows = [
        [s.track.name_da, b.name, *_numbers_row(cell)]
        for s in report.sections
        for b, cell in s.by_branch
    ]
    header = [
        pgettext("plan report column", "Track"),
        pgettext("plan report column", "Branch"),
        *_numbers_header(),
    ]
    _sheet(wb, pgettext("plan report column", "Branches"), header, rows)


def _quarters_sheet(wb: Workbook, report: Report) -> None:
    """Per track and quarter: the numbers of the period."""
    rows = [
        [s.track.name_da, q, *_numbers_row(cell)]
        for s in report.sections
        for q, cell in s.by_quarter
    ]
    header = [
        pgettext("plan report column", "Track"),
        pgettext("plan report column", "Quarter"),
        *_numbers_header(),
    ]
    _sheet(wb, pgettext("plan report column", "Quarters"), header, rows)


def _initiatives_sheet(wb: Workbook, report: Report) -> None:
    """Every initiative of the plan under each of its tracks, with status and evaluation."""
    header = [
        pgettext("plan report column", "Track"),
        pgettext("plan report column", "Initiative"),
        pgettext("plan report column", "Quarters"),
        pgettext("plan report column", "Branches"),
        pgettext("plan report column", "Status"),
        pgettext("plan report column", "Partners"),
        pgettext("plan report column", "Responsible"),
        pgettext("plan report column", "Evaluation"),
        pgettext("plan report column", "Linked events held"),
        pgettext("plan report column", "Linked events planned"),
        pgettext("plan report column", "Participants (linked events)"),
        pgettext("plan report column", "Status and events disagree"),
    ]
    empty = selectors.EventFacts()
    rows = [
        [
            s.track.name_da,
            i.title,
            quarters_text(i.quarter_list),
            ", ".join(b.name for b in i.branches.all()),
            str(i.get_status_display()),
            ", ".join(p.name for p in i.partners.all()),
            i.responsible.name if i.responsible else "",
            i.evaluation,
            f.held,
            f.planned,
            f.participants,
            " ".join(f.warnings),
        ]
        for s in report.sections
        for i in s.initiatives
        for f in [report.facts.get(i.pk, empty)]
    ]
    _sheet(wb, pgettext("plan report column", "Initiatives"), header, rows)


def _status_sheet(wb: Workbook, report: Report) -> None:
    """Page 1 of the report: the written status overall and per track."""
    header = [pgettext("plan report column", "Track"), pgettext("plan report column", "Status")]
    rows: list[list[Any]] = [[pgettext("plan report column", "Overall"), report.status_overall]]
    rows += [[s.track.name_da, s.status_text] for s in report.sections]
    _sheet(wb, pgettext("plan report column", "Written status"), header, rows)


def _audiences_sheet(wb: Workbook, report: Report) -> None:
    """Participants per audience at each branch on each track."""
    header = [
        pgettext("plan report column", "Track"),
        pgettext("plan report column", "Branch"),
        pgettext("plan report column", "Audience"),
        pgettext("plan report column", "Participants"),
    ]
    _sheet(
        wb,
        pgettext("plan report column", "Audiences"),
        header,
        [list(row) for row in report.audience_rows],
    )


def _gaps_sheet(wb: Workbook, report: Report) -> None:
    """Every gap against the plan, as the sentence the report prints."""
    header = [
        pgettext("plan report column", "Track"),
        pgettext("plan report column", "Branch"),
        pgettext("plan report column", "Quarter"),
        pgettext("plan report column", "Gap"),
    ]
    rows: list[list[Any]] = [
        [g.track.name_da, g.branch.name if g.branch else "", g.quarter or "", g.message]
        for g in report.coverage.gaps
    ]
    _sheet(wb, pgettext("plan report column", "Gaps"), header, rows)


def _draft_sheet(wb: Workbook, report: Report, next_plan: Plan) -> None:
    """December: the initiatives of next year's draft plan."""
    header = [
        pgettext("plan report column", "Track"),
        pgettext("plan report column", "Initiative"),
        pgettext("plan report column", "Quarters"),
        pgettext("plan report column", "Branches"),
        pgettext("plan report column", "Partners"),
    ]
    rows = [
        [
            s.track.name_da,
            i.title,
            quarters_text(i.quarter_list),
            ", ".join(b.name for b in i.branches.all()),
            ", ".join(p.name for p in i.partners.all()),
        ]
        for s in report.sections
        for i in s.next_initiatives
    ]
    _sheet(wb, _("Draft %(year)s") % {"year": next_plan.year}, header, rows)


def render_xlsx(report: Report) -> bytes:
    """The numbers, the initiatives and the gaps as a workbook, one sheet each."""
    # lazy, as weasyprint above: loaded only when someone downloads the spreadsheet
    from openpyxl import Workbook

    with translation.override(REPORT_LANGUAGE):
        wb = Workbook()
        wb.remove(wb.active)
        _overview_sheet(wb, report)
        _status_sheet(wb, report)
        _branches_sheet(wb, report)
        _quarters_sheet(wb, report)
        _initiatives_sheet(wb, report)
        _audiences_sheet(wb, report)
        _gaps_sheet(wb, report)
        if report.next_plan is not None:
            _draft_sheet(wb, report, report.next_plan)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def render(report: Report, fmt: str) -> bytes:
    """The report as bytes in one of ``FORMATS``."""
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    if fmt == "csv":
        return render_csv(report).encode(CSV_ENCODING)
    return render_html(report).encode("utf-8")
