"""Volunteers, activities, shifts and sign-ups. (Skeleton laid by the foundation; the volunteers issue completes it.)"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import PgOnlyExclusionConstraint, TsTzRange


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
    withdraw_deadline_hours = models.PositiveSmallIntegerField(
        _("withdraw until (hours before)"),
        default=24,
        help_text=_("Volunteers may withdraw from a shift until this many hours before it starts."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

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
    series = models.ForeignKey(
        "volunteers.ShiftSeries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("series"),
    )
    room_booking = models.OneToOneField(
        "rooms.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shift",
        verbose_name=_("room booking"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_end_after_start"),
            models.CheckConstraint(condition=Q(needed__gte=1), name="shift_needs_at_least_one"),
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
    # Copies of the shift's time (kept in step by the services) so that PostgreSQL can refuse
    # two live sign-ups of one volunteer that overlap, even for code that skips the services.
    shift_start = models.DateTimeField(_("shift start"), null=True, blank=True, editable=False)
    shift_end = models.DateTimeField(_("shift end"), null=True, blank=True, editable=False)
    shift_cancelled = models.BooleanField(_("shift cancelled"), default=False, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # The volunteer's own report, which a coordinator confirms.
    reported_hours = models.DecimalField(
        _("hours reported by the volunteer"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attendance recorded by"),
    )
    attendance_recorded_at = models.DateTimeField(_("attendance recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("shift sign-up")
        verbose_name_plural = _("shift sign-ups")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=Q(status="signed_up"),
                name="signup_one_live_per_volunteer_and_shift",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0), name="signup_hours_not_negative"
            ),
            PgOnlyExclusionConstraint(
                name="signup_no_overlapping_shifts",
                expressions=[
                    (
                        TsTzRange("shift_start", "shift_end", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                    ("volunteer", RangeOperators.EQUAL),
                ],
                condition=Q(
                    status="signed_up",
                    shift_cancelled=False,
                    volunteer__isnull=False,
                    shift_start__isnull=False,
                    shift_end__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shift} – {self.volunteer or '(anonymised)'}"


class ShiftSeries(models.Model):
    """A recurring shift: the rule, expanded in local wall time into Shift rows."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="shift_series", verbose_name=_("activity")
    )
    rrule = models.TextField(_("recurrence rule"))
    first_start = models.DateTimeField(_("first start"))
    first_end = models.DateTimeField(_("first end"))
    needed = models.PositiveSmallIntegerField(_("volunteers needed"), default=1)
    room = models.ForeignKey(
        "rooms.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shift_series",
        verbose_name=_("room"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("shift series")
        verbose_name_plural = _("shift series")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.activity.name}: {self.rrule}"


class ProfileStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")


class CertificateStatus(models.TextChoices):
    NONE = "none", _("None")
    REQUESTED = "requested", _("Requested")
    CLEAR = "clear", _("Clear")


class VolunteerProfile(models.Model):
    """What the library knows about a volunteer. Only the child-certificate (børneattest) status
    and the date it was checked are kept: never the certificate itself, never a CPR number."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="volunteer_profile",
        verbose_name=_("person"),
    )
    skills = models.TextField(_("skills"), blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    branches = models.ManyToManyField(
        "core.Branch", blank=True, related_name="volunteer_profiles", verbose_name=_("branches")
    )
    activities = models.ManyToManyField(
        Activity,
        blank=True,
        related_name="volunteer_profiles",
        verbose_name=_("regular activities"),
    )
    availability_notes = models.TextField(_("availability"), blank=True)
    agreement_signed_on = models.DateField(_("cooperation agreement signed"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProfileStatus.choices, default=ProfileStatus.ACTIVE
    )
    certificate_status = models.CharField(
        _("child certificate"),
        max_length=16,
        choices=CertificateStatus.choices,
        default=CertificateStatus.NONE,
    )
    certificate_checked_on = models.DateField(_("certificate checked on"), null=True, blank=True)
    certificate_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("certificate checked by"),
    )
    certificate_renewal_years = models.PositiveSmallIntegerField(
        _("renew certificate every (years)"), default=2
    )
    # checked_on + renewal interval, kept by the services so that queries can compare dates.
    certificate_valid_until = models.DateField(
        _("certificate valid until"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("volunteer profile")
        verbose_name_plural = _("volunteer profiles")
        ordering = ["user__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(certificate_renewal_years__gte=1),
                name="volunteer_certificate_renewal_at_least_one_year",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_paused(self) -> bool:
        return self.status == ProfileStatus.PAUSED

    def certificate_valid_on(self, day: date) -> bool:
        """Clear, and checked_on + the renewal interval is on or after ``day``."""
        return (
            self.certificate_status == CertificateStatus.CLEAR
            and self.certificate_valid_until is not None
            and self.certificate_valid_until >= day
        )


class HoursCorrection(models.Model):
    """Staff changed the hours of an attended shift; ``ShiftSignup.hours`` holds the result."""

    signup = models.ForeignKey(
        ShiftSignup, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("sign-up")
    )
    old_hours = models.DecimalField(
        _("hours before"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    new_hours = models.DecimalField(_("hours after"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=300)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("hours correction")
        verbose_name_plural = _("hours corrections")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.signup}: {self.old_hours} → {self.new_hours}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SessionProposal(models.Model):
    """A volunteer's proposed session; approved by staff of the branch, it becomes an event."""

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session_proposals",
        verbose_name=_("volunteer"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        related_name="session_proposals",
        verbose_name=_("branch"),
    )
    room = models.ForeignKey(
        "rooms.Room",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session_proposals",
        verbose_name=_("room"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    rrule = models.TextField(_("repeats"), blank=True, help_text=_("Empty for a one-off session."))
    tracks = models.ManyToManyField(
        "core.Track", blank=True, related_name="session_proposals", verbose_name=_("tracks")
    )
    audiences = models.ManyToManyField(
        "core.Audience",
        blank=True,
        related_name="session_proposals",
        verbose_name=_("audiences"),
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    children_under_15 = models.BooleanField(_("children under 15 take part"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decision_note = models.TextField(_("reason or requested changes"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event"),
    )
    event_series = models.ForeignKey(
        "events.EventSeries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event series"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("session proposal")
        verbose_name_plural = _("session proposals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="proposal_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title
