"""The door's QR code in templates: on my page and in the confirmation e-mail."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from events import checkin_codes
from events.models import Registration

register = template.Library()


@register.simple_tag
def check_in_qr(registration: Registration) -> SafeString:
    """The registration's QR code as inline SVG, labelled for screen readers."""
    label = _("QR code for check-in at the door")
    svg = checkin_codes.qr_svg(checkin_codes.check_in_url(registration))
    picture = mark_safe(svg)  # noqa: S308 - segno's SVG of our own URL (title escaped by segno)
    return format_html('<span class="qr" role="img" aria-label="{}">{}</span>', label, picture)


@register.simple_tag
def check_in_qr_link(registration: Registration) -> str:
    """An absolute link to the registration's QR code as an SVG image."""
    return checkin_codes.qr_svg_url(registration)
