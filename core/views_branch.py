"""Pages for a branch's settings (``/personale/bibliotek/<slug>/...``): opening hours by kind
from a date, closures and the bookmobile's timetable. Staff reach their own branches,
administrators every branch; any other branch is a 404. Thin: the forms parse,
``core.services_branch`` writes, ``core.selectors_branch`` reads."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core import closure_moves, selectors, selectors_branch, services_branch
from core.authenticated import AuthenticatedHttpRequest
from core.closure_apply import EventMove
from core.closure_impact import ImpactGroup, ImpactItem
from core.forms_branch import ClosureForm, HoursForm, StopForm
from core.models import Branch, BranchKind, Closure, HoursKind
from core.pages import error_messages, form_errors, not_found_as_404
from core.timeutils import local_today


def _branch(request: AuthenticatedHttpRequest, slug: str) -> Branch:
    if not request.user.is_library_staff:
        raise Http404
    with not_found_as_404():
        return selectors_branch.managed_branch_get(actor=request.user, slug=slug)


def _settings_url(branch: Branch) -> HttpResponse:
    return redirect("branch-settings", slug=branch.slug)


def _fingerprint(form: HoursForm | ClosureForm) -> str:
    """What the preview was shown for: a confirmation counts only for the same input."""
    data = sorted((k, str(v)) for k, v in form.cleaned_data.items())
    return hashlib.sha256(repr(data).encode()).hexdigest()[:16]


def _confirmed(request: AuthenticatedHttpRequest, form: HoursForm | ClosureForm) -> bool:
    return request.POST.get("confirm") == _fingerprint(form)


def _confirm_value(form: HoursForm | ClosureForm) -> str:
    return _fingerprint(form) if form.is_bound and form.is_valid() else ""


def _affected(count_groups: list[ImpactGroup]) -> int:
    return sum(len(group.items) for group in count_groups)


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The branches the staff member may set up."""
    if not request.user.is_library_staff:
        raise Http404
    branches = selectors.branches_managed_by(user=request.user).order_by("position", "name")
    return render(request, "core/branch_settings/index.html", {"branches": branches})


@login_required
def overview(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    branch = _branch(request, slug)
    today = local_today()
    return render(
        request,
        "core/branch_settings/overview.html",
        {
            "branch": branch,
            "versions": selectors_branch.hours_versions(branch=branch, today=today),
            "closures": selectors_branch.branch_closures(branch=branch, today=today),
            "is_bookmobile": branch.kind == BranchKind.BOOKMOBILE,
            "stops": selectors_branch.stop_list_of(branch=branch),
        },
    )


@login_required
def hours_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Set one kind's week from a date; first shows what lies in hours that would close."""
    branch = _branch(request, slug)
    impact: list[ImpactGroup] = []
    if request.method == "POST":
        form = HoursForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            week = form.week()
            with form_errors(form):
                services_branch.validate_week(week)
                impact = selectors_branch.hours_change_preview(
                    branch=branch, kind=data["kind"], valid_from=data["valid_from"], week=week
                )
                if not impact or _confirmed(request, form):
                    changed = services_branch.opening_hours_set(
                        actor=request.user,
                        branch=branch,
                        kind=HoursKind(data["kind"]),
                        valid_from=data["valid_from"],
                        week=week,
                    )
                    _saved_message(request, changed, impact)
                    return _settings_url(branch)
    else:
        kind = request.GET.get("kind", HoursKind.STAFFED)
        kind = kind if kind in HoursKind.values else HoursKind.STAFFED
        valid_from = local_today() + timedelta(days=1)
        week = selectors_branch.week_in_force(branch=branch, kind=kind, on=valid_from)
        form = HoursForm(
            initial={"kind": kind, "valid_from": valid_from, **HoursForm.initial_for(week)}
        )
    return render(
        request,
        "core/branch_settings/hours_form.html",
        {"branch": branch, "form": form, "impact": impact, "confirm": _confirm_value(form)},
    )


def _saved_message(
    request: AuthenticatedHttpRequest, changed: bool, impact: list[ImpactGroup]
) -> None:
    if not changed:
        messages.info(request, _("Nothing was changed."))
        return
    messages.success(request, _("The change is saved."))
    if impact:
        messages.warning(
            request,
            _(
                "%(count)s bookings, events or shifts lie in the changed time and are kept: "
                "contact the people concerned."
            )
            % {"count": _affected(impact)},
        )


@login_required
def closure_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Add a closure; first shows what it touches, then saves on confirmation."""
    branch = _branch(request, slug)
    administrator = request.user.is_administrator
    preview: list[tuple[Branch, list[ImpactGroup]]] = []
    rooms = closure_moves.move_room_choices(actor=request.user)
    if request.method == "POST":
        form = ClosureForm(request.POST, administrator=administrator)
        if form.is_valid():
            data = form.cleaned_data
            target = None if data.get("all_branches") else branch
            times = {"from_time": data["from_time"], "until_time": data["until_time"]}
            with form_errors(form):
                services_branch.validate_closure(
                    starts_on=data["starts_on"], ends_on=data["ends_on"], **times
                )
                preview = selectors_branch.closure_preview(
                    branch=target, starts_on=data["starts_on"], ends_on=data["ends_on"], **times
                )
                apply = target is not None and request.POST.get("apply")
                if preview and apply and _confirmed(request, form):
                    moves = closure_moves.moves_from_post(
                        request.POST, _items(preview), rooms=[pk for pk, _label in rooms]
                    )
                    _closure_apply(request, branch, data, times, moves)
                    return _settings_url(branch)
                if not preview or _confirmed(request, form):
                    services_branch.closure_add(
                        actor=request.user,
                        branch=target,
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        reason=data["reason"],
                        **times,
                    )
                    _saved_message(request, True, [g for _b, gs in preview for g in gs])
                    return _settings_url(branch)
    else:
        form = ClosureForm(administrator=administrator)
    return render(
        request,
        "core/branch_settings/closure_form.html",
        {
            "branch": branch,
            "form": form,
            "preview": preview,
            "confirm": _confirm_value(form),
            # Cancelling at once is for one branch; every branch's closure is saved only.
            "can_apply": bool(preview) and not request.POST.get("all_branches"),
            "rooms": rooms,
            "movable": _movable(request, preview),
        },
    )


def _movable(
    request: AuthenticatedHttpRequest, preview: list[tuple[Branch, list[ImpactGroup]]]
) -> list[dict[str, Any]]:
    """The events the closure would cancel, each with the move typed in so far."""
    rows = []
    for item in closure_moves.movable_events(_items(preview)):
        prefix = f"move_{item['id']}_"
        typed = {
            "date": request.POST.get(prefix + "date", ""),
            "start": request.POST.get(prefix + "start", "")
            or f"{timezone.localtime(item['start']):%H:%M}",
            "end": request.POST.get(prefix + "end", "")
            or f"{timezone.localtime(item['end']):%H:%M}",
        }
        room = request.POST.get(prefix + "room", "")
        rows.append({"item": item, "prefix": prefix, "room": room, **typed})
    return rows


def _items(preview: list[tuple[Branch, list[ImpactGroup]]]) -> list[ImpactItem]:
    return [item for _branch, groups in preview for group in groups for item in group.items]


def _closure_apply(
    request: AuthenticatedHttpRequest,
    branch: Branch,
    data: dict[str, Any],
    times: dict[str, Any],
    moves: list[EventMove],
) -> None:
    """Save the closure, move the events staff moved and cancel the rest of what it
    touches, telling everyone (the API's service)."""
    start, end = selectors.closure_period(
        Closure(branch=branch, starts_on=data["starts_on"], ends_on=data["ends_on"], **times)
    )
    applied = services_branch.closure_create_and_apply(
        actor=request.user,
        branch=branch,
        start=start,
        end=end,
        reason=data["reason"],
        moves=moves,
    )
    count = sum(len(ids) for ids in applied.result.cancelled.values())
    messages.success(
        request,
        _(
            "The closure is saved. %(count)s bookings, events or shifts were cancelled "
            "and the people concerned are told."
        )
        % {"count": count},
    )
    if applied.result.moved:
        messages.success(
            request,
            ngettext(
                "%(count)s event was moved, keeping its registrations.",
                "%(count)s events were moved, keeping their registrations.",
                len(applied.result.moved),
            )
            % {"count": len(applied.result.moved)},
        )


@login_required
@require_POST
def closure_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    branch = _branch(request, slug)
    with not_found_as_404():
        closure = selectors_branch.closure_get_for(branch=branch, pk=pk)
    with error_messages(request):
        services_branch.closure_remove(actor=request.user, closure=closure)
        messages.success(request, _("The closure is removed."))
    return _settings_url(branch)


def _bookmobile(request: AuthenticatedHttpRequest, slug: str) -> Branch:
    branch = _branch(request, slug)
    if branch.kind != BranchKind.BOOKMOBILE:
        raise Http404
    return branch


@login_required
def stop_edit(request: AuthenticatedHttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Add a stop to the bookmobile's timetable, or change one."""
    branch = _bookmobile(request, slug)
    stop = None
    if pk is not None:
        with not_found_as_404():
            stop = selectors_branch.stop_get_for(branch=branch, pk=pk)
    form = StopForm(request.POST or None, instance=stop)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            if stop is None:
                services_branch.bookmobile_stop_create(
                    actor=request.user, branch=branch, **form.cleaned_data
                )
            else:
                services_branch.bookmobile_stop_update(
                    actor=request.user, stop=stop, **form.cleaned_data
                )
            messages.success(request, _("The timetable is saved."))
            return _settings_url(branch)
    return render(
        request,
        "core/branch_settings/stop_form.html",
        {"branch": branch, "form": form, "stop": stop},
    )


@login_required
@require_POST
def stop_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    branch = _bookmobile(request, slug)
    with not_found_as_404():
        stop = selectors_branch.stop_get_for(branch=branch, pk=pk)
    with error_messages(request):
        services_branch.bookmobile_stop_delete(actor=request.user, stop=stop)
        messages.success(request, _("The stop is removed."))
    return _settings_url(branch)
