"""Links to the calendar feeds, for the event and branch pages::

{% load notifications_feeds %}{% feed_links branch=branch %}
{% load notifications_feeds %}{% feed_links event=event %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from notifications.views import feed_urls

register = template.Library()


@register.inclusion_tag("notifications/feed_links.html", takes_context=True)
def feed_links(context: dict[str, Any], branch: Any = None, event: Any = None) -> dict[str, Any]:
    request = context.get("request")
    feeds = []
    if event is not None:
        feeds.append(
            ("event", feed_urls(request, reverse("notifications:event-ics", args=[event.pk])))
        )
        branch = branch or event.branch
    if branch is not None:
        path = reverse("notifications:events-feed") + f"?branch={branch.slug}"
        feeds.append(("branch", feed_urls(request, path)))
    return {"event": event, "branch": branch, "feeds": dict(feeds)}
