"""Check-in at a room's door, the printable door sign with its QR code, and the staff's page
of booking pauses (``rooms.services.checkin``). Thin views."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.authenticated import AuthenticatedHttpRequest
from core.exceptions import NotFound
from core.pages import error_messages, not_found_as_404
from rooms import selectors, services
from rooms.models import Room


def door_url(room: Room) -> str:
    """The absolute address the QR code on the door opens."""
    return settings.SITE_URL + reverse("rooms:door-check-in", args=[room.pk])


@login_required
def door_check_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The page the QR code on the door opens: the booker's booking now, and a button."""
    room = get_object_or_404(Room.objects.select_related("branch"), pk=pk)
    if request.method == "POST":
        with error_messages(request, as_404=(NotFound,)):
            booking = selectors.booking_get_for(
                actor=request.user, pk=request.POST.get("booking", "")
            )
            services.booking_check_in(actor=request.user, booking=booking)
            messages.success(request, _("You are checked in. Enjoy the room!"))
        return redirect("rooms:door-check-in", pk=room.pk)
    bookings = selectors.door_bookings(room=room, user=request.user)
    for booking in bookings:
        booking.can_check_in = selectors.check_in_open(booking=booking)  # type: ignore[attr-defined]
        booking.deadline = services.check_in_deadline(booking)  # type: ignore[attr-defined]
    context = {
        "room": room,
        "bookings": bookings,
        "pause": selectors.pause_of(person=request.user),
    }
    return render(request, "rooms/door_check_in.html", context)


@login_required
def door_sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A printable sign for the room's door with the QR code of its check-in page (staff)."""
    with not_found_as_404():
        room = selectors.room_get_for_staff(actor=request.user, pk=pk)
    url = door_url(room)
    qr = segno.make(url, error="m", micro=False).svg_inline(scale=8, border=2)
    return render(request, "rooms/door_sign.html", {"room": room, "url": url, "qr": qr})


@login_required
def pauses(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff see whose right to book is paused, why and until when, and can lift a pause."""
    if not request.user.is_library_staff:
        raise DjangoPermissionDenied
    return render(request, "rooms/pauses.html", {"pauses": selectors.pauses_active()})


@login_required
@require_POST
def pause_lift(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_library_staff:
        raise DjangoPermissionDenied
    with not_found_as_404():
        pause = selectors.pause_get(pk=pk)
    with error_messages(request):
        services.booking_pause_lift(
            actor=request.user, pause=pause, reason=request.POST.get("reason", "")
        )
        messages.success(
            request,
            _("%(name)s can book again.") % {"name": pause.person.name or pause.person.email},
        )
    return redirect("rooms:pauses")
