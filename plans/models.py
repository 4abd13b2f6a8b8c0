"""The yearly action plan: plans, initiatives and the targets per track.

The plan only *reads* the other apps: its coverage numbers are computed from
events, registrations and volunteer shifts in ``plans.selectors``; nothing is
copied into these tables, so the numbers stay right when events move, are
cancelled, or registrations are anonymised.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

QUARTERS = (1, 2, 3, 4)


def plan_period_for(year: int) -> str:
    """The four-year plan period a year belongs to: 2027 -> "2027–2030" (periods from 2023)."""
    start = year - (year - 2023) % 4
    return f"{start}–{start + 3}"


class Plan(models.Model):
    """The action plan (handleplan) of one year. Next year's plan is a draft until adopted."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    period = models.CharField(
        _("plan period"),
        max_length=20,
        blank=True,
        help_text=_('The strategy period the plan belongs to, e.g. "2027–2030".'),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    is_draft = models.BooleanField(
        _("draft"),
        default=False,
        help_text=_("Next year's plan stays a draft until the culture committee has seen it."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # The written status the manager gives before a report is made (shown on its page 1).
    status_overall = models.TextField(_("overall status"), blank=True)
    track_status = models.JSONField(
        _("status per track"),
        default=dict,
        blank=True,
        help_text=_("A short written status per track, keyed by the track's slug."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title or f"Handleplan {self.year}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.period:
            self.period = plan_period_for(self.year)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Initiative(models.Model):
    """One initiative (indsats) of a plan: what, when (quarters), where, on which tracks."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="initiatives", verbose_name=_("plan")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    quarters = models.JSONField(
        _("quarters"),
        default=list,
        blank=True,
        help_text=_("The quarters (1-4) the initiative runs in; empty means all year."),
    )
    tracks = models.ManyToManyField(
        "core.Track", related_name="initiatives", verbose_name=_("tracks")
    )
    branches = models.ManyToManyField(
        "core.Branch", related_name="initiatives", verbose_name=_("branches")
    )
    partners = models.ManyToManyField(
        "core.Partner", blank=True, related_name="initiatives", verbose_name=_("partners")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_initiatives",
        verbose_name=_("responsible"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InitiativeStatus.choices,
        default=InitiativeStatus.PLANNED,
        db_index=True,
    )
    evaluation = models.TextField(_("short evaluation"), blank=True)
    events = models.ManyToManyField(
        "events.Event", blank=True, related_name="initiatives", verbose_name=_("events")
    )
    series = models.ManyToManyField(
        "events.EventSeries", blank=True, related_name="initiatives", verbose_name=_("series")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["plan", "title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def quarter_list(self) -> list[int]:
        quarters = sorted({int(q) for q in (self.quarters or []) if int(q) in QUARTERS})
        return quarters or list(QUARTERS)

    @property
    def counts(self) -> bool:
        """A dropped initiative stays on the record but does not count toward the target."""
        return self.status != InitiativeStatus.DROPPED


DEFAULT_MIN_INITIATIVES = 3


class TrackTarget(models.Model):
    """What a plan aims at on one track: overall (no branch) or for one branch."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan")
    )
    track = models.ForeignKey(
        "core.Track", on_delete=models.CASCADE, related_name="targets", verbose_name=_("track")
    )
    branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="track_targets",
        verbose_name=_("branch"),
        help_text=_("Leave empty for the target across all branches."),
    )
    min_initiatives = models.PositiveSmallIntegerField(
        _("minimum initiatives"), default=DEFAULT_MIN_INITIATIVES
    )
    min_events = models.PositiveIntegerField(_("minimum events"), null=True, blank=True)
    min_attendance = models.PositiveIntegerField(_("minimum attendance"), null=True, blank=True)

    class Meta:
        verbose_name = _("track target")
        verbose_name_plural = _("track targets")
        ordering = ["plan", "track__position", "branch__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "track"],
                condition=Q(branch__isnull=True),
                name="plans_target_one_overall_per_track",
            ),
            models.UniqueConstraint(
                fields=["plan", "track", "branch"],
                condition=Q(branch__isnull=False),
                name="plans_target_one_per_track_and_branch",
            ),
        ]

    def __str__(self) -> str:
        where = self.branch.name if self.branch is not None else _("all branches")
        return f"{self.plan.year} {self.track}: {where}"
