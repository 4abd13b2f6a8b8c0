"""Pages: the iCalendar feeds, and the "my page" section (feed link, reminder settings)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.models import Branch
from core.pages import error_messages
from notifications import feed_cache, selectors, services
from notifications.calendar import CalendarItem, feed_ical, newest
from notifications.sources import event_item
from rooms.models import Room

# A fixed Last-Modified for a feed with nothing in it.
EMPTY_FEED_MODIFIED = datetime(2026, 1, 1, tzinfo=UTC)


def _feed_response(
    request: HttpRequest,
    name: str,
    items: list[CalendarItem],
    *,
    filename: str,
    private: bool = False,
) -> HttpResponse:
    body = feed_ical(name, items)
    modified = newest(i.last_modified for i in items) or EMPTY_FEED_MODIFIED
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    _feed_headers(response, etag=etag, modified=modified, filename=filename, private=private)
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(modified.timestamp()), response=response
    )
    return conditional if conditional is not None else response  # a 304 or 412, or ours


def _feed_headers(
    response: HttpResponse, *, etag: str, modified: datetime, filename: str, private: bool = False
) -> None:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(int(modified.timestamp()))
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        response["Cache-Control"] = "private, no-cache"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
    else:
        response["Cache-Control"] = "public, max-age=300"


@require_GET
def events_feed(request: HttpRequest) -> HttpResponse:
    """GET /feeds/events.ics?branch=<slug>&track=<slug>&audience=<slug>&room=<id>"""
    filters = {k: request.GET.get(k) or None for k in ("branch", "track", "audience", "room")}
    if filters["room"] and not str(filters["room"]).isdigit():
        raise Http404
    name = _("Events")
    if filters["branch"]:
        branch = Branch.objects.filter(slug=filters["branch"]).first()
        if branch is not None:
            name = _("Events at %(branch)s") % {"branch": branch.name}
    # Answered from the events' columns: a 304 before anything is built, and only the
    # events that changed are serialised again (notifications/feed_cache.py).
    state = feed_cache.public_feed_state(str(name), **filters)
    modified = state.last_modified or EMPTY_FEED_MODIFIED
    response = HttpResponse(content_type="text/calendar; charset=utf-8")
    _feed_headers(response, etag=state.etag, modified=modified, filename="events.ics")
    conditional = get_conditional_response(
        request, etag=state.etag, last_modified=int(modified.timestamp()), response=response
    )
    if conditional is not None and conditional is not response:
        return conditional  # a 304 or 412, answered from the validators alone
    response.content = feed_cache.public_feed_body(str(name), state)
    return response


@require_GET
def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    """GET /feeds/events/<id>.ics: one published event, to add to a calendar."""
    event = selectors.public_event(pk=event_id)
    if event is None:
        raise Http404
    return _feed_response(
        request, event.title, [event_item(event)], filename=f"event-{event.pk}.ics"
    )


@require_GET
def room_feed(request: HttpRequest, room_id: int) -> HttpResponse:
    """GET /feeds/rooms/<id>.ics: when the room is busy, without names or purposes."""
    room = get_object_or_404(Room.objects.select_related("branch"), pk=room_id)
    name = _("%(room)s (%(branch)s): busy") % {"room": room.name, "branch": room.branch.name}
    items = selectors.room_busy_items(room=room)
    return _feed_response(request, name, items, filename=f"room-{room.pk}.ics")


NOT_FOUND = b"Not Found"


@require_GET
def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    """GET /feeds/personal/<token>.ics: a wrong or revoked token gets the same plain 404."""
    user = selectors.feed_owner_for_token(token=token)
    if user is None:
        return HttpResponseNotFound(NOT_FOUND, content_type="text/plain; charset=utf-8")
    items = selectors.personal_feed_items(user=user)
    return _feed_response(
        request, _("Mødested: my calendar"), items, filename="personal.ics", private=True
    )


# --- "My page" -----------------------------------------------------------------------


def _lead_label(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        if days == 7:
            return str(gettext_lazy("1 week before"))
        return (
            _("%(n)s hours before") % {"n": days * 24}
            if days == 1
            else _("%(n)s days before") % {"n": days}
        )
    if minutes % 60 == 0:
        hours = minutes // 60
        return _("1 hour before") if hours == 1 else _("%(n)s hours before") % {"n": hours}
    return _("%(n)s minutes before") % {"n": minutes}


class ReminderForm(forms.Form):
    enabled = forms.BooleanField(label=gettext_lazy("Send me reminders by e-mail"), required=False)
    lead_minutes = forms.TypedMultipleChoiceField(
        label=gettext_lazy("When"),
        choices=[],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Choose none to get the library's defaults (24 and 2 hours before)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["lead_minutes"]).choices = [
            (m, _lead_label(m)) for m in services.LEAD_CHOICES
        ]


def _public_feed_links(request: HttpRequest) -> list[dict[str, str]]:
    links = [{"label": _("All events"), **feed_urls(request, reverse("notifications:events-feed"))}]
    for branch in Branch.objects.order_by("position", "name"):
        path = reverse("notifications:events-feed") + f"?branch={branch.slug}"
        links.append({"label": branch.name, **feed_urls(request, path)})
    return links


def feed_urls(request: HttpRequest | None, path: str) -> dict[str, str]:
    """The https and webcal:// address of a feed path, and Google Calendar's "add" link."""
    base = request.build_absolute_uri("/")[:-1] if request is not None else settings.SITE_URL
    url = base + path
    webcal = "webcal://" + url.split("://", 1)[-1]
    return {
        "url": url,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
    }


def my_page_section(request: HttpRequest) -> str:
    user = request.user
    if not user.is_authenticated:
        return ""
    pref = selectors.reminder_preference_for(user=user)
    initial = {
        "enabled": pref.enabled if pref else True,
        "lead_minutes": (pref.lead_minutes or []) if pref else [],
    }
    context = {
        "token": selectors.feed_token_for(user=user),
        "form": ReminderForm(initial=initial),
        "public_feeds": _public_feed_links(request),
    }
    return render_to_string("notifications/my_page_section.html", context, request=request)


def branch_feed_part(request: HttpRequest | None, *, branch: Any) -> str:
    """The branch page's "in your calendar" links (a part of core's page, core.navigation)."""
    return render_to_string("notifications/_branch_feed.html", {"branch": branch}, request=request)


def calendar_feed_part(request: HttpRequest | None, *, filters: dict[str, str]) -> str:
    """The event calendar's subscribe link, for the filter shown (a part of events' page)."""
    query = urlencode(sorted(filters.items()))
    return render_to_string(
        "notifications/_calendar_feed.html",
        {"query": query, "filtered": bool(filters)},
        request=request,
    )


def event_feed_part(request: HttpRequest | None, *, event: Any) -> str:
    """The event page's "in your calendar" links (a part of events' page, core.navigation)."""
    return render_to_string("notifications/_event_feed.html", {"event": event}, request=request)


NEW_FEED_TOKEN_KEY = "notifications_new_feed_token"  # noqa: S105 (a session key, not a secret)


@login_required
@require_POST
def feed_renew(request: HttpRequest) -> HttpResponse:
    """Make a new personal feed address, then redirect so a reload cannot renew it again."""
    token = services.feed_token_renew(actor=request.user)
    request.session[NEW_FEED_TOKEN_KEY] = token
    return redirect("notifications:feed-created")


@login_required
def feed_created(request: HttpRequest) -> HttpResponse:
    """Show the new personal feed address once (only its hash is kept in the database)."""
    token = request.session.pop(NEW_FEED_TOKEN_KEY, None)
    if not token:
        messages.info(
            request,
            _(
                "Your calendar link is shown only once, right after you make it. "
                "If you did not save it, make a new link."
            ),
        )
        return redirect(reverse("my-page") + "#calendar")
    path = reverse("notifications:personal-feed", args=[token])
    response = render(
        request, "notifications/feed_created.html", {"feed": feed_urls(request, path)}
    )
    add_never_cache_headers(response)  # the page holds the secret: never kept in a cache
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    services.feed_token_revoke(actor=request.user)
    messages.success(request, _("Your calendar link is switched off."))
    return redirect(reverse("my-page") + "#calendar")


@login_required
@require_POST
def reminders_save(request: HttpRequest) -> HttpResponse:
    form = ReminderForm(request.POST)
    if form.is_valid():
        with error_messages(request):
            services.reminder_preference_set(
                actor=request.user,
                enabled=form.cleaned_data["enabled"],
                lead_minutes=form.cleaned_data["lead_minutes"] or None,
            )
            messages.success(request, _("Your reminder settings are saved."))
    else:
        messages.error(request, _("Please choose lead times from the list."))
    return redirect(reverse("my-page") + "#reminders")
