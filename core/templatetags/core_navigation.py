"""The main menu and the page parts that the apps above core register (``core.navigation``)::

{% load core_navigation %}
{% main_nav_links as links %}{% for link in links %}<a href="{{ link.url }}">{{ link.label }}</a>{% endfor %}
{% page_parts "branch-detail" branch=branch %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from core.navigation import ShownLink, nav_links, render_page_parts

register = template.Library()


@register.simple_tag(takes_context=True)
def main_nav_links(context: template.Context) -> list[ShownLink]:
    return nav_links(context.get("request"))


@register.simple_tag(takes_context=True)
def page_parts(context: template.Context, slot: str, **parts_context: Any) -> SafeString:
    return render_page_parts(slot, context.get("request"), **parts_context)
