"""Turning one delivery into one e-mail, from the current state, in the recipient's language.

The words are in ``templates/notifications/email/<kind>.txt`` (one short file per kind, which
staff can read); ``_layout.txt`` and ``_layout.html`` add the greeting, the details of the
event, booking or shift and the footer. Anything in the calendar carries an ``.ics``:
METHOD:REQUEST while it stands, METHOD:CANCEL (same UID, higher SEQUENCE) once it doesn't.

``build_email`` returns None when the message is no longer true (a reminder for a
registration cancelled meanwhile, a moved event's reminder for the old time...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.mime.text import MIMEText
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext_lazy

from core.timeutils import local_tz
from notifications.calendar import UID_DOMAIN, CalendarItem, invitation_ical
from notifications.models import Delivery
from notifications.selectors import reminder_version
from notifications.sources import (
    booking_item,
    equipment_booking_item,
    event_is_cancelled,
    registration_item,
    signup_item,
    site_url,
)

SUBJECTS = {
    "registration.confirmed": gettext_lazy("You are registered: %(title)s"),
    "registration.waitlisted": gettext_lazy("You are on the waiting list: %(title)s"),
    "registration.promoted": gettext_lazy("You got a place: %(title)s"),
    "registration.cancelled": gettext_lazy("Registration cancelled: %(title)s"),
    "event.changed": gettext_lazy("Changed time or place: %(title)s"),
    "event.cancelled": gettext_lazy("Cancelled: %(title)s"),
    "booking.requested": gettext_lazy("We have received your booking request: %(title)s"),
    "booking.confirmed": gettext_lazy("Booking confirmed: %(title)s"),
    "booking.rejected": gettext_lazy("Booking not approved: %(title)s"),
    "booking.cancelled": gettext_lazy("Booking cancelled: %(title)s"),
    "equipment_booking.confirmed": gettext_lazy("Makerspace slot booked: %(title)s"),
    "equipment_booking.cancelled": gettext_lazy("Makerspace slot cancelled: %(title)s"),
    "shift.changed": gettext_lazy("Your shift has changed: %(title)s"),
    "shift.cancelled": gettext_lazy("Your shift is cancelled: %(title)s"),
    "proposal.approved": gettext_lazy("Your session is approved: %(title)s"),
    "proposal.rejected": gettext_lazy("Your session proposal was not approved: %(title)s"),
    "proposal.changes_requested": gettext_lazy("Changes requested to your proposal: %(title)s"),
    "certificate.expiring": gettext_lazy("Your child certificate (børneattest) expires soon"),
    "certificate.expiring_coordinator": gettext_lazy(
        "A volunteer's child certificate expires soon: %(title)s"
    ),
    "reminder.registration": gettext_lazy("Reminder: %(title)s %(when_short)s"),
    "reminder.booking": gettext_lazy("Reminder: your booking %(when_short)s"),
    "reminder.equipment_booking": gettext_lazy("Reminder: %(title)s %(when_short)s"),
    "reminder.shift": gettext_lazy("Reminder: your shift %(when_short)s"),
}

KINDS = sorted(SUBJECTS)


@dataclass
class Prepared:
    subject: str
    text: str
    html: str
    ics: bytes | None
    method: str


def format_when(start: datetime, end: datetime | None = None) -> str:
    """ "tirsdag den 5. marts 2024 kl. 10.00–12.00" / "Tuesday 5 March 2024, 10:00–12:00"."""
    start = timezone.localtime(start, local_tz())
    danish = (translation.get_language() or "da").startswith("da")
    if danish:
        text = dateformat.format(start, r"l \d\e\n j. F Y \k\l. H.i")
    else:
        text = dateformat.format(start, "l j F Y, H:i")
    if end is not None:
        end = timezone.localtime(end, local_tz())
        same_day = end.date() == start.date()
        if same_day:
            text += "–" + dateformat.format(end, "H.i" if danish else "H:i")
        else:
            text += " – " + format_when(end)
    return text


def format_short(start: datetime) -> str:
    start = timezone.localtime(start, local_tz())
    danish = (translation.get_language() or "da").startswith("da")
    return dateformat.format(start, r"j/n \k\l. H.i" if danish else "j/n H:i")


def _load(delivery: Delivery) -> Any:
    model = apps.get_model(delivery.object_type)
    return model._default_manager.filter(pk=delivery.object_id).first()


def _reminder_still_true(delivery: Delivery, start: datetime) -> bool:
    """The reminder was due for this start time, which has not been moved or passed."""
    lead = delivery.version.split("@", 1)[0]
    return reminder_version(int(lead), start) == delivery.version and start > timezone.now()


def _context(delivery: Delivery, obj: Any) -> dict[str, Any] | None:
    """What the templates need, or None if the message is not true any more."""
    kind = delivery.kind
    data = delivery.data or {}
    family = kind.split(".", 1)[0]
    ctx: dict[str, Any] = {"data": data, "reason": data.get("reason", "")}
    item: CalendarItem | None = None

    if family == "registration" or kind in {"event.changed", "event.cancelled"}:
        reg = obj
        event = reg.event
        item = registration_item(reg)
        ctx.update(event=event, registration=reg, title=event.title)
        if kind == "registration.cancelled" and event_is_cancelled(event):
            return None  # the event.cancelled message says it
        if kind == "registration.cancelled":
            ctx["reason"] = ctx["reason"] or reg.cancel_reason
            ctx["by_staff"] = bool(data.get("by_staff"))
        if kind == "registration.waitlisted":
            ctx["position"] = reg.waitlist_position
            item = None  # not in the calendar until a place is free
        if kind == "event.changed" and (reg.status == "cancelled" or event_is_cancelled(event)):
            return None
        if kind == "event.changed" and reg.status == "waitlisted":
            item = None
        if kind == "event.cancelled":
            ctx["reason"] = ctx["reason"] or getattr(event, "cancel_reason", "")
        ctx["link"] = site_url("events:event-detail", event.pk)
    elif family == "reminder" and kind == "reminder.registration":
        reg = obj
        if reg.status != "confirmed" or reg.event.state != "published":
            return None
        if event_is_cancelled(reg.event) or not _reminder_still_true(delivery, reg.event.start):
            return None
        item = registration_item(reg)
        ctx.update(event=reg.event, registration=reg, title=reg.event.title)
        ctx["link"] = site_url("events:event-detail", reg.event.pk)
    elif family == "booking" or kind == "reminder.booking":
        booking = obj
        if kind == "reminder.booking" and (
            booking.status != "confirmed" or not _reminder_still_true(delivery, booking.start)
        ):
            return None
        if getattr(booking, "kind", "booking") in {"event", "shift"}:
            return None  # the library's own use of the room
        item = booking_item(booking)
        ctx.update(booking=booking, room=booking.room, title=booking.room.name)
        for name in ("rejection_reason", "cancel_reason"):
            ctx["reason"] = ctx["reason"] or getattr(booking, name, "") or ""
    elif family == "equipment_booking" or kind == "reminder.equipment_booking":
        slot = obj
        if kind == "reminder.equipment_booking" and (
            slot.status != "confirmed" or not _reminder_still_true(delivery, slot.start)
        ):
            return None
        item = equipment_booking_item(slot)
        ctx.update(slot=slot, equipment=slot.equipment, title=slot.equipment.name)
        ctx["reason"] = ctx["reason"] or getattr(slot, "cancel_reason", "") or ""
    elif family == "shift" or kind == "reminder.shift":
        signup = obj
        shift = signup.shift
        if kind == "reminder.shift" and (
            signup.status != "signed_up"
            or shift.cancelled_at is not None
            or not _reminder_still_true(delivery, shift.start)
        ):
            return None
        if kind == "shift.changed" and (signup.status != "signed_up" or shift.cancelled_at):
            return None
        item = signup_item(signup)
        ctx.update(signup=signup, shift=shift, activity=shift.activity, title=shift.activity.name)
        ctx["link"] = site_url("volunteers:dashboard")
    elif family == "proposal":
        ctx.update(proposal=obj, title=obj.title)
        ctx["reason"] = ctx["reason"] or obj.decision_note
        ctx["link"] = site_url("volunteers:dashboard")
        if obj.event_id:
            ctx["link"] = site_url("events:event-detail", obj.event_id) or ctx["link"]
    elif family == "certificate":
        profile = obj
        ctx.update(profile=profile, volunteer=profile.user, title=profile.user.name)
        ctx["valid_until"] = getattr(profile, "certificate_valid_until", None)
        ctx["link"] = site_url("volunteers:dashboard")
    else:
        return None

    ctx["item"] = item
    if item is not None:
        ctx["when"] = format_when(item.start, item.end)
        ctx["when_short"] = format_short(item.start)
        ctx["where"] = item.location
        ctx["cancelled"] = item.is_cancelled
    else:
        ctx.setdefault("when_short", "")
    return ctx


def prepare(delivery: Delivery) -> Prepared | None:
    """Subject, bodies and invitation of one delivery, or None if it should not be sent."""
    user = delivery.recipient
    if user is None or not user.is_active or not user.email:
        return None
    obj = _load(delivery)
    if obj is None:
        return None
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(local_tz()):
        ctx = _context(delivery, obj)
        if ctx is None:
            return None
        ctx.update(recipient=user, kind=delivery.kind, site_url=settings.SITE_URL)
        ctx.setdefault("link", "")
        subject = str(SUBJECTS[delivery.kind]) % {
            "title": ctx.get("title", ""),
            "when_short": ctx.get("when_short", ""),
        }
        # The Django engine's own template, to render a plain-text body without escaping.
        template = cast(DjangoTemplate, get_template(f"notifications/email/{delivery.kind}.txt"))
        body = template.template.render(Context(ctx, autoescape=False)).strip()
        ctx.update(subject=subject, body=body, my_page=site_url("my-page"))
        text = render_to_string("notifications/email/_layout.txt", ctx)
        html = render_to_string("notifications/email/_layout.html", ctx)
        ics, method = None, ""
        item = ctx.get("item")
        if item is not None:
            ics, method = invitation_ical(item, attendee=user.email)
    return Prepared(subject=subject, text=text, html=html, ics=ics, method=method)


def build_email(delivery: Delivery, prepared: Prepared) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=prepared.subject,
        body=prepared.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.recipient.email],  # type: ignore[union-attr]  # prepare() checked it
        headers={
            # The same id on every attempt, so a receiving system can drop a repeat.
            "Message-ID": f"<delivery-{delivery.pk}.{delivery.kind}@{UID_DOMAIN}>",
            "Auto-Submitted": "auto-generated",
            "X-Modested-Kind": delivery.kind,
        },
    )
    message.attach_alternative(prepared.html, "text/html")
    if prepared.ics is not None:
        part = MIMEText(prepared.ics.decode("utf-8"), "calendar", "utf-8")
        part.set_param("method", prepared.method)
        part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
        message.attach(part)
    return message
