"""Throttle that counts failed logins only, per client address and e-mail."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle


class LoginFailureThrottle(SimpleRateThrottle):
    scope = "login_failures"

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        # Accepts "5/15m" as well as DRF's "5/min".
        if rate is None:
            return None, None
        num, period = rate.split("/")
        units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
        digits = "".join(ch for ch in period if ch.isdigit()) or "1"
        unit = next((ch for ch in period if ch.isalpha()), "m")
        return int(num), int(digits) * units[unit]

    def get_cache_key(self, request: Any, view: Any) -> str:
        data = getattr(request, "data", None)
        email = str(data.get("email", "")).strip().lower() if isinstance(data, dict) else ""
        return self.cache_format % {
            "scope": self.scope,
            # Hashed: any text may be sent as "email", and cache keys must stay short and plain.
            "ident": f"{self.get_ident(request)}:{hashlib.sha256(email.encode()).hexdigest()}",
        }

    def allow_request(self, request: Any, view: Any) -> bool:
        # Only look: a request is refused while the failures in the window reach the limit.
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        self.history = [t for t in self.cache.get(self.key, []) if t > self.timer() - self.duration]
        self.now = self.timer()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return True

    def record_failure(self, request: Any, view: Any) -> None:
        key = self.get_cache_key(request, view)
        now = self.timer()
        history = [t for t in cache.get(key, []) if t > now - self.duration]
        history.insert(0, now)
        cache.set(key, history, self.duration)
