"""Staff pages for partners and associations (``/personale/partnere/...``). Partners are
shared by every branch, so any member of staff manages them. Thin: the form parses,
``core.services_partners`` writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core import selectors_partners, services_partners
from core.authenticated import AuthenticatedHttpRequest
from core.forms_partners import PartnerForm
from core.pages import form_errors, not_found_as_404


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
    return render(request, "core/partners/form.html", {"form": form, "partner": partner})
