"""Event series, occurrences and registrations. (Skeleton laid by the foundation; the events issue completes it.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class EventSeries(models.Model):
    """What the occurrences of a series share; a one-off event is a series of one."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        related_name="event_series",
        verbose_name=_("branch"),
    )
    rrule = models.TextField(_("recurrence rule"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    """One occurrence: the unit people register for and that the plan's coverage counts."""

    series = models.ForeignKey(
        EventSeries, on_delete=models.CASCADE, related_name="events", verbose_name=_("series")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="events", verbose_name=_("branch")
    )
    room = models.ForeignKey(
        "rooms.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("room"),
    )
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    state = models.CharField(
        _("state"), max_length=16, choices=EventState.choices, default=EventState.DRAFT
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    registration_required = models.BooleanField(_("registration required"), default=True)
    attendance_count = models.PositiveIntegerField(_("attendance (drop-in)"), null=True, blank=True)
    tracks = models.ManyToManyField(
        "core.Track", blank=True, related_name="events", verbose_name=_("tracks")
    )
    audiences = models.ManyToManyField(
        "core.Audience", blank=True, related_name="events", verbose_name=_("audiences")
    )
    partners = models.ManyToManyField(
        "core.Partner", blank=True, related_name="events", verbose_name=_("partners")
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_events",
        verbose_name=_("host"),
    )
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="event_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.start:%Y-%m-%d %H:%M}"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("person"),
    )
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=RegistrationStatus.choices)
    waitlist_position = models.PositiveIntegerField(
        _("waiting-list position"), null=True, blank=True
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    sequence = models.PositiveIntegerField(_("revision"), default=0)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1), name="registration_seats_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} – {self.user or '(anonymised)'}"
