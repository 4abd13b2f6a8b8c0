"""Types for views that only signed-in people reach (types only; the decorators and
permission classes make them true at run time)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
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
