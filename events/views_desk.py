"""Staff register a person at the desk or on the phone (``registration_create`` with
``on_behalf_of``): the person's rules apply; a rule is bent only with a reason."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.authenticated import AuthenticatedHttpRequest
from core.pages import error_messages, not_found_as_404
from events import selectors, services


class DeskRegistrationForm(forms.Form):
    on_behalf_of = forms.EmailField(label=gettext_lazy("The person's e-mail"))
    seats = forms.IntegerField(label=gettext_lazy("Seats"), min_value=1, max_value=50, initial=1)
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for bending a rule"),
        max_length=300,
        required=False,
        help_text=gettext_lazy(
            "Only if a rule refuses the registration and you decide to override it; "
            "kept in the audit log and shown to other staff."
        ),
    )


@login_required
@require_POST
def desk_register(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Register someone on their behalf from the event's check-in page (staff of the branch)."""
    with not_found_as_404():
        event = selectors.event_get_for_staff(actor=request.user, pk=pk)
    form = DeskRegistrationForm(request.POST)
    back = reverse("events:check-in", args=[event.pk]) + "#desk"
    if not form.is_valid():
        messages.error(request, _("Give the person's e-mail and the number of seats."))
        return redirect(back)
    with error_messages(request):
        reg = services.registration_create(
            actor=request.user,
            event=event,
            seats=form.cleaned_data["seats"],
            on_behalf_of=form.cleaned_data["on_behalf_of"],
            override_reason=form.cleaned_data["override_reason"],
        )
        messages.success(
            request,
            _("%(name)s is registered (%(status)s).")
            % {"name": reg.user.name if reg.user else "", "status": reg.get_status_display()},
        )
    return redirect(back)
