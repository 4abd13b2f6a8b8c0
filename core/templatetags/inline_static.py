"""``{% inline_static "app/file.css" %}``: a static file's text, for documents that must stand
alone (the plan report's PDF and its HTML file), never for pages served to a browser, which
link their styles so the Content-Security-Policy needs no inline style."""

from __future__ import annotations

from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _read(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise template.TemplateSyntaxError(f"inline_static: no static file {path!r}")
    text = Path(found).read_text(encoding="utf-8")
    if "</" in text:
        raise template.TemplateSyntaxError(f"inline_static: {path!r} must not contain '</'")
    return text


@register.simple_tag
def inline_static(path: str) -> SafeString:
    return mark_safe(_read(path))  # noqa: S308 (our own static file, checked for '</')
