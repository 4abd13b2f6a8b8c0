"""Event series, occurrences and registrations. (Skeleton laid by the foundation; the events issue completes it.)"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rooms.models import EquipmentKind


class EventState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class PlaceKind(models.TextChoices):
    ROOM = "room", _("A room of the branch")
    BRANCH = "branch", _("At the branch")
    BOOKMOBILE_STOP = "bookmobile_stop", _("A bookmobile stop")
    ADDRESS = "address", _("Another address")
    ONLINE = "online", _("Online only")


DEFAULT_MAX_SEATS = 4


# The most people one event can hold or count; larger numbers are typing mistakes (and would
# overflow the database's integer columns, a 500 instead of a form error).
MAX_PEOPLE = 100_000


class SharedEventFields(models.Model):
    """What a series and each of its occurrences both carry (the series is the template)."""

    place_kind = models.CharField(
        _("place"), max_length=20, choices=PlaceKind.choices, default=PlaceKind.BRANCH
    )
    stop = models.ForeignKey(
        "core.BookmobileStop",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bookmobile stop"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    image = models.ImageField(_("image"), upload_to="events/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    max_seats_per_registration = models.PositiveSmallIntegerField(
        _("most seats per registration"), default=DEFAULT_MAX_SEATS
    )
    price_dkk = models.DecimalField(
        _("price (DKK)"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    licence_equipment_kind = models.CharField(
        _("licence course for"),
        max_length=60,
        blank=True,
        choices=EquipmentKind.choices,
        help_text=_("Checking in at this event grants the licence for this kind of equipment."),
    )
    # Set by the events services only when the event falls on a day its branch is closed and
    # staff held it anyway ("held although the library is closed"); shown to staff only.
    closed_override_reason = models.CharField(
        _("held although the library is closed, because"), max_length=300, blank=True
    )
    # Registration opens at this time (empty: at once). Before it, people may ask to be told.
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)

    class Meta:
        abstract = True


class EventSeries(SharedEventFields):
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
    # The rule is expanded from this local wall time in this zone (see core.recurrence).
    first_start_local = models.DateTimeField(
        _("first start (local wall time)"), null=True, blank=True
    )
    duration = models.DurationField(_("duration (wall clock)"), null=True, blank=True)
    tzname = models.CharField(_("time zone"), max_length=64, default="Europe/Copenhagen")
    include_closed = models.BooleanField(_("also on holidays and closing days"), default=False)
    room = models.ForeignKey(
        "rooms.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_series",
        verbose_name=_("room"),
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    registration_required = models.BooleanField(_("registration required"), default=True)
    tracks = models.ManyToManyField(
        "core.Track", blank=True, related_name="event_series", verbose_name=_("tracks")
    )
    audiences = models.ManyToManyField(
        "core.Audience", blank=True, related_name="event_series", verbose_name=_("audiences")
    )
    partners = models.ManyToManyField(
        "core.Partner", blank=True, related_name="event_series", verbose_name=_("partners")
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_event_series",
        verbose_name=_("host"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self) -> str:
        return self.title

    def asked_questions(self) -> list[SignupQuestion]:
        """The questions asked at sign-up, in order (not those removed, kept for their
        answers); from the prefetched ``questions`` when there."""
        return [q for q in self.questions.all() if not q.removed]


class Event(SharedEventFields):
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
    original_start = models.DateTimeField(
        _("start given by the series"),
        null=True,
        blank=True,
        help_text=_("Where the series rule put this occurrence (its RECURRENCE-ID)."),
    )
    edited = models.BooleanField(
        _("changed on its own"),
        default=False,
        help_text=_("Edited one by one: later edits of the series leave it alone."),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    room_booking = models.OneToOneField(
        "rooms.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event",
        verbose_name=_("room booking"),
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start"]
        indexes = [
            # The events everyone may see, in the order the list and the calendar show them
            # (start, then id): a page is a walk along it, however deep, and counting them
            # reads it rather than every event's row (events.selectors_list.event_list_page).
            models.Index(
                fields=["start", "id"],
                condition=Q(state__in=[EventState.PUBLISHED, EventState.CANCELLED]),
                name="event_shown_by_start",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="event_end_after_start"),
            models.CheckConstraint(
                condition=Q(max_seats_per_registration__gte=1), name="event_max_seats_at_least_one"
            ),
            models.CheckConstraint(condition=Q(price_dkk__gte=0), name="event_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.start:%Y-%m-%d %H:%M}"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


LIVE_REGISTRATION_STATUSES = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]


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
    # A walk-in: someone who came to the door without registering, added by staff when seats
    # were free. No user; the name is optional. Counted like any confirmed seat, so capacity
    # is held by the same count under the event's row lock.
    walk_in = models.BooleanField(_("walk-in"), default=False)
    walk_in_name = models.CharField(_("name (walk-in)"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    # Registered by staff on the person's behalf (at the desk), and the rule they bent if any.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered on the person's behalf by"),
    )
    override_rule = models.CharField(_("rule overridden"), max_length=120, blank=True)
    override_reason = models.CharField(_("reason for the override"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1), name="registration_seats_at_least_one"
            ),
            # One live registration per person and event.
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=LIVE_REGISTRATION_STATUSES, user__isnull=False),
                name="registration_one_live_per_person",
            ),
            # Waiting-list positions are unique per event.
            models.UniqueConstraint(
                fields=["event", "waitlist_position"],
                condition=Q(status=RegistrationStatus.WAITLISTED),
                name="registration_unique_waitlist_position",
            ),
            # A position exactly when on the waiting list.
            models.CheckConstraint(
                condition=(
                    Q(status=RegistrationStatus.WAITLISTED, waitlist_position__isnull=False)
                    | (~Q(status=RegistrationStatus.WAITLISTED) & Q(waitlist_position__isnull=True))
                ),
                name="registration_position_iff_waitlisted",
            ),
            # A walk-in has no user account.
            models.CheckConstraint(
                condition=Q(walk_in=False) | Q(user__isnull=True),
                name="registration_walk_in_without_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} – {self.user or '(anonymised)'}"


class AssociationEventStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved and published")
    REJECTED = "rejected", _("Not approved")


class AssociationEventProposal(models.Model):
    """A public event an association proposes in a room it has booked; staff of the branch
    approve it (it is then published with the association as host and partner) or reject it
    with a reason."""

    partner = models.ForeignKey(
        "core.Partner",
        on_delete=models.CASCADE,
        related_name="event_proposals",
        verbose_name=_("association"),
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="association_event_proposals",
        verbose_name=_("proposed by"),
    )
    booking = models.ForeignKey(
        "rooms.Booking",
        on_delete=models.PROTECT,
        related_name="event_proposals",
        verbose_name=_("room booking"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    tracks = models.ManyToManyField(
        "core.Track", related_name="association_event_proposals", verbose_name=_("tracks")
    )
    audiences = models.ManyToManyField(
        "core.Audience",
        blank=True,
        related_name="association_event_proposals",
        verbose_name=_("audiences"),
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    registration_required = models.BooleanField(_("registration required"), default=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AssociationEventStatus.choices,
        default=AssociationEventStatus.PENDING,
    )
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    event = models.OneToOneField(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="association_proposal",
        verbose_name=_("event"),
    )
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)

    class Meta:
        verbose_name = _("association event proposal")
        verbose_name_plural = _("association event proposals")
        ordering = ["created_at", "id"]
        constraints = [
            # One proposal awaiting a decision or published per room booking.
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(status__in=["pending", "approved"]),
                name="association_event_one_live_per_booking",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="association_event_capacity_at_least_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.partner})"


class SignupQuestion(models.Model):
    """A question staff ask at sign-up (e.g. the child's name and age); the series' events
    share them. Answers are personal data: they go with the registration's retention.
    ``required`` unless staff mark the answer optional."""

    series = models.ForeignKey(
        EventSeries, on_delete=models.CASCADE, related_name="questions", verbose_name=_("series")
    )
    label = models.CharField(_("question"), max_length=200)
    required = models.BooleanField(_("answer required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Taken off the sign-up form: no longer asked, but the answers people gave stay
    # readable for staff.
    removed = models.BooleanField(_("removed"), default=False)

    class Meta:
        verbose_name = _("sign-up question")
        verbose_name_plural = _("sign-up questions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class RegistrationAnswer(models.Model):
    """A person's answer to a sign-up question, shown to staff at the door."""

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("registration"),
    )
    question = models.ForeignKey(
        SignupQuestion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    answer = models.CharField(_("answer"), max_length=500)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "question"], name="answer_one_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.answer}"


class OpeningReminder(models.Model):
    """A person asked to be told when registration for an event opens; they get one message
    when it does (``event.registration_opened``, derived by the notifications dispatcher)."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="opening_reminders", verbose_name=_("event")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="opening_reminders",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder when registration opens")
        verbose_name_plural = _("reminders when registration opens")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="opening_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event} – {self.user}"
