"""Volunteers, activities, shifts and sign-ups. (Skeleton laid by the foundation; the volunteers issue completes it.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    """A recurring volunteer activity: lektiecafé, IT-hjælp, sprogcafé, læseguide, eventhjælper..."""

    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="activities", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    tracks = models.ManyToManyField(
        "core.Track", blank=True, related_name="activities", verbose_name=_("tracks")
    )
    audiences = models.ManyToManyField(
        "core.Audience", blank=True, related_name="activities", verbose_name=_("audiences")
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_activities",
        verbose_name=_("coordinator"),
    )
    children_under_15 = models.BooleanField(_("children under 15 take part"), default=False)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["branch", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.branch})"


class Shift(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("activity")
    )
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    needed = models.PositiveSmallIntegerField(_("volunteers needed"), default=1)
    room = models.ForeignKey(
        "rooms.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("room"),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("revision"), default=0)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.activity.name} {self.start:%Y-%m-%d %H:%M}"


class SignupStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ShiftSignup(models.Model):
    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="signups", verbose_name=_("shift")
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shift_signups",
        verbose_name=_("volunteer"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SignupStatus.choices, default=SignupStatus.SIGNED_UP
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Set when attendance is recorded; staff may correct it with a note."),
    )
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)

    class Meta:
        verbose_name = _("shift sign-up")
        verbose_name_plural = _("shift sign-ups")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.shift} – {self.volunteer or '(anonymised)'}"
