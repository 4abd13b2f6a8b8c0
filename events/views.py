"""Event pages: the public calendar, the event page, my registrations, staff pages (thin)."""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import NotFound
from core.pages import error_messages, form_errors, not_found_as_404
from core.recurrence import expand
from core.safe_redirect import safe_next
from core.selectors import branches_managed_by
from core.timeutils import FIRST_YEAR, LAST_YEAR, day_bounds, local_today, local_tz
from events import selectors, services
from events.forms import (
    AttendanceForm,
    CalendarFilterForm,
    CancelForm,
    EventEditForm,
    RegisterForm,
    SeriesForm,
    StaffEventFilterForm,
)
from events.models import EventState, RegistrationStatus

MAX_LIST = 200

# Where a service's error about a field is shown on the event forms.
TIME_FIELDS = {"start": "start_time", "end": "end_time"}
SERIES_FIELDS = {**TIME_FIELDS, "rrule": "repeat"}


def _staff_required(request: HttpRequest) -> None:
    if not (request.user.is_authenticated and request.user.is_library_staff):
        raise DjangoPermissionDenied


def _decorate(events: list[Any], now: datetime) -> list[Any]:
    for event in events:
        event.shown_state = selectors.shown_state(event, now=now)
        event.free = selectors.seats_available(event)
    return events


# --- Public calendar ----------------------------------------------------------------------


def calendar(request: HttpRequest) -> HttpResponse:
    """List (60 days), week (ISO week, Monday first) or month views, with filters."""
    form = CalendarFilterForm(request.GET or None)
    data = _calendar_filters(request, form)
    view = data.get("view") or "list"
    window = _calendar_window(view, data.get("date") or local_today())
    events = _calendar_events(request, data, window)
    by_day = _by_day(events, window.first)
    query = request.GET.copy()
    query.pop("date", None)
    filters = {name: data.get(name) or "" for name in ("branch", "track", "audience")}
    return render(
        request,
        "events/calendar.html",
        {
            "form": form,
            "view": view,
            "days": sorted(by_day.items()),
            "weeks": _calendar_weeks(window, by_day) if view in ("week", "month") else [],
            "first": window.first,
            "last": window.last,
            "week_number": window.first.isocalendar()[1],
            "prev_anchor": window.prev_anchor,
            "next_anchor": window.next_anchor,
            "query": query.urlencode(),
            "count": len(events),
            "truncated": len(events) == MAX_LIST,
            "today": local_today(),
            "coming": _coming_instead(request, data, view, window, events),
            "filters": {k: v for k, v in filters.items() if v},
        },
    )


COMING_INSTEAD = 10


def _coming_instead(
    request: HttpRequest, data: dict[str, Any], view: str, window: _Window, events: list[Any]
) -> list[Any]:
    """A week or month with nothing left to go to (e.g. on a Sunday) shows the next events
    after it instead of an empty grid; a week wholly in the past shows what it held."""
    now = timezone.now()
    if view == "list" or window.last < local_today() or any(e.end > now for e in events):
        return []
    return _coming_events(
        request,
        limit=COMING_INSTEAD,
        branch=data.get("branch") or None,
        track=data.get("track") or None,
        audience=data.get("audience") or None,
        q=(data.get("q") or "").strip() or None,
    )


def _calendar_filters(request: HttpRequest, form: CalendarFilterForm) -> dict[str, Any]:
    """The filters that parse; a bad field (e.g. a date in the year 9999) is dropped and the
    other filters still apply."""
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    if "date" in form.errors:
        messages.warning(
            request,
            _("%(problem)s Showing the calendar from today instead.")
            % {"problem": " ".join(form.errors["date"])},
        )
    return data


@dataclass(frozen=True)
class _Window:
    first: date
    last: date
    prev_anchor: date
    next_anchor: date


def _calendar_window(view: str, anchor: date) -> _Window:
    """The days a view shows around ``anchor``, and where its arrows lead."""
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        last = first + timedelta(days=6)
        prev_anchor, next_anchor = first - timedelta(days=7), first + timedelta(days=7)
    elif view == "month":
        first = anchor.replace(day=1)
        last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
        prev_anchor = (first - timedelta(days=1)).replace(day=1)
        next_anchor = last + timedelta(days=1)
    else:
        first, last = anchor, anchor + timedelta(days=59)
        prev_anchor, next_anchor = anchor - timedelta(days=60), last + timedelta(days=1)
    # Near the edges of the calendar the window is cut so date arithmetic cannot overflow.
    first = max(first, date(FIRST_YEAR, 1, 1))
    last = min(last, date(LAST_YEAR, 12, 31))
    return _Window(first, last, prev_anchor, next_anchor)


def _calendar_events(request: HttpRequest, data: dict[str, Any], window: _Window) -> list[Any]:
    start_after, _unused = day_bounds(window.first)
    _unused2, start_before = day_bounds(window.last)
    events = list(
        selectors.event_list(
            actor=request.user,
            branch=data.get("branch") or None,
            track=data.get("track") or None,
            audience=data.get("audience") or None,
            start_after=start_after,
            start_before=start_before,
            q=(data.get("q") or "").strip() or None,
        ).exclude(state=EventState.DRAFT)[:MAX_LIST]
    )
    return _decorate(events, timezone.now())


def _by_day(events: list[Any], first: date) -> dict[date, list[Any]]:
    """Events by their local day; one that began before the window shows on its first day."""
    tz = local_tz()
    by_day: dict[date, list[Any]] = defaultdict(list)
    for event in events:
        by_day[max(event.start.astimezone(tz).date(), first)].append(event)
    return by_day


def _calendar_weeks(
    window: _Window, by_day: dict[date, list[Any]]
) -> list[list[tuple[date, list[Any], bool]]]:
    """Whole weeks, Monday first, each day with its events and whether it is in the window."""
    first, last = window.first, window.last
    day = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    weeks = []
    while day <= grid_end:
        week = []
        for _i in range(7):
            week.append((day, by_day.get(day, []), first <= day <= last))
            day += timedelta(days=1)
        weeks.append(week)
    return weeks


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    with not_found_as_404():
        event = selectors.event_get(actor=request.user, pk=pk)
    now = timezone.now()
    _decorate([event], now)
    mine = selectors.live_registration_for(user=request.user, event=event)
    questions = event.series.asked_questions()
    form = RegisterForm(max_seats=event.max_seats_per_registration, questions=questions)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        form = RegisterForm(
            request.POST, max_seats=event.max_seats_per_registration, questions=questions
        )
        if form.is_valid():
            with form_errors(form):
                reg = services.registration_create(
                    actor=request.user,
                    event=event,
                    seats=form.cleaned_data["seats"],
                    answers=form.answers(),
                )
                if reg.status == RegistrationStatus.CONFIRMED:
                    messages.success(request, _("You are registered. See you there!"))
                else:
                    messages.info(
                        request,
                        _("You are number %(position)s on the waiting list.")
                        % {"position": reg.waitlist_position},
                    )
                return redirect("events:event-detail", pk=event.pk)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "mine": mine,
            "form": form,
            "can_register": event.state == EventState.PUBLISHED
            and event.registration_required
            and event.start > now,
            "is_full": event.shown_state == selectors.SHOWN_SOLD_OUT,  # type: ignore[attr-defined]
            "is_future": event.start > now,
            "can_manage": selectors.can_host_event(user=request.user, event=event),
            "cancel_form": CancelForm(),
            "not_open_yet": bool(event.registration_opens_at and event.registration_opens_at > now),
            "opening_reminder": selectors.opening_reminder_for(user=request.user, event=event),
            "room_hold": selectors.live_room_hold(event),
        },
    )


@login_required
@require_POST
def opening_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Tell me when it opens": one e-mail when the event's registration opens."""
    with error_messages(request, as_404=(NotFound,)):
        event = selectors.event_get(actor=request.user, pk=pk)
        services.opening_reminder_request(actor=request.user, event=event)
        messages.success(request, _("We will send you one e-mail when registration opens."))
    return redirect("events:event-detail", pk=pk)


@login_required
@require_POST
def event_hold(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff keep a draft's room for 48 hours (a tentative hold)."""
    _staff_required(request)
    with error_messages(request, as_404=(NotFound,)):
        event = selectors.event_get_for_staff(actor=request.user, pk=pk)
        services.event_hold_room(actor=request.user, event=event)
        messages.success(request, _("The room is held for 48 hours."))
    return redirect("events:event-detail", pk=pk)


@login_required
@require_POST
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    with error_messages(request, as_404=(NotFound,)):
        reg = selectors.registration_get_for(actor=request.user, pk=pk)
        form = CancelForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.registration_cancel(actor=request.user, registration=reg, reason=reason)
        messages.success(request, _("Your registration is cancelled."))
    return redirect(safe_next(request, "my-page"))


BRANCH_PAGE_EVENTS = 8


def branch_events_part(request: HttpRequest | None, *, branch: Any) -> str:
    """The branch page's coming events (a part of core's page, core.navigation)."""
    events = _coming_events(request, branch=branch.slug, limit=BRANCH_PAGE_EVENTS)
    return render_to_string(
        "events/_branch_events.html", {"branch": branch, "events": events}, request=request
    )


def _coming_events(
    request: HttpRequest | None, *, limit: int, after: datetime | None = None, **filters: Any
) -> list[Any]:
    """The next published events from now (or ``after``), with the calendar's filters."""
    now = timezone.now()
    events = list(
        selectors.event_list(
            actor=getattr(request, "user", None),
            start_after=max(now, after) if after else now,
            states=[EventState.PUBLISHED],
            **filters,
        )[:limit]
    )
    return _decorate(events, now)


def my_registrations_section(request: HttpRequest) -> str:
    """The "my registrations" section of my page (core.mypage)."""
    if not request.user.is_authenticated:
        return ""
    now = timezone.now()
    regs = list(selectors.registration_list_for(user=request.user)[:50])
    upcoming = [r for r in regs if r.event.end > now and r.status != RegistrationStatus.CANCELLED]
    upcoming.reverse()
    past = [r for r in regs if r not in upcoming][:10]
    return render_to_string(
        "events/my_registrations.html",
        {"upcoming": upcoming, "past": past, "now": now},
        request=request,
    )


# --- Staff ----------------------------------------------------------------------------------


@login_required
def staff_events(request: HttpRequest) -> HttpResponse:
    """The events of the staff member's branches: date, event, library, registrations and
    state in columns of their own, filtered by library, state, date and a search."""
    _staff_required(request)
    today = local_today()
    branches = list(branches_managed_by(user=request.user).order_by("position", "name"))
    form = StaffEventFilterForm(request.GET or None, branches=branches)
    data = form.cleaned_data if form.is_valid() else {}
    start, _unused = day_bounds(data.get("date") or today - timedelta(days=14))
    events = list(
        selectors.event_list(
            actor=request.user,
            start_after=start,
            branch=data.get("branch") or None,
            states=[data["state"]] if data.get("state") else None,
            q=(data.get("q") or "").strip() or None,
        ).filter(branch__in=branches)[:MAX_LIST]
    )
    _decorate(events, timezone.now())
    return render(
        request,
        "events/staff_events.html",
        {"events": events, "today": today, "form": form, "truncated": len(events) == MAX_LIST},
    )


@login_required
def series_create(request: HttpRequest) -> HttpResponse:
    """Create an event or a series; "Preview dates" shows the dates (and skipped ones) first."""
    _staff_required(request)
    branches = branches_managed_by(user=request.user)
    form = SeriesForm(request.POST or None, request.FILES or None, branches=branches)
    preview = None
    room_taken: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        rrule = form.cleaned_data["rrule"]
        with form_errors(form, fields=SERIES_FIELDS):
            occurrences = expand(
                rrule=rrule or "FREQ=DAILY;COUNT=1",
                first_start=kwargs["start"],
                first_end=kwargs["end"],
                branch=kwargs["branch"],
                include_closed=form.cleaned_data["include_closed"] if rrule else True,
            )
            rows = _preview_rows(occurrences, room=kwargs.get("room"))
            room_taken = [row for row in rows if row["clashes"]]
            skip_taken = bool(request.POST.get("skip_room_taken"))
            if "preview" in request.POST:
                preview = rows
            elif rrule and room_taken and not skip_taken:
                preview = rows
                form.add_error(
                    None,
                    _(
                        "The room is taken on %(days)s. Tick “Leave out the dates when the room "
                        "is taken” to create the series without them, or choose another room "
                        "or time."
                    )
                    % {"days": ", ".join(date_format(r["start"], "j.n.Y") for r in room_taken)},
                )
            elif rrule:
                series = services.series_create(
                    actor=request.user,
                    rrule=rrule,
                    include_closed=form.cleaned_data["include_closed"],
                    skip_days=[row["start"].date() for row in room_taken] if skip_taken else (),
                    **kwargs,
                )
                messages.success(
                    request,
                    _("The series is created with %(n)s dates.") % {"n": series.events.count()},
                )
                return redirect("events:staff-events")
            else:
                event = services.event_create(actor=request.user, **kwargs)
                messages.success(request, _("The event is created."))
                return redirect("events:event-detail", pk=event.pk)
    return render(
        request,
        "events/series_form.html",
        {"form": form, "preview": preview, "room_taken": room_taken},
    )


def _preview_rows(occurrences: list[Any], *, room: Any) -> list[dict[str, Any]]:
    """The preview's dates; where the room is taken, what is in the way."""
    tz = local_tz()
    rows = []
    for occ in occurrences:
        clashes = []
        if room is not None and not occ.skipped:
            clashes = selectors.room_clashes(room=room, start=occ.start, end=occ.end)
        rows.append(
            {
                "start": occ.start.astimezone(tz),
                "end": occ.end.astimezone(tz),
                "skipped": occ.skipped,
                "reason": occ.reason,
                "clashes": clashes,
            }
        )
    return rows


def _host_event(request: HttpRequest, pk: int) -> Any:
    with not_found_as_404():
        return selectors.event_get_for_host(actor=request.user, pk=pk)


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = _host_event(request, pk)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        with error_messages(request):
            services.event_record_attendance(
                actor=request.user, event=event, count=form.cleaned_data["attendance_count"]
            )
            messages.success(request, _("The attendance is saved."))
    else:
        messages.error(request, _("Please enter a number of 0 or more."))
    return redirect("events:check-in", pk=event.pk)


class EventCancelForm(forms.Form):
    """Cancelling a whole event needs a reason and a ticked confirmation."""

    reason = forms.CharField(
        label=gettext_lazy("Reason (shown to those registered)"),
        max_length=300,
        widget=forms.TextInput,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Yes, cancel the event. Everyone registered and on the waiting list gets an e-mail."
        ),
    )


@login_required
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """A page of its own: what cancelling means, a required reason and a confirmation."""
    _staff_required(request)
    with not_found_as_404():
        event = selectors.event_get_for_staff(actor=request.user, pk=pk)
    form = EventCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with error_messages(request):
            services.event_cancel(
                actor=request.user, event=event, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The event is cancelled and those registered are told."))
            return redirect("events:event-detail", pk=pk)
    regs = list(selectors.event_registrations(event=event))
    return render(
        request,
        "events/event_cancel.html",
        {
            "event": event,
            "form": form,
            "confirmed": sum(1 for r in regs if r.status == RegistrationStatus.CONFIRMED),
            "waiting": sum(1 for r in regs if r.status == RegistrationStatus.WAITLISTED),
        },
    )


@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one date (time, place, seats, tracks, published); the rest of its series is untouched."""
    _staff_required(request)
    with not_found_as_404():
        event = selectors.event_get_for_staff(actor=request.user, pk=pk)
    form = EventEditForm(request.POST or None, request.FILES or None, event=event)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, fields=TIME_FIELDS):
            services.event_update(actor=request.user, event=event, **form.changes())
            messages.success(request, _("The changes are saved; those registered are told."))
            return redirect("events:event-detail", pk=event.pk)
    return render(request, "events/event_edit.html", {"form": form, "event": event})
