"""``Authorization: Token <key>`` against our hashed, expiring API tokens (``core.ApiToken``).

The header and the 401 answers are DRF's ``TokenAuthentication``'s (so the API's contract
and its OpenAPI description stay the same); only the lookup differs: the key is hashed,
an expired key is refused, and each use renews the token (at most hourly).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core import selectors, services
from core.models import ApiToken


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = selectors.api_token_for_key(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("Invalid or expired token. Log in again to get a new one.")
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        services.api_token_touch(token=token)
        return token.user, token
