"""Deliveries (the outbox and the delivery log), reminder settings and feed tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_LEAD_MINUTES = [24 * 60, 2 * 60]


class ReminderKind(models.TextChoices):
    REGISTRATION = "registration", _("Event registrations")
    BOOKING = "booking", _("Room bookings")
    EQUIPMENT_BOOKING = "equipment_booking", _("Equipment slots")
    SHIFT = "shift", _("Volunteer shifts")


class ReminderDefault(models.Model):
    """The lead times staff set for one kind of reminder; people may choose their own."""

    kind = models.CharField(_("kind"), max_length=24, choices=ReminderKind.choices, unique=True)
    enabled = models.BooleanField(_("send reminders"), default=True)
    lead_minutes = models.JSONField(
        _("lead times (minutes before the start)"),
        default=list,
        help_text=_("A list of minutes, e.g. [1440, 120] for 24 hours and 2 hours before."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reminder default")
        verbose_name_plural = _("reminder defaults")
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class ReminderPreference(models.Model):
    """One person's choice: reminders on or off, and their own lead times (or the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("person"),
    )
    enabled = models.BooleanField(_("send me reminders"), default=True)
    lead_minutes = models.JSONField(
        _("my lead times (minutes)"),
        null=True,
        blank=True,
        help_text=_("Empty: the library's defaults."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self) -> str:
        return str(self.user)


class FeedToken(models.Model):
    """The secret of a person's personal calendar feed. Only its SHA-256 hash is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feed_token",
        verbose_name=_("person"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal feed token")
        verbose_name_plural = _("personal feed tokens")

    def __str__(self) -> str:
        return str(self.user)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not needed any more")
    FAILED = "failed", _("Failed (gave up)")


class Delivery(models.Model):
    """One message to one person: the outbox row and, once sent, its line in the delivery log.

    The key (kind, object, recipient, version) is unique, so a message is claimed once: a
    moved event has a new version (its start), a repeated scan finds the row already there.
    """

    kind = models.CharField(_("kind"), max_length=48, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("recipient"),
    )
    recipient_key = models.CharField(_("recipient key"), max_length=40)
    version = models.CharField(_("version"), max_length=120)
    data = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.CharField(_("claim"), max_length=32, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    to_email = models.EmailField(_("sent to"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    maybe_duplicate = models.BooleanField(
        _("possibly sent twice"),
        default=False,
        help_text=_(
            "A dispatcher stopped while sending this message (a killed worker, or a database "
            "that did not come back in time) and another sent it again: the person may have "
            "received it twice."
        ),
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("delivery log")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "recipient_key", "version"],
                name="delivery_once_per_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}#{self.object_id} → {self.recipient_key}"
