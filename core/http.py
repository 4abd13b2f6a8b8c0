"""Small HTTP helpers shared by the apps' views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.request import Request

if TYPE_CHECKING:
    from core.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request a page view behind ``login_required`` receives: ``request.user`` is a
    signed-in ``User``, never ``AnonymousUser`` (the type django-stubs' README suggests).

    Only a type: annotate the view's ``request`` with it and keep the decorator, which is what
    makes it true at run time::

        @login_required
        def my_page(request: AuthenticatedHttpRequest) -> HttpResponse: ...
    """

    user: User


class AuthenticatedRequest(Request):
    """The same for an API view whose ``permission_classes`` start with ``IsAuthenticated``
    (or ``IsLibraryStaff``): DRF has refused anonymous callers before the handler runs."""

    user: User


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
