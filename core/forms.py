from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import throttling
from core.contracts import AccountMail
from core.models import Language
from core.signals import send_account_mail


def signup_sent_message(email: str) -> str:
    """What a sign-up answers, for a new address and a taken one alike."""
    return gettext("We have sent an e-mail to %(email)s: follow the link in it to finish.") % {
        "email": email
    }


DASHES = "---------"


def without_dashes(form: forms.BaseForm) -> None:
    """Give every select's empty choice words instead of Django's "---------": "Choose…"
    where a choice is needed, "None" where it may stay empty (unless the form said better)."""
    for field in form.fields.values():
        if not isinstance(field, forms.ChoiceField):
            continue
        words = _("Choose…") if field.required else _("None")
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DASHES:
                field.empty_label = words
            continue
        choices = list(cast("Iterable[tuple[Any, Any]]", field.choices))
        if any(value == "" and label == DASHES for value, label in choices):
            field.choices = [
                (value, words if value == "" and label == DASHES else label)
                for value, label in choices
            ]


class WithoutDashesMixin:
    """A form whose selects never offer "---------" (see ``without_dashes``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        without_dashes(self)  # type: ignore[arg-type]


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Checkboxes of objects; a tampered id too large for the database is an error beside the
    field, not a 500 (``pk__in=[2**63]`` overflows the database's integer)."""

    def _check_values(self, value: Any) -> Any:
        for pk in value or []:
            try:
                number = int(str(pk))
            except (TypeError, ValueError):
                continue  # Django itself answers "not a valid value"
            if not -(2**63) <= number < 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]


class SignupForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not only digits, and not a common password."),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial="da")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


if TYPE_CHECKING:
    _LoginFormBase = AuthenticationForm  # what the mixin is mixed into
else:
    _LoginFormBase = object


class ThrottledLoginMixin(_LoginFormBase):
    """Refuse before checking the password while the address or the account has had too
    many failed logins (at any door: API, page, admin). Failures are counted by
    ``core.throttling`` through Django's ``user_login_failed`` signal."""

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        if email and self.cleaned_data.get("password"):
            wait = throttling.login_wait(self.request, str(email))
            if wait:
                raise forms.ValidationError(throttling.wait_message(wait), code="throttled")
        return super().clean()


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form behind the login throttle and its own rate (per client address
    and per e-mail address); the view passes the request."""

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        email = data.get("email")
        if email and self.request is not None:
            wait = throttling.password_reset_wait(self.request, email)
            if wait:
                raise forms.ValidationError(throttling.wait_message(wait), code="throttled")
            throttling.record_password_reset(self.request, email)
        return data

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Through the outbox, not directly: a reset asked for while the mail server is down
        arrives once it is back (``core.signals.send_account_mail``)."""
        subject = " ".join(render_to_string(subject_template_name, context).split())
        body = render_to_string(email_template_name, context)
        send_account_mail(
            kind=AccountMail.PASSWORD_RESET,
            to=to_email,
            subject=subject,
            body=body,
            user=context.get("user"),
        )
