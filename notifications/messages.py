"""Turning one delivery into one e-mail, from the current state, in the recipient's language.

The words are in ``templates/notifications/email/<kind>.txt`` (one short file per kind, which
staff can read); ``_layout.txt`` and ``_layout.html`` add the greeting, the details of the
event, booking or shift and the footer. Anything in the calendar carries an ``.ics``:
METHOD:REQUEST while it stands, METHOD:CANCEL (same UID, higher SEQUENCE) once it doesn't.

``prepare`` returns None when the message is no longer true (a reminder for a
registration cancelled meanwhile, a moved event's reminder for the old time...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.mime.text import MIMEText
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from core.contracts import AccountMail, MessageKind
from core.timeutils import local_tz
from events.models import AssociationEventProposal, Registration
from notifications.calendar import (
    UID_DOMAIN,
    CalendarItem,
    _address,
    _calendar,
    _vtimezone,
    vevent_bytes,
)
from notifications.kinds import DerivedKind
from notifications.models import Delivery
from notifications.selectors import reminder_version
from notifications.sources import (
    booking_item,
    equipment_booking_item,
    event_is_cancelled,
    event_location,
    registration_item,
    signup_item,
    site_url,
)
from rooms.models import Booking, BookingPause, EquipmentBooking
from volunteers.models import SessionProposal, ShiftSignup, VolunteerProfile

# The subject of each kind; every MessageKind and DerivedKind has one (checked on import of
# notifications.services).
SUBJECTS: dict[str, Promise] = {
    MessageKind.REGISTRATION_CONFIRMED: gettext_lazy("You are registered: %(title)s"),
    MessageKind.REGISTRATION_WAITLISTED: gettext_lazy("You are on the waiting list: %(title)s"),
    MessageKind.REGISTRATION_PROMOTED: gettext_lazy("You got a place: %(title)s"),
    MessageKind.REGISTRATION_CANCELLED: gettext_lazy("Registration cancelled: %(title)s"),
    MessageKind.EVENT_CHANGED: gettext_lazy("Changed time or place: %(title)s"),
    MessageKind.EVENT_CANCELLED: gettext_lazy("Cancelled: %(title)s"),
    MessageKind.BOOKING_REQUESTED: gettext_lazy("We have received your booking request: %(title)s"),
    MessageKind.BOOKING_CONFIRMED: gettext_lazy("Booking confirmed: %(title)s"),
    MessageKind.BOOKING_REJECTED: gettext_lazy("Booking not approved: %(title)s"),
    MessageKind.BOOKING_CANCELLED: gettext_lazy("Booking cancelled: %(title)s"),
    MessageKind.EQUIPMENT_BOOKING_CONFIRMED: gettext_lazy("Makerspace slot booked: %(title)s"),
    MessageKind.EQUIPMENT_BOOKING_CANCELLED: gettext_lazy("Makerspace slot cancelled: %(title)s"),
    MessageKind.BOOKING_PAUSED: gettext_lazy("Your right to book is paused"),
    MessageKind.SHIFT_CHANGED: gettext_lazy("Your shift has changed: %(title)s"),
    MessageKind.SHIFT_CANCELLED: gettext_lazy("Your shift is cancelled: %(title)s"),
    MessageKind.PROPOSAL_APPROVED: gettext_lazy("Your session is approved: %(title)s"),
    MessageKind.PROPOSAL_REJECTED: gettext_lazy(
        "Your session proposal was not approved: %(title)s"
    ),
    MessageKind.PROPOSAL_CHANGES_REQUESTED: gettext_lazy(
        "Changes requested to your proposal: %(title)s"
    ),
    MessageKind.ASSOCIATION_EVENT_APPROVED: gettext_lazy("Your event is approved: %(title)s"),
    MessageKind.ASSOCIATION_EVENT_REJECTED: gettext_lazy(
        "Your event proposal was not approved: %(title)s"
    ),
    MessageKind.CERTIFICATE_EXPIRING: gettext_lazy(
        "Your child certificate (børneattest) expires soon"
    ),
    DerivedKind.CERTIFICATE_EXPIRING_COORDINATOR: gettext_lazy(
        "A volunteer's child certificate expires soon: %(title)s"
    ),
    DerivedKind.REMINDER_REGISTRATION: gettext_lazy("Reminder: %(title)s %(when_short)s"),
    DerivedKind.REMINDER_BOOKING: gettext_lazy("Reminder: your booking %(when_short)s"),
    DerivedKind.REMINDER_EQUIPMENT_BOOKING: gettext_lazy("Reminder: %(title)s %(when_short)s"),
    DerivedKind.REMINDER_SHIFT: gettext_lazy("Reminder: your shift %(when_short)s"),
    DerivedKind.REGISTRATION_OPENED: gettext_lazy("Registration is open: %(title)s"),
}

KINDS = sorted(SUBJECTS)


@dataclass
class Prepared:
    subject: str
    text: str
    html: str
    ics: bytes | None
    method: str
    to_email: str


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


# What a batch's messages are about, by (object type, object id); None for an object that is
# gone. Filled by ``preload`` so a batch costs a query per kind of object, not one per message.
Loaded = dict[tuple[str, str], Any]

# What the messages read about each kind of object (its templates, location, calendar item).
PRELOAD_RELATED: dict[str, tuple[str, ...]] = {
    "events.registration": ("event__branch", "event__room", "event__stop"),
    "rooms.booking": ("room__branch",),
    "rooms.equipmentbooking": ("equipment__branch", "equipment__room__branch"),
    "volunteers.shiftsignup": ("shift__activity__branch", "shift__room__branch"),
    "events.openingreminder": ("event__branch", "event__room", "event__stop"),
}


def preload(deliveries: Iterable[Delivery]) -> Loaded:
    """The objects of a batch of deliveries, one query per object type, with what their
    messages read joined in (``PRELOAD_RELATED``)."""
    wanted: dict[str, set[str]] = {}
    for delivery in deliveries:
        if not is_account_mail(delivery.kind):
            wanted.setdefault(delivery.object_type, set()).add(delivery.object_id)
    loaded: Loaded = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
            rows = model._default_manager.filter(pk__in=ids)
            related = [name for name in PRELOAD_RELATED.get(label, ()) if _has_path(model, name)]
            found = {str(obj.pk): obj for obj in rows.select_related(*related)}
        except (LookupError, ValueError, TypeError):
            continue  # left to ``prepare``'s own lookup, one by one
        loaded.update({(label, pk): found.get(pk) for pk in ids})
    return loaded


def _has_path(model: Any, path: str) -> bool:
    """``path`` (``event__branch``) follows relations that exist on ``model``."""
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 (FieldDoesNotExist)
            return False
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return True


def _reminder_still_true(delivery: Delivery, start: datetime) -> bool:
    """The reminder was due for this start time, which has not been moved or passed."""
    lead = delivery.version.split("@", 1)[0]
    return reminder_version(int(lead), start) == delivery.version and start > timezone.now()


TemplateData = dict[str, Any]
# Fills in what the templates need about the object of one kind of message, including the
# calendar "item" (or None), and says whether the message is still true.
ContextPart = Callable[[Delivery, Any, TemplateData], bool]


def _context(delivery: Delivery, obj: Any) -> TemplateData | None:
    """What the templates need, or None if the message is not true any more."""
    data = delivery.data or {}
    ctx: TemplateData = {"data": data, "reason": data.get("reason", ""), "item": None}
    part = _context_part(delivery.kind)
    if part is None or not part(delivery, obj, ctx):
        return None
    item: CalendarItem | None = ctx["item"]
    if item is not None:
        ctx["when"] = format_when(item.start, item.end)
        ctx["when_short"] = format_short(item.start)
        ctx["where"] = item.location
        ctx["cancelled"] = item.is_cancelled
    else:
        ctx.setdefault("when_short", "")
    return ctx


def _context_part(kind: str) -> ContextPart | None:
    """Which object a message of ``kind`` is about, by its family (the part before the dot)."""
    family = kind.split(".", 1)[0]
    if kind == MessageKind.BOOKING_PAUSED:
        return _pause_context
    if family == "registration" or kind in {"event.changed", "event.cancelled"}:
        return _registration_context
    if family == "reminder" and kind == "reminder.registration":
        return _registration_reminder_context
    if family == "booking" or kind == "reminder.booking":
        return _booking_context
    if family == "equipment_booking" or kind == "reminder.equipment_booking":
        return _equipment_booking_context
    if family == "shift" or kind == "reminder.shift":
        return _shift_context
    if family == "proposal":
        return _proposal_context
    if family == "association_event":
        return _association_event_context
    if family == "certificate":
        return _certificate_context
    if kind == DerivedKind.REGISTRATION_OPENED:
        return _opening_context
    return None


def _registration_context(delivery: Delivery, reg: Registration, ctx: TemplateData) -> bool:
    kind = delivery.kind
    event = reg.event
    item: CalendarItem | None = registration_item(reg)
    ctx.update(event=event, registration=reg, title=event.title)
    if kind == "registration.cancelled" and event_is_cancelled(event):
        return False  # the event.cancelled message says it
    if kind == "registration.cancelled":
        ctx["reason"] = ctx["reason"] or reg.cancel_reason
        ctx["by_staff"] = bool(ctx["data"].get("by_staff"))
    if kind == "registration.waitlisted":
        ctx["position"] = reg.waitlist_position
        item = None  # not in the calendar until a place is free
    if kind == "event.changed" and (reg.status == "cancelled" or event_is_cancelled(event)):
        return False
    if kind == "event.changed":
        _changed_context(ctx, event, reg)
        if reg.status == "waitlisted" and not ctx["moved_to_waitlist"]:
            item = None
    if kind == "event.cancelled":
        ctx["reason"] = ctx["reason"] or getattr(event, "cancel_reason", "")
    ctx["link"] = site_url("events:event-detail", event.pk)
    ctx["item"] = item
    return True


def _changed_context(ctx: TemplateData, event: Any, reg: Registration) -> None:
    """Old and new time and place of a moved event; whether this person was moved to the
    waiting list because the new room is smaller (their calendar entry turns tentative)."""
    data = ctx["data"]
    old_start, old_end = data.get("old_start"), data.get("old_end")
    if old_start and old_end:
        ctx["old_when"] = format_when(
            datetime.fromisoformat(old_start), datetime.fromisoformat(old_end)
        )
    ctx["old_where"] = data.get("old_where", "")
    ctx["new_when"] = format_when(event.start, event.end)
    ctx["new_where"] = event_location(event)
    moved = str(data.get("moved_to_waitlist", "") or "").split(",")
    ctx["moved_to_waitlist"] = reg.status == "waitlisted" and str(reg.pk) in moved


def _opening_context(delivery: Delivery, request: Any, ctx: TemplateData) -> bool:
    """Registration has opened for the event the person asked about (still published and
    to come; a calendar entry only once they register)."""
    event = request.event
    if event.state != "published" or event.start <= timezone.now():
        return False
    ctx.update(event=event, title=event.title)
    ctx["when"] = format_when(event.start, event.end)
    ctx["where"] = event_location(event)
    ctx["link"] = site_url("events:event-detail", event.pk)
    return True


def _registration_reminder_context(
    delivery: Delivery, reg: Registration, ctx: TemplateData
) -> bool:
    if reg.status != "confirmed" or reg.event.state != "published":
        return False
    if event_is_cancelled(reg.event) or not _reminder_still_true(delivery, reg.event.start):
        return False
    ctx.update(event=reg.event, registration=reg, title=reg.event.title)
    ctx["link"] = site_url("events:event-detail", reg.event.pk)
    ctx["item"] = registration_item(reg)
    return True


def _booking_context(delivery: Delivery, booking: Booking, ctx: TemplateData) -> bool:
    if delivery.kind == "reminder.booking" and (
        booking.status != "confirmed" or not _reminder_still_true(delivery, booking.start)
    ):
        return False
    if getattr(booking, "kind", "booking") in {"event", "shift", "hold"}:
        return False  # the library's own use of the room
    ctx.update(booking=booking, room=booking.room, title=booking.room.name)
    for name in ("rejection_reason", "cancel_reason"):
        ctx["reason"] = ctx["reason"] or getattr(booking, name, "") or ""
    ctx["item"] = booking_item(booking)
    return True


def _pause_context(delivery: Delivery, pause: BookingPause, ctx: TemplateData) -> bool:
    if pause.lifted_at is not None or pause.until <= timezone.now():
        return False
    ctx.update(pause=pause, title="", until=format_when(pause.until), no_shows=pause.no_shows)
    ctx["window_days"] = settings.MODESTED_NO_SHOW_WINDOW_DAYS
    ctx["link"] = site_url("rooms:my-bookings")
    return True


def _equipment_booking_context(
    delivery: Delivery, slot: EquipmentBooking, ctx: TemplateData
) -> bool:
    if delivery.kind == "reminder.equipment_booking" and (
        slot.status != "confirmed" or not _reminder_still_true(delivery, slot.start)
    ):
        return False
    ctx.update(slot=slot, equipment=slot.equipment, title=slot.equipment.name)
    ctx["reason"] = ctx["reason"] or getattr(slot, "cancel_reason", "") or ""
    ctx["item"] = equipment_booking_item(slot)
    return True


def _shift_context(delivery: Delivery, signup: ShiftSignup, ctx: TemplateData) -> bool:
    kind = delivery.kind
    shift = signup.shift
    if kind == "reminder.shift" and (
        signup.status != "signed_up"
        or shift.cancelled_at is not None
        or not _reminder_still_true(delivery, shift.start)
    ):
        return False
    if kind == "shift.changed" and (signup.status != "signed_up" or shift.cancelled_at):
        return False
    ctx.update(signup=signup, shift=shift, activity=shift.activity, title=shift.activity.name)
    ctx["link"] = site_url("volunteers:dashboard")
    ctx["item"] = signup_item(signup)
    return True


def _proposal_context(delivery: Delivery, proposal: SessionProposal, ctx: TemplateData) -> bool:
    ctx.update(proposal=proposal, title=proposal.title)
    ctx["reason"] = ctx["reason"] or proposal.decision_note
    ctx["link"] = site_url("volunteers:dashboard")
    if proposal.event_id:
        ctx["link"] = site_url("events:event-detail", proposal.event_id) or ctx["link"]
    return True


def _association_event_context(
    delivery: Delivery, proposal: AssociationEventProposal, ctx: TemplateData
) -> bool:
    ctx.update(proposal=proposal, title=proposal.title, association=proposal.partner.name)
    ctx["reason"] = ctx["reason"] or proposal.decision_reason
    ctx["link"] = site_url("events:association-events")
    if proposal.event_id:
        ctx["link"] = site_url("events:event-detail", proposal.event_id) or ctx["link"]
    return True


def _certificate_context(delivery: Delivery, profile: VolunteerProfile, ctx: TemplateData) -> bool:
    ctx.update(profile=profile, volunteer=profile.user, title=profile.user.name)
    ctx["valid_until"] = getattr(profile, "certificate_valid_until", None)
    ctx["link"] = site_url("volunteers:dashboard")
    return True


def is_account_mail(kind: str) -> bool:
    return kind in set(AccountMail)


def _prepare_account_mail(delivery: Delivery) -> Prepared | None:
    """An account e-mail core rendered when it was asked for (its text waits in ``data``)."""
    data = delivery.data or {}
    body, to = str(data.get("body") or ""), str(data.get("to") or "")
    if not body or not to:
        return None  # already sent, or given up: the text (with its link) is gone
    return Prepared(
        subject=str(data.get("subject") or ""), text=body, html="", ics=None, method="", to_email=to
    )


def prepare(delivery: Delivery, *, loaded: Loaded | None = None) -> Prepared | None:
    """Subject, bodies and invitation of one delivery, or None if it should not be sent.
    ``loaded``: its object from ``preload`` (else it is looked up here)."""
    if is_account_mail(delivery.kind):
        return _prepare_account_mail(delivery)
    user = delivery.recipient
    if user is None or not user.is_active or not user.email:
        return None
    key = (delivery.object_type, delivery.object_id)
    obj = loaded[key] if loaded is not None and key in loaded else _load(delivery)
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
        body = (
            Engine.get_default()
            .get_template(f"notifications/email/{delivery.kind}.txt")
            .render(Context(ctx, autoescape=False))
            .strip()
        )
        ctx.update(subject=subject, body=body, my_page=site_url("my-page"))
        text = render_to_string("notifications/email/_layout.txt", ctx)
        html = render_to_string("notifications/email/_layout.html", ctx)
        ics, method = None, ""
        item = ctx.get("item")
        if item is not None:
            ics, method = invitation(item, attendee=user.email)
    return Prepared(
        subject=subject, text=text, html=html, ics=ics, method=method, to_email=user.email
    )


_END = b"END:VCALENDAR\r\n"
# The invitation up to its VEVENT (the calendar's properties and the VTIMEZONE), per METHOD:
# the same for every message, so serialised once.
_INVITATION_HEADS: dict[str, bytes] = {}


def invitation(item: CalendarItem, *, attendee: str) -> tuple[bytes, str]:
    """The same bytes as ``calendar.invitation_ical``, with the part before the VEVENT
    serialised once per process rather than once per message, and the VEVENT written
    directly by ``vevent_bytes`` (tests/notifications/test_invitation_fast.py)."""
    method = "CANCEL" if item.is_cancelled else "REQUEST"
    head = _INVITATION_HEADS.get(method)
    if head is None:
        cal = _calendar(item.summary, method=method)
        cal.add_component(_vtimezone())
        head = _INVITATION_HEADS[method] = cal.to_ical()[: -len(_END)]
    organizer = _address(settings.DEFAULT_FROM_EMAIL)
    return head + vevent_bytes(item, organizer=organizer, attendee=attendee) + _END, method


def build_email(delivery: Delivery, prepared: Prepared) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=prepared.subject,
        body=prepared.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[prepared.to_email],
        headers={
            # The same id on every attempt, so a receiving system can drop a repeat.
            "Message-ID": f"<delivery-{delivery.pk}.{delivery.kind}@{UID_DOMAIN}>",
            "Auto-Submitted": "auto-generated",
            "X-Modested-Kind": delivery.kind,
        },
    )
    if prepared.html:
        message.attach_alternative(prepared.html, "text/html")
    if prepared.ics is not None:
        part = MIMEText(prepared.ics.decode("utf-8"), "calendar", "utf-8")
        part.set_param("method", prepared.method)
        part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
        message.attach(part)
    return message
