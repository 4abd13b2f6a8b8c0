"""Which outside login belongs to which account.

Only the platform's stable identifier for the person is kept (Adgangsplatformen's pseudonymous
``uniqueId``, the staff provider's ``sub``): never a CPR number, a PIN or the platform's
tokens, which live only for the length of one login.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    LIBRARY = "adgangsplatformen", _("Library login (Adgangsplatformen)")
    STAFF_SSO = "staff_sso", _("Staff single sign-on")


class PlatformLink(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="platform_links",
        verbose_name=_("person"),
    )
    platform = models.CharField(_("platform"), max_length=24, choices=Platform.choices)
    subject = models.CharField(
        _("identifier at the platform"),
        max_length=255,
        help_text=_("Adgangsplatformen's uniqueId or the provider's subject; no CPR number."),
    )
    created_at = models.DateTimeField(_("linked"), default=timezone.now)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("platform login")
        verbose_name_plural = _("platform logins")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "subject"], name="platformlink_one_account_per_subject"
            ),
            models.UniqueConstraint(
                fields=["user", "platform"], name="platformlink_one_subject_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.user}"


class LibrarySignup(models.Model):
    """A first library login waiting for its e-mail address to be confirmed.

    No account exists until the link in the e-mail is followed, so nobody can claim someone
    else's address by typing it: the account (with the address and the link to the library
    login) is made only through the link sent to that address. Unconfirmed requests are
    deleted after the link's lifetime (``PASSWORD_RESET_TIMEOUT``, three days).
    """

    email = models.EmailField(_("e-mail"), db_index=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(_("preferred language"), max_length=2, default="da")
    subject = models.CharField(_("identifier at the platform"), max_length=255, db_index=True)
    municipality = models.CharField(_("home municipality (number)"), max_length=4, blank=True)
    next_url = models.CharField(_("page to return to"), max_length=500, blank=True)
    token_hash = models.CharField(_("link hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("library login waiting for its e-mail address")
        verbose_name_plural = _("library logins waiting for their e-mail address")

    def __str__(self) -> str:
        return self.email
