"""Staff pages for partners and associations (``/personale/partnere/...``). Partners are
shared by every branch, so any member of staff manages them. Thin: the form parses,
``core.services_partners`` writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import selectors_partners, services_partners
from core.authenticated import AuthenticatedHttpRequest
from core.forms_partners import PartnerForm, PartnerLinkForm
from core.pages import error_messages, form_errors, not_found_as_404
from core.partner_links import partner_link_sections, partner_link_set


def _staff(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_library_staff:
        raise Http404


@login_required
def partner_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff(request)
    partners = selectors_partners.partner_list()
    return render(request, "core/partners/list.html", {"partners": partners})


@login_required
def partner_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a partner, or change one (pk); members are given by their e-mail addresses."""
    _staff(request)
    partner = None
    if pk is not None:
        with not_found_as_404():
            partner = selectors_partners.partner_get(pk=pk)
    initial = PartnerForm.initial_from(partner) if partner else None
    form = PartnerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            if partner is None:
                partner = services_partners.partner_create(
                    actor=request.user, data=data, members=data["members"]
                )
            else:
                services_partners.partner_update(
                    actor=request.user, partner=partner, data=data, members=data["members"]
                )
            messages.success(request, _("%(name)s is saved.") % {"name": partner.name})
            return redirect("partner-list")
    sections = partner_link_sections(user=request.user, partner=partner) if partner else []
    return render(
        request,
        "core/partners/form.html",
        {"form": form, "partner": partner, "sections": sections},
    )


@login_required
@require_POST
def partner_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Link an event or initiative to the partner, or unlink it, through the app's service
    (``core.partner_links``); a refusal is shown on the partner page."""
    _staff(request)
    with not_found_as_404():
        partner = selectors_partners.partner_get(pk=pk)
    form = PartnerLinkForm(request.POST)
    anchor = ""
    if not form.is_valid():
        messages.error(request, _("Choose what to link."))
    else:
        data = form.cleaned_data
        linked = data["action"] == "link"
        anchor = f"#links-{data['source']}"
        with error_messages(request):
            partner_link_set(
                actor=request.user,
                partner=partner,
                key=data["source"],
                object_id=data["object"],
                linked=linked,
            )
            messages.success(
                request,
                _("The link is saved.") if linked else _("The link is removed."),
            )
    return redirect(reverse("partner-edit", args=[partner.pk]) + anchor)
