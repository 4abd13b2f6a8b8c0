"""Throttles for the doors into an account: logging in, signing up, resetting a password.

Every door (``POST /api/auth/token/``, ``/konto/log-ind/``, ``/admin/login/`` and
``/konto/nulstil/``) asks :func:`login_wait` before it checks a password, and every failed
password check is counted by :func:`record_login_failure`, which listens to Django's
``user_login_failed`` signal (sent by ``authenticate()`` whichever door called it). Two
counters are kept: failures from one client address and failures against one e-mail
address; either over its limit refuses, at every door, until its window has passed.

The client address is :func:`client_ip`: ``REMOTE_ADDR``, or the address the trusted
proxies in front of us saw (``MODESTED_TRUSTED_PROXIES``), never a header a client could set.

Counters live in Django's cache (Redis in production) in fixed windows: the first hit opens
a window of the rate's period, ``incr`` counts atomically, and the window's start says when
to try again. The rates are settings read from the environment (see ``core/settings.py``).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """``"5/15m"`` is 5 per 15 minutes; ``"20/h"``, ``"20/hour"`` and ``"100/30s"`` work too."""
    try:
        number, period = text.strip().split("/")
        digits = "".join(ch for ch in period if ch.isdigit()) or "1"
        unit = next(ch for ch in period.strip().lower() if ch.isalpha())
        rate = Rate(limit=int(number), seconds=int(digits) * _UNITS[unit])
    except (ValueError, StopIteration, KeyError) as error:
        raise ValueError(f"A rate looks like '5/15m' or '20/h', not {text!r}.") from error
    if rate.limit < 1 or rate.seconds < 1:
        raise ValueError(f"A rate must allow at least one per period: {text!r}.")
    return rate


def client_ip(request: HttpRequest | None) -> str:
    """The address of the client, as far as we can trust it.

    With ``MODESTED_TRUSTED_PROXIES = n`` (n proxies in front of the app, each appending the
    address it saw to ``X-Forwarded-For``), the n-th address from the right is the one the
    outermost proxy saw; anything further left was written by the client. With 0 (the
    default) the header is ignored. The same rule as DRF's ``NUM_PROXIES``.
    """
    meta: dict[str, Any] = getattr(request, "META", {})
    remote = str(meta.get("REMOTE_ADDR", "") or "")
    proxies = int(getattr(settings, "MODESTED_TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        forwarded = str(meta.get("HTTP_X_FORWARDED_FOR", ""))
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))][:64]
    return remote[:64]


def _email_key(email: str) -> str:
    # Hashed: any text may be sent as an address, and cache keys must stay short and plain.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class Counter:
    """Hits per identity in fixed windows of the rate read from ``settings.<setting>``."""

    def __init__(self, scope: str, setting: str) -> None:
        self.scope = scope
        self.setting = setting

    @property
    def rate(self) -> Rate:
        return parse_rate(getattr(settings, self.setting))

    def _keys(self, ident: str) -> tuple[str, str]:
        base = f"throttle:{self.scope}:{ident}"
        return f"{base}:n", f"{base}:since"

    def wait(self, ident: str) -> int | None:
        """Seconds until the identity may try again, or None when it may now."""
        rate = self.rate
        count_key, since_key = self._keys(ident)
        found = cache.get_many([count_key, since_key])
        if int(found.get(count_key) or 0) < rate.limit:
            return None
        now = time.time()
        since = float(found.get(since_key) or now)
        left = math.ceil(since + rate.seconds - now)
        return left if left > 0 else None

    def hit(self, ident: str) -> int:
        rate = self.rate
        count_key, since_key = self._keys(ident)
        now = time.time()
        if not cache.add(since_key, now, rate.seconds):
            since = cache.get(since_key)
            if since is None or float(since) + rate.seconds > now:
                cache.add(count_key, 0, rate.seconds)
                try:
                    return cache.incr(count_key)
                except ValueError:  # the window ended between add and incr
                    pass
        # A new window (the cache may keep an ended one a little longer than its period).
        cache.set_many({since_key: now, count_key: 1}, rate.seconds)
        return 1

    def reset(self, ident: str) -> None:
        cache.delete_many(list(self._keys(ident)))


LOGIN_FAILURES_BY_ADDRESS = Counter("login-address", "MODESTED_LOGIN_FAILURE_RATE")
LOGIN_FAILURES_BY_ACCOUNT = Counter("login-account", "MODESTED_LOGIN_ACCOUNT_FAILURE_RATE")
SIGNUPS_BY_ADDRESS = Counter("signup-address", "MODESTED_SIGNUP_RATE")
SIGNUPS_BY_EMAIL = Counter("signup-email", "MODESTED_SIGNUP_RATE")
RESETS_BY_ADDRESS = Counter("reset-address", "MODESTED_PASSWORD_RESET_RATE")
RESETS_BY_EMAIL = Counter("reset-email", "MODESTED_PASSWORD_RESET_RATE")


def _longest(*waits: int | None) -> int | None:
    found = [wait for wait in waits if wait]
    return max(found) if found else None


# --- Logging in -------------------------------------------------------------------


def login_wait(request: HttpRequest | None, email: str) -> int | None:
    """Seconds until a login for ``email`` from this client may be tried, or None: now."""
    return _longest(
        LOGIN_FAILURES_BY_ADDRESS.wait(client_ip(request)),
        LOGIN_FAILURES_BY_ACCOUNT.wait(_email_key(email)),
    )


def record_login_failure(request: HttpRequest | None, email: str) -> None:
    if request is not None:
        LOGIN_FAILURES_BY_ADDRESS.hit(client_ip(request))
    if email:
        LOGIN_FAILURES_BY_ACCOUNT.hit(_email_key(email))


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Receiver of ``user_login_failed``: every failed password check counts, at every door."""
    email = str(credentials.get("username") or credentials.get("email") or "")
    record_login_failure(request, email)


# --- Signing up and resetting a password ---------------------------------------------


def signup_wait(request: HttpRequest | None, email: str) -> int | None:
    return _longest(
        SIGNUPS_BY_ADDRESS.wait(client_ip(request)), SIGNUPS_BY_EMAIL.wait(_email_key(email))
    )


def record_signup(request: HttpRequest | None, email: str) -> None:
    SIGNUPS_BY_ADDRESS.hit(client_ip(request))
    SIGNUPS_BY_EMAIL.hit(_email_key(email))


def password_reset_wait(request: HttpRequest | None, email: str) -> int | None:
    """A reset is refused while logins are (the same throttle) or resets are too many."""
    return _longest(
        login_wait(request, email),
        RESETS_BY_ADDRESS.wait(client_ip(request)),
        RESETS_BY_EMAIL.wait(_email_key(email)),
    )


def record_password_reset(request: HttpRequest | None, email: str) -> None:
    RESETS_BY_ADDRESS.hit(client_ip(request))
    RESETS_BY_EMAIL.hit(_email_key(email))


def wait_message(seconds: int) -> str:
    """The sentence a person reads when a door is closed for a while."""
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many attempts. For your safety, please wait %(minutes)d minute and try again.",
        "Too many attempts. For your safety, please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}
