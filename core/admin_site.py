"""The Django admin is for administrators (IT, the system owner) only.

Library staff work in the staff pages (``/personale/…``), which go through the services. To
the admin, a staff member is like any other non-administrator: the login page, no access.
``INSTALLED_APPS`` names ``core.admin_apps.AdminConfig`` instead of ``django.contrib.admin``,
so every ``@admin.register`` lands on :class:`AdministratorsAdminSite`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.forms import ThrottledLoginMixin


def is_administrator(user: Any) -> bool:
    """The one test for the admin: an active administrator (role or superuser)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_administrator", False)
    )


class AdministratorAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's login form lets only administrators in (not every ``is_staff`` account),
    behind the same failure throttle as every other way to log in."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not is_administrator(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class AdministratorsAdminSite(AdminSite):
    site_header = _("Mødested administration")
    site_title = _("Mødested administration")
    index_title = _("Administration")
    login_form = AdministratorAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)
