"""The volunteers' pages: the dashboard, the proposal form, the staff views. Thin: they parse
input, call one service or selector, and turn domain errors into messages or form errors."""

from __future__ import annotations

import csv
from collections import OrderedDict
from contextlib import suppress
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.authenticated import AuthenticatedHttpRequest
from core.exceptions import DomainError, NotFound
from core.exports import safe_row
from core.pages import error_messages, form_errors, not_found_as_404
from core.safe_redirect import safe_next
from core.selectors import branches_managed_by
from core.timeutils import local_today
from volunteers import selectors, services
from volunteers.forms import (
    AttendanceForm,
    CertificateForm,
    DecisionForm,
    HoursCorrectionForm,
    HoursFilterForm,
    ProposalForm,
    ShiftForm,
)
from volunteers.models import CertificateStatus, ProposalStatus


def _volunteer(request: HttpRequest) -> Any:
    profile = selectors.volunteer_profile_for(user=request.user)
    if profile is None:
        raise DjangoPermissionDenied(_("You are not registered as a volunteer."))
    return profile


def _staff(request: HttpRequest) -> None:
    if not request.user.is_library_staff:
        raise DjangoPermissionDenied(_("Only library staff may see this page."))


# --- The volunteer's own pages ---------------------------------------------------------------


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My next shifts, open shifts I can take, my proposals, my hours this year."""
    profile = _volunteer(request)
    user = request.user
    return render(
        request,
        "volunteers/dashboard.html",
        {
            "profile": profile,
            "next_signups": list(selectors.next_shifts_for(volunteer=user)),
            "to_report": list(selectors.signups_to_report(volunteer=user)),
            "open_shifts": selectors.open_shifts_for(volunteer=user, profile=profile),
            "proposals": list(selectors.proposal_list_for(actor=user).filter(volunteer=user)[:20]),
            "hosted": list(selectors.hosted_sessions(host=user)[:20]),
            "hours": selectors.hours_this_year(volunteer=user),
            "year": local_today().year,
            "certificate_problem": services.certificate_problem(profile=profile, day=local_today()),
        },
    )


@login_required
@require_POST
def shift_sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    with error_messages(request):
        shift = selectors.shift_get(pk=pk)
        services.shift_signup(actor=request.user, shift=shift)
        messages.success(request, _("You are signed up. Thank you!"))
    return redirect("volunteers:dashboard")


@login_required
@require_POST
def signup_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    with error_messages(request, as_404=(NotFound,)):
        signup = selectors.signup_get_for(actor=request.user, pk=pk)
        services.shift_withdraw(actor=request.user, signup=signup)
        messages.success(request, _("You have withdrawn from the shift."))
    return redirect(safe_next(request, "volunteers:dashboard"))


@login_required
@require_POST
def signup_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer reports that they came; a coordinator confirms the hours."""
    with error_messages(request, as_404=(NotFound,)):
        signup = selectors.signup_get_for(actor=request.user, pk=pk)
        services.attendance_report(actor=request.user, signup=signup)
        messages.success(request, _("Thank you! The coordinator will confirm your hours."))
    return redirect("volunteers:dashboard")


def _proposal_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "description": data.get("description", ""),
        "branch": data["branch"],
        "room": data.get("room"),
        "start": data["start"],
        "end": data["end"],
        "rrule": data["rrule"],
        "tracks": list(data["tracks"]),
        "audiences": list(data.get("audiences") or []),
        "capacity": data.get("capacity"),
        "children_under_15": data.get("children_under_15", False),
    }


def _preview(form: ProposalForm) -> list[Any] | None:
    data = form.cleaned_data
    with form_errors(form, default="repeat"):
        return services.proposal_occurrences(
            start=data["start"], end=data["end"], rrule=data["rrule"], branch=data["branch"]
        )
    return None


@login_required
def proposal_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Propose a session (or change one that waits); "Preview" shows the dates first."""
    profile = _volunteer(request)
    proposal = None
    if pk is not None:
        with not_found_as_404():
            proposal = selectors.proposal_get_for(actor=request.user, pk=pk)
        if proposal.volunteer_id != request.user.pk:
            raise Http404
    branches = profile.branches.all() if profile.branches.exists() else None
    initial = ProposalForm.initial_from(proposal) if proposal else None
    form = ProposalForm(request.POST or None, initial=initial, branches=branches)
    preview = None
    if request.method == "POST" and form.is_valid():
        preview = _preview(form)
        if preview is not None and "preview" not in request.POST:
            with form_errors(form):
                if proposal is None:
                    proposal = services.proposal_submit(
                        actor=request.user, **_proposal_kwargs(form.cleaned_data)
                    )
                else:
                    services.proposal_update(
                        actor=request.user,
                        proposal=proposal,
                        data=_proposal_kwargs(form.cleaned_data),
                    )
                messages.success(
                    request, _("Thank you! Your proposal has been sent to the library's staff.")
                )
                return redirect("volunteers:dashboard")
    return render(
        request,
        "volunteers/proposal_form.html",
        {"form": form, "preview": preview, "proposal": proposal},
    )


# --- Staff pages --------------------------------------------------------------------------------


@login_required
def staff_overview(request: HttpRequest) -> HttpResponse:
    """Unfilled shifts in the next 14 days, per branch."""
    _staff(request)
    by_branch: OrderedDict[Any, list[Any]] = OrderedDict()
    for shift in selectors.unfilled_shifts(actor=request.user, days=14):
        by_branch.setdefault(shift.activity.branch, []).append(shift)
    return render(
        request,
        "volunteers/staff_unfilled.html",
        {
            "by_branch": by_branch,
            "pending_proposals": selectors.proposal_queue(actor=request.user).count(),
        },
    )


@login_required
def staff_certificates(request: HttpRequest) -> HttpResponse:
    """Volunteers on child activities whose certificate is missing or expires within 60 days."""
    _staff(request)
    mine = set(selectors.volunteer_list_for(actor=request.user).values_list("pk", flat=True))
    profiles = [p for p in selectors.certificates_expiring(within_days=60) if p.pk in mine]
    return render(
        request,
        "volunteers/staff_certificates.html",
        {"profiles": profiles, "today": local_today(), "statuses": CertificateStatus.choices},
    )


@login_required
@require_POST
def staff_certificate_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a volunteer's child-certificate status and the date it was checked."""
    _staff(request)
    with not_found_as_404():
        profile = selectors.volunteer_get_for(actor=request.user, pk=pk)
    form = CertificateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status and a valid date."))
    else:
        with error_messages(request, prefix=profile.user.name):
            services.certificate_record(
                actor=request.user,
                profile=profile,
                status=form.cleaned_data["status"],
                checked_on=form.cleaned_data["checked_on"],
            )
            messages.success(
                request, _("The certificate of %(name)s is recorded.") % {"name": profile.user.name}
            )
    return redirect(safe_next(request, "volunteers:staff-certificates"))


@login_required
def staff_hours(request: HttpRequest) -> HttpResponse:
    """Hours per volunteer, activity, track, branch or quarter; ``?format=csv`` downloads it."""
    _staff(request)
    form = HoursFilterForm(request.GET or {"year": local_today().year, "group_by": "volunteer"})
    rows: list[Any] = []
    if form.is_valid():
        data = form.cleaned_data
        rows = selectors.hours_report(
            year=data["year"],
            group_by=data["group_by"],
            by_quarter=data["by_quarter"],
            branches=None
            if request.user.is_administrator
            else branches_managed_by(user=request.user),
        )
        if request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="frivillige-timer-{data["year"]}-{data["group_by"]}.csv"'
            )
            response.write("\ufeff")  # so that spreadsheets read the æøå right
            writer = csv.writer(response, delimiter=";")
            first = dict(HoursFilterForm.GROUPS)[data["group_by"]]
            writer.writerow(safe_row([str(first), _("Quarter"), _("Hours given"), _("Shifts")]))
            for row in rows:  # a name beginning with "=" is written as text, not a formula
                hours = str(row.hours).replace(".", ",")  # never negative
                writer.writerow(safe_row([row.label, row.quarter or "", hours, row.shifts]))
            return response
    total = sum((r.hours for r in rows), start=0)
    return render(
        request, "volunteers/staff_hours.html", {"form": form, "rows": rows, "total": total}
    )


@login_required
def staff_proposals(request: HttpRequest) -> HttpResponse:
    """The queue of proposals awaiting a decision, and recent decisions."""
    _staff(request)
    queue = list(selectors.proposal_queue(actor=request.user))
    for proposal in queue:
        proposal.preview = []  # type: ignore[attr-defined]  # shown on the page only
        with suppress(DomainError):
            proposal.preview = services.proposal_occurrences(  # type: ignore[attr-defined]
                start=proposal.start, end=proposal.end, rrule=proposal.rrule, branch=proposal.branch
            )
    recent = (
        selectors.proposal_list_for(actor=request.user)
        .exclude(status=ProposalStatus.PENDING)
        .order_by("-updated_at")[:20]
    )
    return render(
        request,
        "volunteers/staff_proposals.html",
        {"queue": queue, "recent": recent, "decision_form": DecisionForm()},
    )


@login_required
@require_POST
def staff_proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    with not_found_as_404():
        proposal = selectors.proposal_get_for(actor=request.user, pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    action = request.POST.get("action")
    with error_messages(request, prefix=proposal.title, as_404=(NotFound,)):
        if action == "approve":
            services.proposal_approve(actor=request.user, proposal=proposal)
            messages.success(request, _("Approved: the session is published."))
        elif action == "reject":
            services.proposal_reject(actor=request.user, proposal=proposal, reason=note)
            messages.success(request, _("The proposal was rejected."))
        elif action == "changes":
            services.proposal_request_changes(actor=request.user, proposal=proposal, note=note)
            messages.success(request, _("The volunteer has been asked for changes."))
    return redirect("volunteers:staff-proposals")


@login_required
def staff_shift_new(request: HttpRequest) -> HttpResponse:
    """Create a shift, or a weekly/monthly series of them; "Preview" shows the dates first."""
    _staff(request)
    branches = branches_managed_by(user=request.user)
    form = ShiftForm(
        request.POST or None,
        activities=selectors.activity_list().filter(branch__in=branches),
        rooms=selectors.rooms_in(branches=branches),
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        activity = data["activity"]
        with form_errors(form):
            preview = services.proposal_occurrences(
                start=data["start"], end=data["end"], rrule=data["rrule"], branch=activity.branch
            )
            if "preview" not in request.POST:
                if data["rrule"]:
                    services.shift_series_create(
                        actor=request.user,
                        activity=activity,
                        start=data["start"],
                        end=data["end"],
                        rrule=data["rrule"],
                        needed=data["needed"],
                        room=data["room"],
                    )
                else:
                    services.shift_create(
                        actor=request.user,
                        activity=activity,
                        start=data["start"],
                        end=data["end"],
                        needed=data["needed"],
                        room=data["room"],
                    )
                messages.success(request, _("The shifts are created."))
                return redirect("volunteers:staff-unfilled")
    return render(request, "volunteers/staff_shift_new.html", {"form": form, "preview": preview})


@login_required
def staff_shift(request: HttpRequest, pk: int) -> HttpResponse:
    """One shift's roster: record attendance and correct hours."""
    _staff(request)
    with not_found_as_404():
        shift = selectors.shift_get(pk=pk)
    if not services.can_manage_activity(user=request.user, activity=shift.activity):
        raise Http404
    if request.method == "POST":
        try:
            with error_messages(request, as_404=(NotFound,)):
                _roster_change(request, shift)
        except (KeyError, ValueError) as error:  # no sign-up id, or not a number
            raise Http404 from error
        return redirect("volunteers:staff-shift", pk=shift.pk)
    return render(
        request,
        "volunteers/staff_shift.html",
        {"shift": shift, "roster": list(selectors.shift_roster(shift=shift))},
    )


def _roster_change(request: HttpRequest, shift: Any) -> None:
    """Record one sign-up's attendance, or correct its hours, from the shift's roster."""
    signup = selectors.signup_get_for(actor=request.user, pk=int(request.POST["signup"]))
    if signup.shift_id != shift.pk:
        raise Http404
    if request.POST.get("action") == "correct":
        form = HoursCorrectionForm(request.POST)
        if form.is_valid():
            services.hours_correct(actor=request.user, signup=signup, **form.cleaned_data)
        else:
            messages.error(request, _("Enter the hours and a note saying why."))
    else:
        attendance = AttendanceForm(request.POST)
        if attendance.is_valid():
            services.attendance_record(
                actor=request.user,
                signup=signup,
                attended=attendance.cleaned_data["attended"],
                hours=attendance.cleaned_data["hours"],
            )


@login_required
def staff_volunteers(request: HttpRequest) -> HttpResponse:
    """The volunteers of the staff member's branches, with "stops volunteering" for each."""
    _staff(request)
    today = local_today()
    profiles = list(selectors.volunteers_for_staff_page(actor=request.user))
    rows = selectors.hours_report(  # one query: this year's confirmed hours per volunteer
        year=today.year,
        group_by="volunteer",
        by_quarter=False,
        branches=None if request.user.is_administrator else branches_managed_by(user=request.user),
    )
    hours = {row.key: row.hours for row in rows}
    for profile in profiles:
        profile.hours_this_year = hours.get(profile.user_id, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "volunteers/staff_volunteers.html",
        {
            "profiles": profiles,
            "year": today.year,
            "today": today,
            "statuses": CertificateStatus.choices,
        },
    )


@login_required
@require_POST
def staff_volunteer_end(request: HttpRequest, pk: int) -> HttpResponse:
    """A volunteer stops: the profile and its personal fields are removed, the hours stay."""
    _staff(request)
    with not_found_as_404():
        profile = selectors.volunteer_get_for(actor=request.user, pk=pk)
    name = profile.user.name
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that %(name)s stops.") % {"name": name})
        return redirect("volunteers:staff-volunteers")
    with error_messages(request, prefix=name, as_404=(NotFound,)):
        services.volunteer_profile_end(
            actor=request.user, profile=profile, reason=request.POST.get("reason", "")
        )
        messages.success(
            request,
            _("%(name)s is no longer a volunteer; the profile is deleted.") % {"name": name},
        )
    return redirect("volunteers:staff-volunteers")


def my_page_section(request: HttpRequest) -> str:
    """A short "volunteering" section on my page, for volunteers."""
    if not request.user.is_authenticated:
        return ""
    profile = selectors.volunteer_profile_for(user=request.user)
    if profile is None:
        return ""
    return render_to_string(
        "volunteers/_my_page.html",
        {
            "next_signups": list(selectors.next_shifts_for(volunteer=request.user, limit=3)),
            "hours": selectors.hours_this_year(volunteer=request.user),
        },
        request=request,
    )
