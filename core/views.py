from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from core import selectors, services, throttling
from core.authenticated import AuthenticatedHttpRequest
from core.forms import PasswordResetForm, SignupForm, signup_sent_message
from core.health import web_status
from core.models import Branch, BranchKind
from core.mypage import render_sections, staff_counts, staff_links
from core.navigation import nav_link_url
from core.pages import domain_errors, form_errors, not_found_as_404
from core.timeutils import local_today


def home(request: HttpRequest) -> HttpResponse:
    today = local_today()
    branches = list(selectors.branch_list_with_hours(today=today))
    for branch in branches:
        branch.today_hours = selectors.hours_today(branch=branch, today=today)
        branch.closed_reason = selectors.closure_reason(branch=branch, day=today)
    return render(
        request,
        "core/home.html",
        {
            "branches": branches,
            "tracks": selectors.track_list(),
            "today": today,
            # Each track card leads to that track's events (the events app's calendar).
            "events_url": nav_link_url("events"),
        },
    )


def branch_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        branch = selectors.branch_get(slug=slug)
    except Branch.DoesNotExist as error:
        raise Http404 from error
    today = local_today()
    return render(
        request,
        "core/branch_detail.html",
        {
            "branch": branch,
            "is_bookmobile": branch.kind == BranchKind.BOOKMOBILE,
            "closures_for_all": selectors.closures_for_all(today=today),
            "closed_today": selectors.closure_reason(branch=branch, day=today),
            "week_hours": selectors.hours_week(branch=branch, on=today),
            "today": today,
        },
    )


def _safe_next(request: HttpRequest) -> str:
    """The page to return to after signing up, if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


SIGNUP_EMAIL_KEY = "core_signup_email"


def signup(request: HttpRequest) -> HttpResponse:
    """Sign up; the answer is the same whether or not the address has an account."""
    next_url = _safe_next(request)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        wait = throttling.signup_wait(request, email)
        if wait:
            form.add_error(None, throttling.wait_message(wait))
        else:
            throttling.record_signup(request, email)
            with form_errors(form):
                sent_to = services.user_register(
                    email=email,
                    password=form.cleaned_data["password"],
                    name=form.cleaned_data["name"],
                    language=form.cleaned_data["language"],
                    next_url=next_url,
                )
                request.session[SIGNUP_EMAIL_KEY] = sent_to
                return redirect("signup-sent")
    return render(request, "core/signup.html", {"form": form, "next": next_url})


def signup_sent(request: HttpRequest) -> HttpResponse:
    email = request.session.get(SIGNUP_EMAIL_KEY)
    if not email:
        return redirect("signup")
    return render(
        request, "core/signup_sent.html", {"email": email, "message": signup_sent_message(email)}
    )


def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the sign-up e-mail. Showing the page changes nothing (mail scanners open
    links); the button makes the account and logs the person in."""
    if request.method == "POST":
        with domain_errors() as attempt:
            confirmed = services.signup_confirm(token=token)
        if attempt.error is not None:
            context = {"error": attempt.error.message}
            return render(request, "core/signup_confirm.html", context, status=400)
        request.session.pop(SIGNUP_EMAIL_KEY, None)
        login(request, confirmed.user, backend="core.auth.RoleBackend")
        messages.success(request, _("Welcome! Your account has been created."))
        next_url = confirmed.next_url
        if not next_url or not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("home")
        return redirect(next_url)
    pending = selectors.signup_request_for_token(token=token)
    response = render(
        request,
        "core/signup_confirm.html",
        {
            "pending": pending,
            "error": ""
            if pending
            else _("This link has been used or has expired. Please sign up again."),
        },
        status=200 if pending else 400,
    )
    add_never_cache_headers(response)  # the address holds the secret
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page behind the login throttle and the reset rate."""

    form_class = PasswordResetForm
    template_name = "core/password_reset.html"
    email_template_name = "core/email/password_reset.txt"
    subject_template_name = "core/email/password_reset_subject.txt"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}


# --- "My page": the person's API tokens --------------------------------------------------


def api_tokens_section(request: HttpRequest) -> str:
    """The apps that hold a key to the person's account, each with a button to end it."""
    user = request.user
    if not user.is_authenticated:
        return ""
    tokens = list(selectors.api_tokens_active_for(user=user))
    if not tokens:
        return ""
    return render_to_string("core/my_page_api_tokens.html", {"tokens": tokens}, request=request)


@login_required
@require_POST
def api_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    with not_found_as_404():
        token = selectors.api_token_get_for(actor=request.user, pk=pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(
        request,
        _("The key %(name)s (%(prefix)s…) no longer works.")
        % {
            "name": token.name,
            "prefix": token.prefix,
        },
    )
    return redirect(reverse("my-page") + "#api-tokens")


@login_required
def my_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "core/my_page.html", {"sections": render_sections(request)})


@login_required
def staff_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The staff start page: the work waiting at their branches (each count links to the
    list behind it), their branches today and the tools of each app."""
    if not request.user.is_library_staff:
        raise Http404
    today = local_today()
    branches = list(
        selectors.branch_list_with_hours(today=today).filter(
            pk__in=selectors.branches_managed_by(user=request.user)
        )
    )
    for branch in branches:
        branch.today_hours = selectors.hours_today(branch=branch, today=today)
        branch.closed_reason = selectors.closure_reason(branch=branch, day=today)
    links = []
    for link in staff_links():
        try:
            links.append((link.label, reverse(link.url_name)))
        except NoReverseMatch:
            continue
    return render(
        request,
        "core/staff_home.html",
        {"counts": staff_counts(request.user), "branches": branches, "links": links},
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on the account."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {"da", "en"}:
        services.user_set_language(user=request.user, language=language)
    next_url = request.POST.get("next", "/")
    if isinstance(response, HttpResponseRedirect) and not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        response["Location"] = "/"
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness of a web process: 200 while the database answers (Redis may be down: the
    site degrades, see docs/operations.md), 503 when it does not."""
    ok, status = web_status()
    response = JsonResponse(status, status=200 if ok else 503)
    add_never_cache_headers(response)
    return response
