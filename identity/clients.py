"""The OAuth 2 / OpenID Connect clients, built with Authlib from the settings.

Each is ``None`` when its settings are missing (the embedded default runs with e-mail login
alone). A client is made once per configuration (the staff provider's discovery document is
then fetched once), so tests that point the settings at another server get a fresh one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings

LIBRARY = "adgangsplatformen"
STAFF = "staff_sso"


def library_login_enabled() -> bool:
    conf = settings.ADGANGSPLATFORMEN
    return all(conf.get(key) for key in ("client_id", "authorize_url", "token_url", "userinfo_url"))


def staff_sso_enabled() -> bool:
    conf = settings.STAFF_SSO
    return bool(conf.get("metadata_url") and conf.get("client_id"))


@lru_cache(maxsize=8)
def _library_client(frozen: tuple[tuple[str, Any], ...], timeout: float) -> DjangoOAuth2App:
    conf = dict(frozen)
    oauth = OAuth()
    client: DjangoOAuth2App = oauth.register(
        name=LIBRARY,
        client_id=conf["client_id"],
        client_secret=conf["client_secret"],
        authorize_url=conf["authorize_url"],
        access_token_url=conf["token_url"],
        userinfo_endpoint=conf["userinfo_url"],
        client_kwargs={
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": conf["token_auth_method"],
            "default_timeout": timeout,
        },
    )
    return client


@lru_cache(maxsize=8)
def _staff_client(frozen: tuple[tuple[str, Any], ...], timeout: float) -> DjangoOAuth2App:
    conf = dict(frozen)
    oauth = OAuth()
    client: DjangoOAuth2App = oauth.register(
        name=STAFF,
        client_id=conf["client_id"],
        client_secret=conf["client_secret"],
        server_metadata_url=conf["metadata_url"],
        client_kwargs={
            "scope": conf["scope"],
            "code_challenge_method": "S256",
            "default_timeout": timeout,
        },
    )
    return client


def library_client() -> DjangoOAuth2App | None:
    if not library_login_enabled():
        return None
    frozen = tuple(sorted(settings.ADGANGSPLATFORMEN.items()))
    return _library_client(frozen, settings.MODESTED_LOGIN_PLATFORM_TIMEOUT)


def staff_client() -> DjangoOAuth2App | None:
    if not staff_sso_enabled():
        return None
    frozen = tuple(sorted(settings.STAFF_SSO.items()))
    return _staff_client(frozen, settings.MODESTED_LOGIN_PLATFORM_TIMEOUT)
