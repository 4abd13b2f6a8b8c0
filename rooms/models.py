"""Rooms, bookings and the makerspace. (Skeleton laid by the foundation; the rooms issue completes it.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Room(models.Model):
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.CASCADE, related_name="rooms", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=120)
    capacity = models.PositiveIntegerField(_("capacity"))

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["branch", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.branch})"


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


LIVE_BOOKING_STATUSES = [BookingStatus.PENDING, BookingStatus.CONFIRMED]


class Booking(models.Model):
    """A room occupied for a time: a person's booking, or a library event/shift holding the room."""

    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("room")
    )
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("booked by"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sequence = models.PositiveIntegerField(_("revision"), default=0)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.start:%Y-%m-%d %H:%M}"
