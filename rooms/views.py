"""Pages of the rooms app: thin views over rooms.services and rooms.selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.exceptions import BookingConflict, DomainError, NotFound, PermissionDenied
from core.models import Branch
from core.pages import domain_errors, error_messages, not_found_as_404
from core.safe_redirect import safe_next
from core.selectors import (
    branch_list,
    branches_managed_by,
    can_manage_branch,
    user_get_by_email,
)
from core.timeutils import check_day_in_range, local_today, parse_day
from rooms import selectors, services
from rooms.forms import BookingForm, ReasonForm
from rooms.models import BookableBy, EquipmentKind, Room


def _day_param(request: HttpRequest, name: str = "dato") -> date:
    """The day asked for in ``?<name>=YYYY-MM-DD``; today, with a notice, when it cannot be shown."""

    def today_instead(error: DomainError) -> None:
        messages.error(
            request, _("%(problem)s Showing today instead.") % {"problem": error.message}
        )

    with domain_errors(today_instead) as attempt:
        day = parse_day(request.GET.get(name), field=name)
        if day is not None:
            # The pages also link to the day or week before and after.
            check_day_in_range(day - timedelta(days=7), field=name)
            check_day_in_range(day + timedelta(days=7), field=name)
    if attempt.failed:
        return local_today()
    return day or local_today()


# Errors of a single booking after which free times nearby are worth offering.
NEARBY_CODES = {"outside_hours"}


def rule_lines(room: Room) -> list[str]:
    """The booking rules of ``room`` in plain words."""
    lines = []
    if room.bookable_by == BookableBy.STAFF:
        lines.append(_("Only the library's staff book this room."))
    elif room.bookable_by == BookableBy.ASSOCIATIONS:
        lines.append(_("Lent to associations only."))
    else:
        lines.append(_("Citizens and associations can book it."))
    lines.append(
        _("Staff approve each booking; a weekly series is approved as a whole.")
        if room.requires_approval
        else _(
            "Single bookings are confirmed at once. A weekly series needs staff approval: it is "
            "one request, approved as a whole."
        )
    )
    lines.append(
        _("From %(min)s minutes to %(max)s hours, in steps of %(step)s minutes.")
        % {
            "min": room.min_duration_minutes,
            "max": f"{room.max_duration_minutes / 60:g}",
            "step": room.slot_minutes,
        }
    )
    if room.buffer_minutes:
        lines.append(
            _("%(m)s minutes are kept free between bookings for tidying up.")
            % {"m": room.buffer_minutes}
        )
    lines.append(_("Book up to %(d)s days ahead.") % {"d": room.max_days_ahead})
    return lines + _limit_lines(room) + _use_and_price_lines(room)


def _limit_lines(room: Room) -> list[str]:
    """How much one person may book of ``room``."""
    lines = []
    if room.max_per_day:
        lines.append(
            ngettext(
                "At most %(n)s booking a day per person.",
                "At most %(n)s bookings a day per person.",
                room.max_per_day,
            )
            % {"n": room.max_per_day}
        )
    if room.max_per_week:
        lines.append(
            ngettext(
                "At most %(n)s booking a week per person.",
                "At most %(n)s bookings a week per person.",
                room.max_per_week,
            )
            % {"n": room.max_per_week}
        )
    if room.max_future:
        lines.append(
            _("At most %(n)s upcoming bookings per person at a time (a series counts as one).")
            % {"n": room.max_future}
        )
    return lines


def _use_and_price_lines(room: Room) -> list[str]:
    """When ``room`` can be used, what it costs and until when a booking can be cancelled."""
    lines = []
    lines.append(
        _("Can be used in self-service hours by adults.")
        if room.self_service_allowed
        else _("Only in staffed opening hours.")
    )
    lines.append(
        _(
            "Price: free for voluntary social associations and the municipality; "
            "%(fee)s kr. for adult-education associations; %(rent)s kr. for others."
        )
        % {"fee": f"{room.fee_dkk:.0f}", "rent": f"{room.rent_dkk:.0f}"}
    )
    if room.cancel_days_before:
        lines.append(
            ngettext(
                "Cancel at the latest the day before.",
                "Cancel at the latest %(n)s days before.",
                room.cancel_days_before,
            )
            % {"n": room.cancel_days_before}
        )
    else:
        lines.append(_("Cancel any time before the start."))
    return lines


def room_list(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("bibliotek") or None
    rooms = list(selectors.room_list(branch_slug=slug))
    groups: dict[Branch, list[Room]] = {}
    for room in rooms:
        room.rules = rule_lines(room)  # type: ignore[attr-defined]
        groups.setdefault(room.branch, []).append(room)
    return render(
        request,
        "rooms/room_list.html",
        {"groups": groups, "branches": branch_list().exclude(kind="bookmobile"), "slug": slug},
    )


def branch_rooms_part(request: HttpRequest | None, *, branch: Branch) -> str:
    """The branch page's rooms and machines to book (a part of core's page, core.navigation)."""
    rooms = list(selectors.room_list(branch_slug=branch.slug))
    if not rooms:
        return ""
    return render_to_string(
        "rooms/_branch_rooms.html", {"branch": branch, "rooms": rooms}, request=request
    )


def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A room's rules, the day's free and busy times, and the booking form."""
    with not_found_as_404(DomainError):
        room = selectors.room_get(pk=pk)
    refusal = _Refusal(day=_day_param(request))
    form = _booking_form(request, room, refusal.day)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        if form.is_valid() and form.cleaned_data.get("start") and form.cleaned_data.get("end"):
            data = form.cleaned_data
            with domain_errors(form.add_domain_error) as attempt:
                outcome = services.booking_request(
                    actor=request.user, room=room, **_booking_kwargs(data)
                )
                _tell_booked(request, outcome)
                return redirect("rooms:my-bookings")
            refusal = _refusal(room=room, data=data, error=attempt.error)
    return _room_page(request, room, form, refusal)


@dataclass
class _Refusal:
    """The day shown, and after a refused booking what helps: free times nearby (a single
    booking) or the dates in the way (a series)."""

    day: date
    suggestions: list[tuple[datetime, datetime]] = field(default_factory=list)
    suggestions_reason: str = ""
    conflicts: list[dict[str, Any]] = field(default_factory=list)


def _booking_form(request: HttpRequest, room: Room, day: date) -> BookingForm:
    initial = {"day": day, "attendees": 1}
    for key in ("start_time", "end_time"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    desk = can_manage_branch(user=request.user, branch=room.branch_id)
    form = BookingForm(request.POST or None, user=request.user, initial=initial, desk=desk)
    for name in ("start_time", "end_time"):
        form.fields[name].widget.attrs["step"] = room.slot_minutes * 60
    return form


def _booking_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "start": data["start"],
        "end": data["end"],
        "purpose": data["purpose"],
        "attendees": data["attendees"],
        "partner": data.get("partner"),
        "every_weeks": data.get("every_weeks"),
        "until": data.get("until"),
        "take_free": data.get("take_free", False),
        "on_behalf_of": data.get("on_behalf_of") or None,
        "override_reason": data.get("override_reason", ""),
    }


def _tell_booked(request: HttpRequest, outcome: Any) -> None:
    if outcome.first.status == "pending":
        messages.success(request, _("Thank you. Your request awaits the staff's approval."))
    else:
        messages.success(request, _("Your booking is confirmed."))
    if outcome.skipped:
        messages.info(
            request,
            _("These dates were not booked: %(dates)s")
            % {"dates": ", ".join(f"{s.start:%d.%m.%Y}" for s in outcome.skipped)},
        )


def _refusal(*, room: Room, data: dict[str, Any], error: DomainError | None) -> _Refusal:
    """What to offer after the service refused the booking in ``data``."""
    refusal = _Refusal(day=data["day"])
    if error is None:
        return refusal
    if data.get("every_weeks"):
        refusal.conflicts = error.extra.get("conflicts", [])
    elif isinstance(error, BookingConflict) or error.code in NEARBY_CODES:
        refusal.suggestions = selectors.suggest_free_times(
            room=room, start=data["start"], end=data["end"]
        )
        refusal.suggestions_reason = (
            _("That time is taken. Free times nearby:")
            if isinstance(error, BookingConflict)
            else _("The room cannot be used at that time. Free times nearby:")
        )
    return refusal


def _room_page(
    request: HttpRequest, room: Room, form: BookingForm, refusal: _Refusal
) -> HttpResponse:
    day = refusal.day
    return render(
        request,
        "rooms/room_detail.html",
        {
            "room": room,
            "rules": rule_lines(room),
            "day": day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "availability": selectors.room_availability(room=room, day=day),
            "form": form,
            "suggestions": [
                (selectors.to_local(s), selectors.to_local(e)) for s, e in refusal.suggestions
            ],
            "suggestions_reason": refusal.suggestions_reason,
            "conflicts": refusal.conflicts,
            "can_book": selectors.can_book(user=request.user, room=room)
            if request.user.is_authenticated
            else None,
            "prices": _prices(request, room),
        },
    )


def _prices(request: HttpRequest, room: Room) -> list[tuple[str, Any]]:
    """What booking ``room`` costs the person, and on behalf of each of their associations."""
    if not request.user.is_authenticated:
        return []
    _tier, own = selectors.price_for(room=room, partner=None, booker=request.user)
    prices: list[tuple[str, Any]] = [(_("Booking for yourself"), own)]
    for partner in request.user.partners.order_by("name"):
        _tier, amount = selectors.price_for(room=room, partner=partner)
        prices.append((_("On behalf of %(name)s") % {"name": partner.name}, amount))
    return prices


def week_grid(request: HttpRequest, slug: str) -> HttpResponse:
    branch = Branch.objects.filter(slug=slug).first()
    if branch is None:
        raise Http404
    day = _day_param(request, "uge")
    monday = day - timedelta(days=day.weekday())
    grid = selectors.week_grid(branch=branch, monday=monday)
    for row in grid["rows"]:  # type: ignore[attr-defined]
        for cell in row["cells"]:
            cell["times"] = [
                (selectors.to_local(b.start), selectors.to_local(b.end), b)
                for b in cell["bookings"]
            ]
    return render(
        request,
        "rooms/week.html",
        {
            "branch": branch,
            "grid": grid,
            "monday": monday,
            "week": monday.isocalendar()[1],
            "previous_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
            "is_desk": can_manage_branch(user=request.user, branch=branch),
        },
    )


def _bookings_context(request: HttpRequest) -> dict[str, Any]:
    bookings = list(selectors.my_bookings(user=request.user))
    for booking in bookings:
        deadline = selectors.cancel_deadline(booking=booking)
        booking.deadline = deadline  # type: ignore[attr-defined]
        booking.deadline_is_start = deadline == booking.start  # type: ignore[attr-defined]
        booking.deadline_shown = selectors.cancel_deadline_shown(booking=booking)  # type: ignore[attr-defined]
    return {
        "bookings": bookings,
        "machine_bookings": selectors.my_equipment_bookings(user=request.user),
        "pause": selectors.pause_of(person=request.user),
    }


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    return render(request, "rooms/my_bookings.html", _bookings_context(request))


def my_page_section(request: HttpRequest) -> str:
    """The "my bookings" section of my page."""
    if not request.user.is_authenticated:
        return ""
    return render_to_string("rooms/_my_bookings.html", _bookings_context(request), request=request)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    return redirect(safe_next(request, default))


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    with not_found_as_404(DomainError):
        booking = selectors.booking_get_for(actor=request.user, pk=pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    with error_messages(request):
        services.booking_cancel(
            actor=request.user,
            booking=booking,
            reason=form.cleaned_data.get("reason", ""),
            whole_series=request.POST.get("whole_series") == "1",
        )
        messages.success(request, _("The booking is cancelled."))
    return _back(request, reverse("rooms:my-bookings"))


@login_required
def approval_index(request: HttpRequest) -> HttpResponse:
    """One approval queue: every waiting request of the person's branches (administrators:
    all), oldest first, approved or rejected from the list. ``?filial=<slug>`` narrows it to
    one branch."""
    if not request.user.is_library_staff:
        raise Http404
    branches = list(branches_managed_by(user=request.user).order_by("position", "name"))
    slug = request.GET.get("filial") or None
    branch = next((b for b in branches if b.slug == slug), None)
    if slug and branch is None:
        raise Http404
    pending = selectors.approval_queue_for(actor=request.user, branch_slug=slug)
    return render(
        request,
        "rooms/approval_index.html",
        {"pending": pending, "branches": branches, "branch": branch},
    )


@login_required
def approval_queue(request: HttpRequest, slug: str) -> HttpResponse:
    branch = Branch.objects.filter(slug=slug).first()
    if branch is None or not can_manage_branch(user=request.user, branch=branch):
        raise Http404
    now = timezone.now()
    upcoming = list(selectors.upcoming_bookings_for_branch(branch=branch, now=now)[:100])
    for booking in upcoming:  # only buttons that can work now
        booking.can_mark_no_show = not booking.no_show and booking.start <= now  # type: ignore[attr-defined]
    return render(
        request,
        "rooms/approval_queue.html",
        {
            "branch": branch,
            # A series is one request: one row, approved or rejected as a whole.
            "pending": selectors.approval_queue_for(actor=request.user, branch_slug=branch.slug),
            "upcoming": upcoming,
        },
    )


def _staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    with not_found_as_404(DomainError):
        booking = selectors.booking_get_for(actor=request.user, pk=pk)
    if not selectors.can_approve(user=request.user, booking=booking):
        raise Http404
    reason = request.POST.get("reason", "")
    whole = request.POST.get("whole_series") == "1"
    with error_messages(request):
        if action == "approve":
            services.booking_approve(actor=request.user, booking=booking, whole_series=whole)
            messages.success(request, _("Approved."))
        elif action == "reject":
            services.booking_reject(
                actor=request.user, booking=booking, reason=reason, whole_series=whole
            )
            messages.success(request, _("Rejected."))
        else:
            services.booking_mark_no_show(actor=request.user, booking=booking)
            messages.success(request, _("Marked as no-show."))
    return _back(request, reverse("rooms:approval-queue", args=[booking.room.branch.slug]))


@login_required
@require_POST
def booking_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, "approve")


@login_required
@require_POST
def booking_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, "reject")


@login_required
@require_POST
def booking_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, "no_show")


def _my_slots(request: HttpRequest) -> list[Any]:
    """One's upcoming machine slots, each told which buttons can work now."""
    if not request.user.is_authenticated:
        return []
    now = timezone.now()
    slots = list(selectors.my_equipment_bookings(user=request.user, now=now))
    for slot in slots:
        confirmed = slot.status == "confirmed"
        slot.check_in_from = selectors.to_local(slot.start - CHECK_IN_EARLY)  # type: ignore[attr-defined]
        slot.can_check_in = (  # type: ignore[attr-defined]
            confirmed and slot.checked_in_at is None and slot.start - CHECK_IN_EARLY <= now
        )
        slot.can_cancel = confirmed and slot.start > now  # type: ignore[attr-defined]
    return slots


# How long before its start a machine slot can be checked in (rooms.services).
CHECK_IN_EARLY = timedelta(minutes=15)


def makerspace(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("bibliotek") or None
    day = _day_param(request)
    machines = list(selectors.equipment_list(branch_slug=slug))
    licences = []
    if request.user.is_authenticated:
        licences = list(selectors.licences_of(user=request.user))
    access = selectors.maker_access(user=request.user, machines=machines, today=day)
    for machine in machines:
        machine.access = access[machine.pk]  # type: ignore[attr-defined]
        machine.slots = [  # type: ignore[attr-defined]
            {
                **slot,
                "start_local": selectors.to_local(slot["start"]),
                "end_local": selectors.to_local(slot["end"]),
            }
            for slot in selectors.equipment_slots(equipment=machine, day=day)
        ]
        machine.may_book = access[machine.pk].may_book  # type: ignore[attr-defined]
    return render(
        request,
        "rooms/makerspace.html",
        {
            "machines": machines,
            "licences": licences,
            "day": day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "slug": slug,
            # Staff give licences only for the kinds of machine their branches have.
            "grant_kinds": _grant_kinds(request),
            "my_slots": _my_slots(request),
        },
    )


@login_required
@require_POST
def equipment_book(request: HttpRequest) -> HttpResponse:
    with not_found_as_404(DomainError):
        equipment = selectors.equipment_get(pk=request.POST.get("equipment"))
    try:
        start = datetime.fromisoformat(request.POST.get("start", ""))
    except ValueError as error:
        raise Http404 from error
    with error_messages(request):
        services.equipment_booking_create(actor=request.user, equipment=equipment, start=start)
        messages.success(request, _("The slot is yours. Check in within 15 minutes of the start."))
    return _back(request, reverse("rooms:makerspace"))


@login_required
@require_POST
def equipment_booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    with error_messages(request, as_404=(NotFound,)):
        booking = selectors.equipment_booking_get_for(actor=request.user, pk=pk)
        services.equipment_booking_cancel(actor=request.user, booking=booking)
        messages.success(request, _("The slot is cancelled."))
    return _back(request, reverse("rooms:makerspace"))


@login_required
@require_POST
def equipment_booking_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    with error_messages(request, as_404=(NotFound,)):
        booking = selectors.equipment_booking_get_for(actor=request.user, pk=pk)
        services.equipment_booking_check_in(actor=request.user, booking=booking)
        messages.success(request, _("You are checked in. Enjoy!"))
    return _back(request, reverse("rooms:makerspace"))


def _grant_kinds(request: HttpRequest) -> list[tuple[str, str]]:
    if not (request.user.is_authenticated and request.user.is_library_staff):
        return []
    managed = selectors.licence_kinds_managed_by(user=request.user)
    return [(value, str(label)) for value, label in EquipmentKind.choices if value in managed]


@login_required
@require_POST
def licence_grant(request: HttpRequest) -> HttpResponse:
    """Staff give someone a machine licence from the makerspace page."""
    person = user_get_by_email(email=request.POST.get("email", ""))
    if person is None:
        messages.error(request, _("No one has an account with that e-mail address."))
        return _back(request, reverse("rooms:makerspace"))
    with error_messages(request, as_404=(PermissionDenied,)):
        licence = services.licence_grant_by_staff(
            actor=request.user, person=person, equipment_kind=request.POST.get("equipment_kind", "")
        )
        messages.success(
            request,
            _("%(name)s now holds the licence for %(kind)s.")
            % {"name": person.name or person.email, "kind": licence.get_equipment_kind_display()},
        )
    return _back(request, reverse("rooms:makerspace"))
