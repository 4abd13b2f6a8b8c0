"""Associations host their own public events (``events.services.associations``): the
members' page and proposal form, and the staff's queue of proposals. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.authenticated import AuthenticatedHttpRequest
from core.pages import error_messages, form_errors, not_found_as_404
from events import selectors_associations, services
from events.forms import AssociationEventForm


@login_required
def association_events(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A member's page: the associations' coming room bookings (propose an event in one) and
    their proposals, with the registrations of the published ones."""
    proposals = list(selectors_associations.association_proposals_for(user=request.user))
    proposed = {p.booking_id for p in proposals if p.status != "rejected"}
    bookings = [
        b
        for b in selectors_associations.association_bookings_for(user=request.user)
        if b.pk not in proposed
    ]
    return render(
        request,
        "events/association_events.html",
        {"bookings": bookings, "proposals": proposals},
    )


@login_required
def association_event_propose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    with not_found_as_404():
        booking = selectors_associations.association_booking_get_for_member(
            actor=request.user, pk=pk
        )
    form = AssociationEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            services.association_event_propose(
                actor=request.user,
                booking=booking,
                title=data["title"],
                description=data["description"],
                tracks=data["tracks"],
                audiences=data["audiences"],
                capacity=data["capacity"],
                registration_required=data["registration_required"],
            )
            messages.success(request, _("Thank you. The library will look at your proposal."))
            return redirect("events:association-events")
    return render(request, "events/association_event_form.html", {"booking": booking, "form": form})


def my_page_section(request: HttpRequest) -> str:
    """A link to the associations' events page, for members of an association."""
    if not request.user.is_authenticated or not request.user.partners.exists():
        return ""
    return render_to_string("events/_association_section.html", {}, request=request)


def _staff_required(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_library_staff:
        raise DjangoPermissionDenied


@login_required
def association_proposals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The staff's queue: associations' event proposals in their branches, oldest first."""
    _staff_required(request)
    pending = selectors_associations.association_proposals_pending(actor=request.user)
    return render(request, "events/association_proposals.html", {"pending": pending})


@login_required
@require_POST
def association_proposal_decide(
    request: AuthenticatedHttpRequest, pk: int, decision: str
) -> HttpResponse:
    _staff_required(request)
    with not_found_as_404():
        proposal = selectors_associations.association_proposal_get_for_staff(
            actor=request.user, pk=pk
        )
    with error_messages(request):
        if decision == "approve":
            services.association_event_approve(actor=request.user, proposal=proposal)
            messages.success(request, _("Approved and published."))
        else:
            services.association_event_reject(
                actor=request.user, proposal=proposal, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Rejected; the association is told why."))
    return redirect("events:association-proposals")
