"""The QR code a person shows at the door: a signed, unguessable token for one registration.

The token is ``django.core.signing`` over the registration's id (salted for this use only), so
nobody can make one for another registration; the QR encodes the staff page that opens the
token (``events:check-in-code``), where only staff of the event's branch (or its host) see
the person and can check them in. Everyone else gets a 404, as for a forged token.

A code expires with the event's check-in: once check-in has closed (12 hours after the end,
``events.services.door.CHECK_IN_AFTER_END``), the page and the picture answer 404 as for a
forged token, so an old e-mail or screenshot opens nothing. A moved event keeps its codes
valid until its new end.
"""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from core.exceptions import NotFound
from core.models import User
from events.models import Registration, RegistrationStatus
from events.selectors import can_host_event
from events.services.door import CHECK_IN_AFTER_END

SALT = "events.registration.check-in"


def check_in_token(registration: Registration) -> str:
    return signing.dumps(registration.pk, salt=SALT, compress=False)


def check_in_url(registration: Registration) -> str:
    """The absolute URL the QR code encodes (staff open it with the tablet's camera)."""
    path = reverse("events:check-in-code", args=[check_in_token(registration)])
    return settings.SITE_URL + path


def qr_svg_url(registration: Registration) -> str:
    """An absolute link to the QR code as an SVG image (for the confirmation e-mail)."""
    path = reverse("events:check-in-qr", args=[check_in_token(registration)])
    return settings.SITE_URL + path


def registration_id_from_token(token: str) -> int:
    """The registration a token was made for; NotFound for a forged or mangled token."""
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise NotFound() from error
    if not isinstance(pk, int):
        raise NotFound()
    return pk


def code_expired(registration: Registration) -> bool:
    """True once the event's check-in has closed: the code opens nothing any more."""
    return timezone.now() > registration.event.end + CHECK_IN_AFTER_END


def confirmed_registration_by_token(token: str) -> Registration:
    """The confirmed registration a token was made for (the QR picture); else NotFound."""
    reg = (
        Registration.objects.select_related("event")
        .filter(pk=registration_id_from_token(token), status=RegistrationStatus.CONFIRMED)
        .first()
    )
    if reg is None or code_expired(reg):
        raise NotFound()
    return reg


def registration_get_by_token(*, actor: User | None, token: str) -> Registration:
    """The gate of the QR page: staff of the event's branch (or its host); else NotFound."""
    pk = registration_id_from_token(token)
    reg = (
        Registration.objects.select_related("event", "event__branch", "user").filter(pk=pk).first()
    )
    if reg is None or actor is None or not can_host_event(user=actor, event=reg.event):
        raise NotFound()
    if code_expired(reg):
        raise NotFound()
    return reg


def qr_svg(data: str, *, title: str = "", scale: int = 4) -> str:
    """An SVG QR code of ``data`` (no XML declaration, so it can be inlined in HTML)."""
    qr = segno.make(data, error="m", micro=False)
    return str(qr.svg_inline(scale=scale, border=2, title=title or None))


def qr_svg_document(data: str, *, scale: int = 8) -> bytes:
    """A standalone SVG file of the QR code of ``data``."""
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="svg", scale=scale, border=2)
    return buffer.getvalue()
