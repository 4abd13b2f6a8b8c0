from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from core import selectors, services
from core.exceptions import DomainError
from core.forms import SignupForm
from core.models import Branch, BranchKind
from core.mypage import render_sections, staff_links
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
        {"branches": branches, "tracks": selectors.track_list(), "today": today},
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


def signup(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                name=form.cleaned_data["name"],
                language=form.cleaned_data["language"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            login(request, user, backend="core.auth.RoleBackend")
            messages.success(request, _("Welcome! Your account has been created."))
            return redirect(next_url or "home")
    return render(request, "core/signup.html", {"form": form, "next": next_url})


@login_required
def my_page(request: HttpRequest) -> HttpResponse:
    return render(request, "core/my_page.html", {"sections": render_sections(request)})


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """The staff start page: their branches and the tools of each app."""
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
    return render(request, "core/staff_home.html", {"branches": branches, "links": links})


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
    return JsonResponse({"status": "ok"})
