"""Where a form may send a person next: only somewhere on this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go after a form: the ``next`` field (POST, then the query) if it points into
    this site, else ``default`` (a URL or a URL name).

    ``//evil.example``, ``/\\evil.example``, ``https://evil.example/`` and ``javascript:`` are
    refused by Django's ``url_has_allowed_host_and_scheme``; over HTTPS an ``http://`` address
    on our own host is refused too.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)
