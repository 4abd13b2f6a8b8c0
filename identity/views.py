"""Logging in with Adgangsplatformen (citizens) and the municipality's sign-on (staff).

Thin over Authlib's Django client (``identity.clients``), which makes and checks ``state``
and PKCE (the verifier stays in the session until the code comes back) and, for OpenID
Connect, the ID token and its nonce; and over ``identity.services``. The platform's tokens
are used for the one user-info call of the login and then dropped.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from joserfc.errors import JoseError

from core import throttling
from core.authenticated import AuthenticatedHttpRequest
from core.forms import signup_sent_message
from core.pages import domain_errors, error_messages, form_errors
from core.safe_redirect import safe_next
from identity import clients, selectors, services
from identity.forms import LibraryAccountForm
from identity.selectors import LibraryIdentity

logger = logging.getLogger(__name__)

BACKEND = "identity.backends.PlatformBackend"
NEXT_KEY = "identity_next"
LINK_KEY = "identity_link"
PENDING_KEY = "identity_pending"
SENT_KEY = "identity_signup_sent"
# What goes wrong with a platform: it does not answer, answers with an error, or its answer
# does not check out (ID token, nonce).
PLATFORM_ERRORS = (requests.RequestException, OAuthError, JoseError, ValueError, KeyError)


def _down_message() -> str:
    return _(
        "The library login is not answering right now. Please try again later, or log in "
        "with your e-mail address and password."
    )


def _state_message() -> str:
    return _(
        "The login could not be confirmed: it was started in another window or took too long. "
        "Please try again."
    )


def _redirect_uri(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def _fail(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("login")


def _platform_answers(url: str) -> bool:
    """Does the platform's authorization page answer at all? Asked before sending the
    person there, so a platform that is down gets our message, not the browser's."""
    try:
        response = requests.get(
            url, timeout=settings.MODESTED_LOGIN_PLATFORM_TIMEOUT, allow_redirects=False
        )
    except requests.RequestException:
        return False
    return response.status_code < 500


def library_login_start(request: HttpRequest) -> HttpResponse:
    client = clients.library_client()
    if client is None:
        raise Http404
    request.session[NEXT_KEY] = safe_next(request, "home")
    request.session.pop(LINK_KEY, None)
    return _library_redirect(request, client)


def _library_redirect(request: HttpRequest, client: Any) -> HttpResponse:
    if not _platform_answers(settings.ADGANGSPLATFORMEN["authorize_url"]):
        return _fail(request, _down_message())
    response: HttpResponse = client.authorize_redirect(
        request, _redirect_uri("identity:library-callback")
    )
    return response


@login_required
@require_POST
def library_link_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """From "my page": log in with the library login to link it to this account."""
    client = clients.library_client()
    if client is None:
        raise Http404
    request.session[NEXT_KEY] = reverse("my-page")
    request.session[LINK_KEY] = request.user.pk
    return _library_redirect(request, client)


def _library_identity(request: HttpRequest) -> LibraryIdentity | None:
    client = clients.library_client()
    if client is None:
        raise Http404
    token = client.authorize_access_token(request)
    userinfo = client.userinfo(token=token)
    return selectors.library_identity_from(userinfo)  # the token is dropped here


def library_callback(request: HttpRequest) -> HttpResponse:
    try:
        identity = _library_identity(request)
    except MismatchingStateError:
        return _fail(request, _state_message())
    except OAuthError as error:
        logger.warning("Library login refused: %s", error)
        return _fail(request, _("The library login was cancelled or refused. Please try again."))
    except PLATFORM_ERRORS:
        logger.exception("Library login failed")
        return _fail(request, _down_message())
    if identity is None:
        return _fail(request, _("The library login did not say who you are. Please try again."))
    next_url = request.session.pop(NEXT_KEY, None) or reverse("home")
    link_for = request.session.pop(LINK_KEY, None)
    if link_for is not None and request.user.is_authenticated and request.user.pk == link_for:
        return _link(request, identity)
    user = services.library_login(identity=identity)
    if user is None:
        request.session[PENDING_KEY] = {
            "subject": identity.subject,
            "municipality": identity.municipality,
        }
        request.session[NEXT_KEY] = next_url
        return redirect("identity:library-signup")
    login(request, user, backend=BACKEND)
    return redirect(next_url)


def _link(request: HttpRequest, identity: LibraryIdentity) -> HttpResponse:
    with error_messages(request):
        services.library_link_add(actor=request.user, identity=identity)  # type: ignore[arg-type]
        messages.success(request, _("Your library login is linked to this account."))
    return redirect("my-page")


def _pending_identity(request: HttpRequest) -> LibraryIdentity | None:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    return LibraryIdentity(subject=pending["subject"], municipality=pending["municipality"])


def library_signup(request: HttpRequest) -> HttpResponse:
    """The first library login: ask only for what the platform does not tell. The address
    gets a link; the account is made when it is followed (``library_signup_confirm``)."""
    identity = _pending_identity(request)
    if identity is None:
        return redirect("login")
    form = LibraryAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        wait = throttling.signup_wait(request, email)
        if wait:
            form.add_error(None, throttling.wait_message(wait))
        else:
            throttling.record_signup(request, email)
            with form_errors(form):
                request.session[SENT_KEY] = services.library_signup_start(
                    identity=identity,
                    next_url=request.session.get(NEXT_KEY) or "",
                    **form.cleaned_data,
                )
                return redirect("identity:library-signup-sent")
    return render(request, "identity/library_signup.html", {"form": form})


def library_signup_sent(request: HttpRequest) -> HttpResponse:
    """The same page for a new address and one that has an account."""
    email = request.session.get(SENT_KEY)
    if not email or _pending_identity(request) is None:
        return redirect("login")
    return render(
        request,
        "identity/library_signup_sent.html",
        {"email": email, "message": signup_sent_message(email)},
    )


def library_signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the e-mail. Showing the page changes nothing (mail scanners open links);
    the button confirms the address and makes the account. The person is logged in only in
    the browser that did the library login: anyone else (someone the address was mistyped
    for) confirms the address and nothing more."""
    if request.method == "POST":
        with domain_errors() as attempt:
            confirmed = services.library_signup_confirm(token=token)
        if attempt.error is not None:
            context = {"error": attempt.error.message}
            return render(request, "identity/library_signup_confirm.html", context, status=400)
        waiting = _pending_identity(request)
        if waiting is None or waiting.subject != confirmed.identity.subject:
            messages.success(
                request,
                _(
                    "Your e-mail address is confirmed and your account is ready. Log in with "
                    "your library login to use it."
                ),
            )
            return redirect("login")
        for key in (PENDING_KEY, SENT_KEY, NEXT_KEY):
            request.session.pop(key, None)
        login(request, confirmed.user, backend=BACKEND)
        messages.success(request, _("Welcome! Your account has been created."))
        return redirect(_local(request, confirmed.next_url))
    pending = selectors.library_signup_for_token(token=token)
    response = render(
        request,
        "identity/library_signup_confirm.html",
        {
            "pending": pending,
            "error": ""
            if pending
            else _(
                "This link has been used or has expired. Please log in with your library "
                "login again."
            ),
        },
        status=200 if pending else 400,
    )
    add_never_cache_headers(response)  # the address holds the secret
    return response


def _local(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


@login_required
def library_unlink(request: AuthenticatedHttpRequest) -> HttpResponse:
    """From "my page": a page that asks first; its button removes the library login."""
    if not selectors.has_library_login(user=request.user):
        return redirect("my-page")
    if request.method == "POST":
        with domain_errors() as attempt:
            services.library_link_remove(actor=request.user)
        if attempt.error is None:
            messages.success(request, _("Your library login is no longer linked to this account."))
            return redirect("my-page")
        context = {"error": attempt.error.message}
        return render(request, "identity/library_unlink.html", context, status=400)
    refusal = "" if selectors.has_other_way_in(user=request.user) else services.ONLY_WAY_TO_LOG_IN
    return render(request, "identity/library_unlink.html", {"error": refusal})


def staff_login_start(request: HttpRequest) -> HttpResponse:
    client = clients.staff_client()
    if client is None:
        raise Http404
    request.session[NEXT_KEY] = safe_next(request, "staff-home")
    try:
        response: HttpResponse = client.authorize_redirect(
            request, _redirect_uri("identity:staff-callback")
        )
    except PLATFORM_ERRORS:
        logger.exception("Staff sign-on unreachable")
        return _fail(request, _("The staff sign-on is not answering right now. Please try later."))
    return response


def staff_callback(request: HttpRequest) -> HttpResponse:
    client = clients.staff_client()
    if client is None:
        raise Http404
    try:
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        groups_claim = settings.STAFF_SSO["groups_claim"]
        if groups_claim not in claims:
            claims.update(client.userinfo(token=token))
    except MismatchingStateError:
        return _fail(request, _state_message())
    except PLATFORM_ERRORS:
        logger.exception("Staff sign-on failed")
        return _fail(request, _("The staff sign-on did not succeed. Please try again."))
    groups = claims.get(groups_claim) or []
    user = services.staff_sso_login(
        subject=str(claims.get("sub") or ""),
        email=str(claims.get("email") or claims.get("preferred_username") or ""),
        name=str(claims.get("name") or ""),
        groups=[str(g) for g in groups] if isinstance(groups, list) else [str(groups)],
    )
    if user is None:
        return _fail(request, _("Your sign-on gives you no staff role in Mødested. Please ask IT."))
    login(request, user, backend=BACKEND)
    return redirect(request.session.pop(NEXT_KEY, None) or reverse("staff-home"))


# --- Parts of core's pages --------------------------------------------------------------


def login_buttons(request: HttpRequest | None, **context: Any) -> str:
    if request is None:
        return ""
    return render_to_string(
        "identity/login_buttons.html",
        {
            "library": clients.library_login_enabled(),
            "staff": clients.staff_sso_enabled(),
            "next": safe_next(request, "home") if request.GET.get("next") else "",
        },
        request=request,
    )


def signup_buttons(request: HttpRequest | None, **context: Any) -> str:
    if request is None or not clients.library_login_enabled():
        return ""
    return render_to_string(
        "identity/login_buttons.html",
        {"library": True, "staff": False, "next": request.GET.get("next", "")},
        request=request,
    )


def my_page_section(request: HttpRequest) -> str:
    user = request.user
    if not user.is_authenticated or not clients.library_login_enabled():
        return ""
    return render_to_string(
        "identity/my_page_section.html",
        {"linked": selectors.has_library_login(user=user)},
        request=request,
    )
