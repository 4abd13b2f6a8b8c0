import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import UnreadablePostError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.exceptions import ErrorCode


class UserLanguageMiddleware:
    """A signed-in person sees their preferred language unless they just chose another."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class DanishFirstMiddleware:
    """The interface is Danish first: the browser's language is not guessed from.

    English is one click away (the switch sets the language cookie) and is remembered on
    the account; a visitor who has not chosen gets Danish.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


# --- Input PostgreSQL cannot store ------------------------------------------------------------

# PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded as UTF-8; either would
# reach the database as an error (a 500) from any filter or field that is looked up or stored.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Answered as JSON; every other path is a page.
_JSON_PREFIXES = ("/api/", "/feeds/")


def has_unstorable_character(text: str) -> bool:
    """True if ``text`` holds a character the database cannot store (NUL, a lone surrogate)."""
    return bool(_UNSTORABLE.search(text))


def unstorable_message(where: str | None = None) -> str:
    """The sentence for a refused input, naming the field or parameter when it is known."""
    if where:
        return _(
            "“%(name)s” contains a character that cannot be stored (a NUL byte or a broken "
            "character). Remove it and try again."
        ) % {"name": where}
    return _(
        "The request contains a character that cannot be stored (a NUL byte or a broken "
        "character). Remove it and try again."
    )


def _first_unstorable(request: HttpRequest) -> tuple[bool, str | None]:
    """Whether anything the request carries is unstorable, and the name of where, if it is
    a parameter or a form field (a path, header or cookie is not named)."""
    if has_unstorable_character(request.path_info):
        return True, None
    sources = [request.GET]
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        sources.append(request.POST)  # Django reads the form once; views get the same data
    for data in sources:
        for key, values in data.lists():
            if has_unstorable_character(key):
                return True, None
            if any(has_unstorable_character(value) for value in values):
                return True, key
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and has_unstorable_character(value):
            return True, None  # a header (the session key and the API token are looked up)
    for key, value in request.COOKIES.items():  # a quoted cookie may unquote to a NUL
        if has_unstorable_character(key) or has_unstorable_character(value):
            return True, None
    return False, None


class RefuseUnstorableInputMiddleware:
    """A NUL byte or a lone surrogate anywhere in a request is a 400 at the door.

    One check for every door (API filters, page filters, forms, feeds, the admin) instead
    of one in each view: a view never sees such a request, so no query can fail on it.
    The API and the feeds answer JSON ``{"detail": ...}``; pages get a short page with the
    same sentence. JSON bodies are checked by ``core.api.parsers``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refused, where = _first_unstorable(request)
        except (MultiPartParserError, UnreadablePostError):
            refused, where = True, None
            message = _("The form could not be read. Please send it again.")
        else:
            message = unstorable_message(where)
        if not refused:
            return self.get_response(request)
        if request.path_info.startswith(_JSON_PREFIXES):
            body: dict[str, str] = {"detail": message, "code": ErrorCode.UNREADABLE_INPUT.value}
            if where:
                body["field"] = where
            return JsonResponse(body, status=400)
        html = render_to_string(
            "core/bad_request.html", {"message": message, "LANGUAGE_CODE": get_language()}
        )
        return HttpResponseBadRequest(html)
