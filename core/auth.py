"""Authentication backend: e-mail login, and model permissions that follow the role.

Staff get the admin permissions of the library's own apps; which *objects* they may
act on (their branches) is decided by the services and selectors, not here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from core.models import Role

LIBRARY_APPS = {"core", "rooms", "events", "volunteers", "notifications", "plans"}
# Staff may not hand out roles or edit accounts' permissions in the admin.
STAFF_FORBIDDEN = {"core.delete_user", "core.add_user", "auth.change_group", "core.change_auditlog"}


class RoleBackend(ModelBackend):
    def _is_staff_role(self, user_obj: Any) -> bool:
        return bool(user_obj.is_active and getattr(user_obj, "role", None) == Role.STAFF)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if self._is_staff_role(user_obj) and perm not in STAFF_FORBIDDEN:
            if perm.split(".", 1)[0] in LIBRARY_APPS:
                return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if self._is_staff_role(user_obj) and app_label in LIBRARY_APPS:
            return True
        return super().has_module_perms(user_obj, app_label)
