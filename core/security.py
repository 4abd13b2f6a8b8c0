"""Security headers on every response: a Content-Security-Policy on HTML, and
``Cache-Control: no-store`` on whatever is answered to a signed-in person.

The policy is ``settings.MODESTED_CSP`` (environment ``MODESTED_CSP``; empty or ``off``
sends none). It allows no inline script: every script is a static file under an app's
``static/`` (``tests/core/test_security_headers.py`` scans the templates so a new inline
script or ``on...=`` handler fails the tests). Data a script needs travels in ``data-``
attributes or ``json_script``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

CSP_HEADER = "Content-Security-Policy"
CSP_REPORT_ONLY_HEADER = "Content-Security-Policy-Report-Only"


def content_security_policy() -> str:
    """The configured policy, or "" when it is switched off."""
    policy = str(getattr(settings, "MODESTED_CSP", "") or "").strip()
    return "" if policy.lower() in {"", "off", "0", "none"} else policy


def allow_inline_styles(policy: str) -> str:
    """The policy with ``'unsafe-inline'`` added to ``style-src`` (scripts are unchanged)."""
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    for index, directive in enumerate(directives):
        name, _, sources = directive.partition(" ")
        if name.lower() == "style-src":
            if "'unsafe-inline'" not in sources.split():
                directives[index] = f"{directive} 'unsafe-inline'"
            break
    else:
        directives.append("style-src 'self' 'unsafe-inline'")
    return "; ".join(directives)


def _is_browsable_api(response: HttpResponse) -> bool:
    # DRF's own browsable API pages carry style="..." attributes and a <style> block
    # (syntax colours) in templates that are not ours to move; they get inline styles,
    # never inline scripts. Our pages and /api/docs/ keep style-src 'self'.
    renderer = getattr(response, "accepted_renderer", None)
    return getattr(renderer, "format", None) == "api"


def _is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().lower() == "text/html"


def _signed_in(request: HttpRequest) -> bool:
    """Was this answered to a person: a session, or an API token?

    DRF authenticates a token inside the view and then sets ``request.user`` on the Django
    request, so this is asked after the response is made. Any ``Authorization`` header
    counts, whatever it proved: its answer is meant for that caller only.
    """
    if request.META.get("HTTP_AUTHORIZATION"):
        return True
    user = getattr(request, "user", None)  # absent when a middleware answered early
    return bool(user is not None and user.is_authenticated)


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy to HTML answers and ``no-store`` to personal ones."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        self.add_csp(response)
        self.add_no_store(request, response)
        return response

    @staticmethod
    def add_csp(response: HttpResponse) -> None:
        policy = content_security_policy()
        if not policy or not _is_html(response):
            return
        header = (
            CSP_REPORT_ONLY_HEADER
            if getattr(settings, "MODESTED_CSP_REPORT_ONLY", False)
            else CSP_HEADER
        )
        if header in response:  # a view that sets its own policy keeps it
            return
        if settings.DEBUG and response.status_code >= 400:
            # Django's debug error pages are built with inline styles and scripts.
            return
        if _is_browsable_api(response):
            policy = allow_inline_styles(policy)
        response[header] = policy

    @staticmethod
    def add_no_store(request: HttpRequest, response: HttpResponse) -> None:
        if not _signed_in(request):
            return
        vary = []
        if request.META.get("HTTP_AUTHORIZATION"):
            vary.append("Authorization")
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            vary.append("Cookie")
        if vary:
            patch_vary_headers(response, vary)
        # A view that decided its own caching keeps it: the personal calendar feed is
        # "private, no-cache" with an ETag, so calendar apps can ask "changed?" cheaply.
        if response.has_header("Cache-Control"):
            return
        patch_cache_control(response, private=True, no_store=True)
