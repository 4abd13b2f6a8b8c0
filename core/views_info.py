"""Pages for everyone about the site itself: the accessibility statement (as the Danish web
accessibility act, webtilgængelighedsloven, requires), the privacy notice and a short help
page, and the uploaded public images. Thin: the text is in the templates; the contact is the main library's."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.static import serve

from core import selectors
from core.models import BranchKind
from core.navigation import nav_link_url


def _contact() -> object:
    """Where people write: the main library (else the first branch with an e-mail)."""
    branches = selectors.branch_list().exclude(email="")
    return branches.filter(kind=BranchKind.MAIN).first() or branches.first()


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/info/accessibility.html", {"contact": _contact()})


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/info/privacy.html", {"contact": _contact()})


def help_page(request: HttpRequest) -> HttpResponse:
    """How to find an event, register, book a room and get help (links through core's
    registry, as core cannot name the other apps' pages)."""
    return render(
        request,
        "core/info/help.html",
        {
            "contact": _contact(),
            "events_url": nav_link_url("events"),
            "rooms_url": nav_link_url("rooms"),
            "makerspace_url": nav_link_url("rooms-makerspace"),
        },
    )


@require_GET
def public_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """An uploaded public file (an event's image) from ``MEDIA_ROOT``; the URL pattern allows
    only files directly in the public folders, and ``serve`` refuses paths leading out."""
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
