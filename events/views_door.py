"""Check-in at the door, on a tablet (thin): the list with search, check in and undo,
walk-ins, and the page a person's QR code opens.

Every action is a POST that the service carries out under the event's row lock on the
state it re-reads, then a redirect to the list, so the page shows fresh numbers after each
tap and two tablets at one door agree. ``events/door.js`` refreshes the numbers and the list
every few seconds where JavaScript runs; without it the page works the same.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.authenticated import AuthenticatedHttpRequest
from core.exceptions import NotFound
from core.pages import error_messages, form_errors, not_found_as_404
from core.selectors import can_manage_branch
from core.timeutils import local_tz
from events import checkin_codes, selectors, services
from events.forms import AttendanceForm
from events.models import EventState, Registration, RegistrationStatus
from events.services.door import WALK_IN_MAX_SEATS
from events.views_desk import DeskRegistrationForm

MAX_QUERY = 100


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search by name"), max_length=MAX_QUERY, required=False)


class WalkInForm(forms.Form):
    seats = forms.IntegerField(
        label=gettext_lazy("Number of people"),
        min_value=1,
        max_value=WALK_IN_MAX_SEATS,
        initial=1,
    )
    name = forms.CharField(label=gettext_lazy("Name (optional)"), max_length=120, required=False)


def _person(reg: Registration) -> str:
    if reg.walk_in:
        return reg.walk_in_name or _("Walk-in")
    return reg.user.name if reg.user else _("(anonymised)")


def _back(event_id: int, query: str = "", anchor: str = "") -> str:
    url = reverse("events:check-in", args=[event_id])
    if query:
        url += "?" + urlencode({"q": query[:MAX_QUERY]})
    return url + (f"#{anchor}" if anchor else "")


def _matches(query: str) -> Q:
    return Q(user__name__icontains=query) | Q(walk_in_name__icontains=query)


@never_cache
@login_required
def check_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Registrations of an event with big check-in buttons, search, undo and walk-ins."""
    with not_found_as_404():
        event = selectors.event_get_for_host(actor=request.user, pk=pk)
    search = SearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    regs = list(selectors.event_registrations(event=event))
    confirmed = [r for r in regs if r.status == RegistrationStatus.CONFIRMED]
    shown = confirmed
    if query:
        ids = set(
            selectors.event_registrations(event=event)
            .filter(_matches(query), status=RegistrationStatus.CONFIRMED)
            .values_list("pk", flat=True)
        )
        shown = [r for r in confirmed if r.pk in ids]
    for reg in regs:
        reg.person = _person(reg)  # type: ignore[attr-defined]  # for the template
    free = selectors.seats_available(event)
    return render(
        request,
        "events/check_in.html",
        {
            "event": event,
            "search": search,
            "query": query,
            "confirmed": shown,
            "waiting": [r for r in regs if r.status == RegistrationStatus.WAITLISTED],
            "cancelled": [r for r in regs if r.status == RegistrationStatus.CANCELLED],
            "checked_in_seats": sum(r.seats for r in confirmed if r.checked_in_at),
            "confirmed_seats": sum(r.seats for r in confirmed),
            "walk_in_seats": sum(r.seats for r in confirmed if r.walk_in),
            "free": free,
            "door_open": services.check_in_is_open(event),
            "opens": timezone.localtime(services.check_in_opens(event), local_tz()),
            "walk_in_form": WalkInForm(),
            "desk_form": DeskRegistrationForm(auto_id="desk-%s"),  # ids apart from walk-ins
            "attendance_form": AttendanceForm(initial={"attendance_count": event.attendance_count}),
            "can_cancel_event": event.state != EventState.CANCELLED
            and request.user.is_library_staff,
            # A reason a person gave for cancelling is for staff of the branch, not the host.
            "sees_reasons": can_manage_branch(user=request.user, branch=event.branch_id),
        },
    )


def _door_registration(request: AuthenticatedHttpRequest, pk: int) -> Registration:
    reg = selectors.registration_get_for(actor=request.user, pk=pk)
    if not selectors.can_host_event(user=request.user, event=reg.event):
        raise NotFound()
    return reg


@login_required
@require_POST
def registration_check_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    query = request.POST.get("q", "")
    with not_found_as_404():
        reg = _door_registration(request, pk)
    with error_messages(request):
        reg = services.registration_check_in(actor=request.user, registration=reg)
        messages.success(request, _("%(name)s is checked in.") % {"name": _person(reg)})
    return redirect(_back(reg.event_id, query, f"reg-{reg.pk}"))


@login_required
@require_POST
def registration_check_in_undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    query = request.POST.get("q", "")
    with not_found_as_404():
        reg = _door_registration(request, pk)
    with error_messages(request):
        reg = services.registration_check_in_undo(actor=request.user, registration=reg)
        messages.success(request, _("The check-in of %(name)s is undone.") % {"name": _person(reg)})
    return redirect(_back(reg.event_id, query, f"reg-{reg.pk}"))


@login_required
@require_POST
def walk_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    with not_found_as_404():
        event = selectors.event_get_for_host(actor=request.user, pk=pk)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Enter between 1 and %(max)s people.") % {"max": WALK_IN_MAX_SEATS},
        )
        return redirect(_back(event.pk, anchor="walk-in"))
    with error_messages(request):
        reg = services.registration_walk_in(
            actor=request.user,
            event=event,
            seats=form.cleaned_data["seats"],
            name=form.cleaned_data["name"],
        )
        messages.success(
            request,
            _("%(name)s is added and checked in (%(seats)s).")
            % {"name": _person(reg), "seats": reg.seats},
        )
    return redirect(_back(event.pk, anchor="walk-in"))


class CodeCheckInForm(forms.Form):
    """The button on the page a QR code opens (a GET never checks anyone in)."""


@never_cache
@login_required
def check_in_code(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """The page a person's QR code opens: staff of the branch see who it is and check in
    with one tap; anyone else, and a forged token, get a 404."""
    with not_found_as_404():
        reg = checkin_codes.registration_get_by_token(actor=request.user, token=token)
    form = CodeCheckInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            reg = services.registration_check_in(actor=request.user, registration=reg)
            messages.success(request, _("%(name)s is checked in.") % {"name": _person(reg)})
            return redirect(_back(reg.event_id, anchor=f"reg-{reg.pk}"))
    context: dict[str, Any] = {
        "reg": reg,
        "event": reg.event,
        "person": _person(reg),
        "form": form,
        "confirmed": reg.status == RegistrationStatus.CONFIRMED,
    }
    return render(request, "events/check_in_code.html", context)


@require_GET
def check_in_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The QR code as an SVG image, for the confirmation e-mail. The token is the secret: the
    picture shows only what the person already has (a link that staff alone can use)."""
    with not_found_as_404():
        reg = checkin_codes.confirmed_registration_by_token(token)
    svg = checkin_codes.qr_svg_document(checkin_codes.check_in_url(reg))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=86400"
    return response
