from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Language


class LibraryAccountForm(forms.Form):
    """What the library login does not tell: where to send confirmations, and the language."""

    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("For confirmations and reminders of your bookings and registrations."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    name = forms.CharField(
        label=_("Name (optional)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial="da")
