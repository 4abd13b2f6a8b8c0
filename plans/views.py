"""Staff pages of the plan: dashboard, drill-down, initiatives and the status report."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.pages import error_messages, form_errors, not_found_as_404, permission_denied_as_403
from core.selectors import audience_list, branch_list, branches_managed_by, track_list
from plans import report as reports
from plans import selectors, services
from plans.forms import InitiativeForm
from plans.models import QUARTERS, InitiativeStatus, Plan
from plans.selectors import METRICS, Cell, Coverage

# When ?year=, ?quarter= or ?branch= cannot be read, the pages show this year instead.
NOT_UNDERSTOOD = gettext_lazy("The filter was not understood; showing this year.")

GAP_METRICS = {
    "initiatives": "initiatives",
    "attendance": "attendance",
    "no_event": "events_planned",
}


def metric_labels() -> dict[str, str]:
    return {
        "events_held": _("Events held"),
        "events_planned": _("Events planned"),
        "events_cancelled": _("Events cancelled"),
        "registrations": _("Registrations"),
        "attendance": _("Attendance"),
        "initiatives": _("Initiatives"),
        "volunteer_hours": _("Volunteer hours"),
        "partners": _("Partners"),
    }


def metric_value(cell: Cell, metric: str) -> Any:
    if metric == "initiatives":
        return cell.initiative_count
    if metric == "partners":
        return cell.partner_count
    return getattr(cell, metric)


def _status_counts(cell: Cell) -> list[tuple[str, int]]:
    """Initiatives by status in the scope, e.g. [("Planned", 1), ("In progress", 2), ...]."""
    counts = cell.initiatives_by_status()
    return [(str(label), counts[value]) for value, label in InitiativeStatus.choices]


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_library_staff:
            raise DjangoPermissionDenied(_("The plan's pages are for library staff."))
        return view(request, *args, **kwargs)

    return wrapped


def _scope(request: HttpRequest) -> tuple[int, int | None, str | None, str]:
    year: int = selectors.current_year()
    quarter: int | None = None
    branch: str | None = None
    with error_messages(request, message=NOT_UNDERSTOOD):
        year, quarter, branch = selectors.parse_scope(
            year=request.GET.get("year"),
            quarter=request.GET.get("quarter"),
            branch=request.GET.get("branch"),
        )
    metric = request.GET.get("metric") or "events_held"
    if metric not in METRICS:
        metric = "events_held"
    return year, quarter, branch, metric


def _drill_url(
    *, year: int, metric: str, track: Any = None, branch: Any = None, quarter: int | None = None
) -> str:
    params: dict[str, Any] = {"year": year, "metric": metric}
    if track is not None:
        params["track"] = track.slug
    if branch is not None:
        params["branch"] = branch.slug
    if quarter is not None:
        params["quarter"] = quarter
    return f"{reverse('plans:drilldown')}?{urlencode(params)}"


def _heatmap(cov: Coverage, metric: str) -> dict[str, Any]:
    gap_keys = {(g.track.pk, g.branch.pk if g.branch else None) for g in cov.gaps}
    rows = []
    peak = 0.0
    for track in cov.tracks:
        cells = []
        for branch in cov.scope_branches:
            cell = cov.total(track=track, branch=branch)
            value = metric_value(cell, metric)
            peak = max(peak, float(value))
            cells.append(
                {
                    "branch": branch,
                    "value": value,
                    "gap": (track.pk, branch.pk) in gap_keys,
                    "planned": cell.events_planned,
                    "url": _drill_url(
                        year=cov.year,
                        metric=metric,
                        track=track,
                        branch=branch,
                        quarter=cov.quarter,
                    ),
                }
            )
        total = cov.total(track=track)
        rows.append(
            {
                "track": track,
                "cells": cells,
                "total": metric_value(total, metric),
                "total_url": _drill_url(
                    year=cov.year,
                    metric=metric,
                    track=track,
                    branch=cov.branch,
                    quarter=cov.quarter,
                ),
                "gap": (track.pk, None) in gap_keys,
            }
        )
    for row in rows:
        for c in row["cells"]:
            share = float(c["value"]) / peak if peak else 0.0
            # Five steps of shade; the number and the gap mark carry the meaning, not colour.
            c["level"] = 0 if not c["value"] else min(4, int(share * 4) + 1)
    return {"rows": rows, "branches": cov.scope_branches}


def _audience_table(cov: Coverage) -> dict[str, Any]:
    """Participants per audience (columns) and track (rows) in the chosen scope."""
    totals = [(track, cov.total(track=track).audience_participants) for track in cov.tracks]
    audiences = [a for a in audience_list() if any(a.slug in counts for _t, counts in totals)]
    return {
        "audiences": audiences,
        "rows": [(t, [counts.get(a.slug, 0) for a in audiences]) for t, counts in totals],
    }


def _charts(cov: Coverage) -> list[dict[str, Any]]:
    """Per track, bars per quarter of held and planned events (inline SVG in the page)."""
    charts = []
    per_track = []
    peak = 1
    for track in cov.tracks:
        bars: list[dict[str, Any]] = []
        for q in QUARTERS:
            cell = cov.total(track=track, quarter=q)
            bars.append(
                {
                    "quarter": q,
                    "held": cell.events_held,
                    "planned": cell.events_planned,
                    "initiatives": cell.initiative_count,
                    "held_url": _drill_url(
                        year=cov.year,
                        metric="events_held",
                        track=track,
                        branch=cov.branch,
                        quarter=q,
                    ),
                    "planned_url": _drill_url(
                        year=cov.year,
                        metric="events_planned",
                        track=track,
                        branch=cov.branch,
                        quarter=q,
                    ),
                }
            )
            peak = max(peak, cell.events_held + cell.events_planned)
        per_track.append((track, bars))
    height = 80
    for track, bars in per_track:
        for i, bar in enumerate(bars):
            bar["x"] = 10 + i * 55
            bar["held_h"] = round(bar["held"] / peak * height)
            bar["planned_h"] = round(bar["planned"] / peak * height)
            bar["held_y"] = 10 + height - bar["held_h"]
            bar["planned_y"] = bar["held_y"] - bar["planned_h"]
            bar["label_y"] = bar["planned_y"] - 3
        charts.append({"track": track, "bars": bars, "base_y": 10 + height})
    return charts


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    year, quarter, branch, metric = _scope(request)
    with error_messages(request) as attempt:
        cov = selectors.coverage(year=year, quarter=quarter, branch=branch)
    if attempt.failed:
        return redirect("plans:dashboard")
    initiatives = list(selectors.initiative_list(year=year))
    editable = selectors.editable_initiative_ids(user=request.user, initiatives=initiatives)
    facts = selectors.initiative_event_facts(initiatives)
    years = sorted(
        set(Plan.objects.values_list("year", flat=True))
        | {
            selectors.current_year() - 1,
            selectors.current_year(),
            selectors.current_year() + 1,
            year,
        }
    )
    can_add = cov.plan is not None and (
        request.user.is_administrator or branches_managed_by(user=request.user).exists()
    )
    return render(
        request,
        "plans/dashboard.html",
        {
            "cov": cov,
            "year": year,
            "quarter": quarter,
            "branch_slug": branch,
            "metric": metric,
            "metric_label": metric_labels()[metric],
            "metrics": metric_labels().items(),
            "years": years,
            "quarters": QUARTERS,
            "heatmap": _heatmap(cov, metric),
            "show_planned": metric == "events_held",
            "gap_links": [
                (
                    gap,
                    _drill_url(
                        year=cov.year,
                        metric=GAP_METRICS.get(gap.kind, "events_held"),
                        track=gap.track,
                        branch=gap.branch,
                        quarter=gap.quarter,
                    ),
                )
                for gap in cov.gaps
            ],
            "charts": _charts(cov),
            "audience_table": _audience_table(cov),
            "initiatives_by_track": [
                (track, items, _status_counts(cov.total(track=track)))
                for track, items in selectors.initiatives_by_track(initiatives, cov.tracks)
            ],
            "editable": editable,
            "facts": facts,
            "disagreements": [
                (i, facts[i.pk].warnings) for i in initiatives if facts[i.pk].warnings
            ],
            "track_status": [
                (t, (cov.plan.track_status or {}).get(t.slug, "") if cov.plan else "")
                for t in cov.tracks
            ],
            "can_add": can_add,
            "can_start_plan": cov.plan is None and request.user.is_administrator,
        },
    )


@staff_required
def drilldown(request: HttpRequest) -> HttpResponse:
    year, quarter, branch_slug, metric = _scope(request)
    cov_tracks = {t.slug: t for t in track_list()}
    track = cov_tracks.get(request.GET.get("track") or "")
    branch = None
    if branch_slug:
        branch = next((b for b in branch_list() if b.slug == branch_slug), None)
        if branch is None:
            raise Http404
    events = (
        list(
            selectors.events_behind(
                year=year, metric=metric, track=track, branch=branch, quarter=quarter
            )
        )
        if metric not in {"initiatives", "volunteer_hours"}
        else []
    )
    initiatives = selectors.initiatives_behind(
        year=year, track=track, branch=branch, quarter=quarter
    )
    activities = (
        selectors.volunteer_hours_behind(year=year, track=track, branch=branch, quarter=quarter)
        if metric == "volunteer_hours"
        else []
    )
    editable = selectors.editable_initiative_ids(user=request.user, initiatives=initiatives)
    back = {
        key: value
        for key, value in {
            "year": year,
            "quarter": quarter,
            "branch": branch_slug,
            "metric": metric,
        }.items()
        if value
    }
    return render(
        request,
        "plans/drilldown.html",
        {
            "year": year,
            "quarter": quarter,
            "track": track,
            "branch": branch,
            "metric": metric,
            "metric_label": metric_labels()[metric],
            "events": events,
            "initiatives": initiatives,
            "activities": activities,
            "editable": editable,
            "back": f"{reverse('plans:dashboard')}?{urlencode(back)}",
        },
    )


@staff_required
@require_POST
def plan_create(request: HttpRequest) -> HttpResponse:
    """Start the plan of a year (next year's as a draft); administrators only."""
    year = selectors.parse_scope(year=request.POST.get("year"))[0]
    if not request.user.is_administrator:
        raise DjangoPermissionDenied(_("Only an administrator can start a new action plan."))
    with error_messages(request):
        services.plan_create(
            actor=request.user, year=year, is_draft=year > selectors.current_year()
        )
        messages.success(request, _("The action plan for %(year)s was started.") % {"year": year})
    return redirect(f"{reverse('plans:dashboard')}?year={year}")


@staff_required
@require_POST
def plan_status(request: HttpRequest, year: int) -> HttpResponse:
    """The manager's written status for the report (overall and per track), saved with the plan."""
    plan = selectors.plan_for_year(year=year)
    if plan is None:
        raise Http404
    per_track = {
        key.removeprefix("track_"): value
        for key, value in request.POST.items()
        if key.startswith("track_")
    }
    with error_messages(request):
        services.plan_status_write(
            actor=request.user,
            plan=plan,
            overall=request.POST.get("overall", ""),
            per_track=per_track,
        )
        messages.success(request, _("The written status is saved with the plan."))
    return redirect(f"{reverse('plans:dashboard')}?year={year}#status-h")


def _save_initiative(form: InitiativeForm, call: Callable[..., Any]) -> Any:
    data = dict(form.cleaned_data)
    with form_errors(form):
        return call(data)
    return None


@staff_required
def initiative_create(request: HttpRequest) -> HttpResponse:
    year = selectors.current_year()
    with error_messages(request, message=NOT_UNDERSTOOD):
        year = selectors.parse_scope(year=request.GET.get("year"))[0]
    plan = selectors.plan_for_year(year=year)
    form = InitiativeForm(
        request.POST or None,
        user=request.user,
        year=year,
        initial={"plan": plan, "status": "planned", "responsible": request.user},
    )
    if request.method == "POST" and form.is_valid():
        initiative = _save_initiative(
            form, lambda data: services.initiative_create(actor=request.user, **data)
        )
        if initiative is not None:
            messages.success(request, _("The initiative was added to the plan."))
            return redirect(f"{reverse('plans:dashboard')}?year={initiative.plan.year}")
    return render(
        request,
        "plans/initiative_form.html",
        {"form": form, "initiative": None, "year": year},
        status=400 if form.errors else 200,
    )


@staff_required
def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    with not_found_as_404(), permission_denied_as_403():
        initiative = selectors.initiative_get_for_edit(actor=request.user, pk=pk)
    initial = {
        "title": initiative.title,
        "description": initiative.description,
        "quarters": initiative.quarter_list,
        "tracks": list(initiative.tracks.all()),
        "branches": list(initiative.branches.all()),
        "partners": list(initiative.partners.all()),
        "responsible": initiative.responsible,
        "status": initiative.status,
        "evaluation": initiative.evaluation,
        "events": list(initiative.events.all()),
        "series": list(initiative.series.all()),
    }
    form = InitiativeForm(
        request.POST or None,
        user=request.user,
        year=initiative.plan.year,
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_initiative(
            form,
            lambda data: services.initiative_update(
                actor=request.user, initiative=initiative, **data
            ),
        )
        if saved is not None:
            messages.success(request, _("The initiative was saved."))
            return redirect(f"{reverse('plans:dashboard')}?year={initiative.plan.year}")
    return render(
        request,
        "plans/initiative_form.html",
        {"form": form, "initiative": initiative, "year": initiative.plan.year},
        status=400 if form.errors else 200,
    )


def _report_or_404(year: int, period: str) -> reports.Report:
    if period not in selectors.PERIODS or not 2000 <= year <= 2100:
        raise Http404
    return reports.build_report(year=year, period=period)


@staff_required
def report_page(request: HttpRequest, year: int, period: str) -> HttpResponse:
    report = _report_or_404(year, period)
    base = reverse("plans:report-download", args=[year, period, "pdf"])[: -len("pdf")]
    links = {
        "back": f"{reverse('plans:dashboard')}?year={year}",
        "pdf": base + "pdf",
        "xlsx": base + "xlsx",
        "csv": base + "csv",
    }
    return HttpResponse(reports.render_html(report, links=links))


@staff_required
def report_download(request: HttpRequest, year: int, period: str, fmt: str) -> HttpResponse:
    if fmt not in {"pdf", "xlsx", "csv"}:
        raise Http404
    report = _report_or_404(year, period)
    response = HttpResponse(reports.render(report, fmt), content_type=reports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{report.filename_stem}.{fmt}"'
    return response
