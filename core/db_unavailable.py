"""A database that drops the connection (a restart, a failover) is a "try again", never a 500.

``DatabaseUnavailableMiddleware`` sees the exception of a view. If it is a lost connection
(``OperationalError`` / ``InterfaceError``) the connection is closed so the next query opens
a fresh one, and then:

* a safe request (GET, HEAD, OPTIONS: it writes nothing) is run once more, after a short
  pause; if that fails too, the answer is 503;
* any other request is answered 503 at once: its transaction (each service's is durable) was
  rolled back, so nothing was saved and sending it again is safe.

The 503 carries ``Retry-After`` and says so: JSON ``{"detail", "code": "service_unavailable"}``
under /api/ and /feeds/, a short page elsewhere. ``server_error`` (``handler500``) does the same
for a connection lost outside a view (e.g. in a middleware), when DEBUG is off.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from core.exceptions import ErrorCode

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
RETRY_PAUSE_SECONDS = 0.5
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_JSON_PREFIXES = ("/api/", "/feeds/")


def is_connection_lost(error: BaseException) -> bool:
    return isinstance(error, OperationalError | InterfaceError)


def _reset_connections() -> None:
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue  # a test's outer transaction; a request's own has ended by now
        try:
            conn.close()
        except Exception:  # noqa: S110 - the connection is gone already
            pass


def unavailable_response(request: HttpRequest) -> HttpResponse:
    message = _("The database did not answer just now, so nothing was saved. Please try again.")
    response: HttpResponse
    if request.path_info.startswith(_JSON_PREFIXES):
        response = JsonResponse(
            {"detail": message, "code": ErrorCode.SERVICE_UNAVAILABLE.value}, status=503
        )
    else:
        html = loader.render_to_string("503.html", {"message": message})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_connection_lost(exception):
            return None
        logger.warning(
            "Lost the database connection in %s %s: %s", request.method, request.path, exception
        )
        _reset_connections()
        match = request.resolver_match
        if (
            request.method in SAFE_METHODS
            and match is not None
            and not getattr(request, "_database_retried", False)
        ):
            request._database_retried = True  # type: ignore[attr-defined]
            time.sleep(RETRY_PAUSE_SECONDS)
            try:
                response: HttpResponse = match.func(request, *match.args, **match.kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                return response
            except Exception as again:
                if not is_connection_lost(again):
                    raise
                _reset_connections()
        return unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a lost database connection is a 503 "try again", anything else the
    usual 500 page."""
    error = sys.exc_info()[1]
    if error is not None and is_connection_lost(error):
        _reset_connections()
        return unavailable_response(request)
    return HttpResponseServerError(loader.render_to_string("500.html"))
