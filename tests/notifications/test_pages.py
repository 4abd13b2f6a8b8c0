"""'My page' (calendar link, reminder settings, public feeds) and the feed links tag."""

from __future__ import annotations

import re

import pytest
from django.template import Context, RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from notifications.models import FeedToken, ReminderPreference
from tests.events.factories import make_event
from tests.factories import make_branch, make_user

pytestmark = pytest.mark.django_db


def test_my_page_offers_a_calendar_link_reminders_and_public_feeds(client) -> None:
    make_branch(name="Jyllinge Bibliotek", slug="jyllinge")
    person = make_user()
    client.force_login(person)
    page = client.get(reverse("my-page")).content.decode()
    assert "Min kalender" in page
    assert "Lav mit kalenderlink" in page
    assert "Påmindelser" in page and 'name="lead_minutes"' in page
    assert "webcal://testserver/feeds/events.ics?branch=jyllinge" in page

    client.post(reverse("notifications:feed-renew"))
    page = client.get(reverse("my-page")).content.decode()
    assert "Lav et nyt kalenderlink" in page
    assert "/feeds/personal/" not in page  # the secret is shown only once


def test_the_new_link_is_shown_once_with_a_copy_button(client) -> None:
    client.force_login(make_user())
    response = client.post(reverse("notifications:feed-renew"), follow=True)
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    page = response.content.decode()
    assert 'data-copy="feed-url"' in page
    assert "webcal://testserver/feeds/personal/" in page
    assert '<meta name="referrer" content="no-referrer">' in page


def test_reloading_the_new_link_page_does_not_renew_again(client) -> None:
    person = make_user()
    client.force_login(person)
    response = client.post(reverse("notifications:feed-renew"))
    assert response.status_code == 302  # POST/redirect/GET
    assert response["Location"] == reverse("notifications:feed-created")
    token_hash = FeedToken.objects.get(user=person).token_hash
    first = client.get(response["Location"]).content.decode()
    link = re.search(r"webcal://testserver/feeds/personal/([^\"<\s]+)\.ics", first)
    assert link
    reload = client.get(response["Location"], follow=True)
    page = reload.content.decode()
    assert "/feeds/personal/" not in page  # shown once only
    assert "vises kun én gang" in page
    assert FeedToken.objects.filter(user=person).count() == 1
    assert FeedToken.objects.get(user=person).token_hash == token_hash  # not renewed by the reload
    client.logout()
    assert client.get(f"/feeds/personal/{link.group(1)}.ics").status_code == 200


def test_renewing_needs_a_login_and_a_post_with_csrf() -> None:
    person = make_user()
    anonymous = Client()
    assert anonymous.post(reverse("notifications:feed-renew")).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    assert strict.post(reverse("notifications:feed-renew")).status_code == 403
    assert strict.get(reverse("notifications:feed-renew")).status_code == 405
    assert not FeedToken.objects.exists()


def test_saving_reminder_settings(client) -> None:
    person = make_user()
    client.force_login(person)
    response = client.post(
        reverse("notifications:reminders-save"), {"enabled": "on", "lead_minutes": ["60", "1440"]}
    )
    assert response.status_code == 302
    pref = ReminderPreference.objects.get(user=person)
    assert (pref.enabled, pref.lead_minutes) == (True, [1440, 60])
    page = client.get(reverse("my-page")).content.decode()
    assert "Dine valg af påmindelser er gemt." in page

    client.post(reverse("notifications:reminders-save"), {"lead_minutes": ["999"]})
    pref.refresh_from_db()
    assert pref.lead_minutes == [1440, 60]  # refused: not a choice
    assert "Vælg venligst varsler fra listen." in client.get(reverse("my-page")).content.decode()

    client.post(reverse("notifications:reminders-save"), {})
    pref.refresh_from_db()
    assert (pref.enabled, pref.lead_minutes) == (False, None)


def test_feed_links_tag_for_branch_and_event_pages() -> None:
    branch = make_branch(name="Viby Bibliotek", slug="viby")
    event = make_event(branch=branch)
    request = RequestFactory().get("/")
    template = Template("{% load notifications_feeds %}{% feed_links event=event %}")
    html = template.render(RequestContext(request, {"event": event}))
    assert f"/feeds/events/{event.pk}.ics" in html
    assert "webcal://testserver/feeds/events.ics?branch=viby" in html
    html = Template("{% load notifications_feeds %}{% feed_links branch=b %}").render(
        Context({"b": branch})
    )
    assert "/feeds/events.ics?branch=viby" in html


def test_staff_change_a_default_in_the_admin(client, administrator) -> None:
    from core.models import AuditLog
    from notifications.models import ReminderDefault

    row = ReminderDefault.objects.get(kind="shift")
    client.force_login(administrator)
    response = client.post(
        f"/admin/notifications/reminderdefault/{row.pk}/change/",
        {"kind": "shift", "enabled": "on", "lead_minutes": "[2880, 60]"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.lead_minutes == [2880, 60]
    assert AuditLog.objects.filter(action="reminders.default_set", actor=administrator).exists()


def test_the_bookmobile_is_in_the_public_feed_list_and_its_location_is_said_once(client) -> None:
    from datetime import date, time

    from core.models import BookmobileStop
    from notifications.sources import event_location

    bus = make_branch(slug="bogbussen", name="Bogbussen", kind="bookmobile", open_all_week=None)
    stop = BookmobileStop.objects.create(
        branch=bus,
        name="Trekroner Øst",
        place="Trekroner Øst, ved butikkerne",
        weekday=1,
        arrives=time(15, 10),
        departs=time(17, 10),
        valid_from=date(2020, 1, 1),
    )
    event = make_event(
        branch=bus, title="Højtlæsning i bussen", place_kind="bookmobile_stop", stop=stop
    )
    client.force_login(make_user())
    page = client.get(reverse("my-page")).content.decode()
    assert "webcal://testserver/feeds/events.ics?branch=bogbussen" in page
    assert event_location(event) == "Trekroner Øst, ved butikkerne, Bogbussen"
    feed = client.get("/feeds/events.ics?branch=bogbussen").content.decode()
    assert "Højtlæsning i bussen" in feed
    assert "Trekroner Øst\\, Trekroner Øst" not in feed.replace("\r\n ", "")
