"""Authentication backend: e-mail login, and model permissions that follow the role.

Model permissions only matter in the Django admin, which is for administrators: an active
administrator (role or superuser) has every permission; nobody else has any, whatever
groups or permissions the account may carry. Library staff act through the staff pages and
the API, where the services decide which objects (their branches) they may act on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def _is_administrator(user_obj: Any) -> bool:
    return bool(
        getattr(user_obj, "is_active", False) and getattr(user_obj, "is_administrator", False)
    )


class RoleBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        """E-mail and password; with ``MODESTED_STAFF_PASSWORD_LOGIN`` off, not for staff and
        administrators, who then log in through the staff single sign-on only."""
        if not super().user_can_authenticate(user):
            return False
        if settings.MODESTED_STAFF_PASSWORD_LOGIN:
            return True
        return not getattr(user, "is_library_staff", False)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return _is_administrator(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return _is_administrator(user_obj)
