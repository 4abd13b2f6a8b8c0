"""Pages for the person's own data: download it, delete the account (see core/privacy.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from core import privacy
from core.authenticated import AuthenticatedHttpRequest
from core.models import User
from core.pages import form_errors


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            field = self.fields["password"]
            field.label = gettext_lazy("Your e-mail address")
            field.widget = forms.EmailInput(attrs={"autocomplete": "off"})
            field.help_text = gettext_lazy("Your account has no password: type its address.")


def my_page_section(request: HttpRequest) -> str:
    """ "Your data" on my page: download it, or delete the account."""
    if not request.user.is_authenticated:
        return ""
    return render_to_string("core/_my_page_privacy.html", {}, request=request)


def export_response(user: User) -> HttpResponse:
    """The JSON file of the person's data, as an attachment that no cache keeps (the page and
    the API give the same file)."""
    response = HttpResponse(
        privacy.personal_data_json(user=user), content_type="application/json; charset=utf-8"
    )
    filename = privacy.export_filename(user=user)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def my_data_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    return export_response(request.user)


@never_cache
@login_required
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The consequences, and the password to confirm; then the account is gone."""
    user = request.user
    last_admin = privacy.is_last_administrator(user=user)
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and not last_admin and form.is_valid():
        with form_errors(form):
            privacy.account_delete(actor=user, confirmation=form.cleaned_data["password"])
            logout(request)
            messages.success(
                request,
                _("Your account has been deleted. A receipt is on its way to your e-mail."),
            )
            return redirect("home")
    return render(
        request,
        "core/account_delete.html",
        {"form": form, "last_admin": last_admin},
        status=400 if request.method == "POST" else 200,
    )
