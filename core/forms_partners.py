"""Forms of the partner pages (parsing only; the rules live in ``core.services_partners``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import WithoutDashesMixin
from core.models import Partner, PartnerKind, User
from core.selectors import user_get_by_email


class PartnerForm(WithoutDashesMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=PartnerKind.choices)
    contact_name = forms.CharField(label=_("Contact person"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    members = forms.CharField(
        label=_("Members who may book on its behalf"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10000,
        help_text=_("One e-mail address per line; each must already have an account."),
    )

    def clean_members(self) -> list[User]:
        found: list[User] = []
        unknown: list[str] = []
        for line in self.cleaned_data.get("members", "").splitlines():
            email = line.strip()
            if not email:
                continue
            user = user_get_by_email(email=email)
            if user is None:
                unknown.append(email)
            elif user not in found:
                found.append(user)
        if unknown:
            raise forms.ValidationError(
                _("No account has the e-mail address %(emails)s."),
                params={"emails": ", ".join(unknown[:5])},
            )
        return found

    @staticmethod
    def initial_from(partner: Partner) -> dict[str, Any]:
        return {
            "name": partner.name,
            "kind": partner.kind,
            "contact_name": partner.contact_name,
            "contact_email": partner.contact_email,
            "contact_phone": partner.contact_phone,
            "website": partner.website,
            "members": "\n".join(m.email for m in partner.members.order_by("email")),
        }


class PartnerLinkForm(forms.Form):
    """Link (or unlink) an event or initiative from the partner page."""

    source = forms.SlugField(max_length=40)
    object = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    action = forms.ChoiceField(choices=[("link", "link"), ("unlink", "unlink")])
