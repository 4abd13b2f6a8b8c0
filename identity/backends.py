"""The session backend of people who logged in through a platform.

``core.auth.RoleBackend`` may refuse staff their password (``MODESTED_STAFF_PASSWORD_LOGIN``
off); a session made by a platform login is kept by this backend, which checks no password
and so never authenticates one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.auth import RoleBackend


class PlatformBackend(RoleBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(getattr(user, "is_active", False))
