"""Rooms, bookings and the makerspace.

A booking blocks its room for ``[blocked_start, blocked_end)``: the booked time plus the
room's buffer after it (computed by the services). Two live bookings of one room never
have overlapping blocked periods; the services check it under a row lock on the room and,
on PostgreSQL, an exclusion constraint holds it even for code that skips them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import PgOnlyExclusionConstraint, TsTzRange


class BookableBy(models.TextChoices):
    EVERYONE = "everyone", _("Citizens and associations")
    ASSOCIATIONS = "associations", _("Associations only")
    STAFF = "staff", _("Library staff only")


class PriceTier(models.TextChoices):
    FREE = "free", _("Free")
    FEE = "fee", _("Room fee")
    RENT = "rent", _("Rent")


class Room(models.Model):
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.CASCADE, related_name="rooms", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=120)
    capacity = models.PositiveIntegerField(_("capacity"))
    # --- added by the rooms issue: the booking rules ---
    description = models.TextField(_("description"), blank=True)
    amenities = models.CharField(
        _("amenities"),
        max_length=400,
        blank=True,
        help_text=_("Separated by commas, e.g. projector, whiteboard, coffee machine."),
    )
    is_active = models.BooleanField(_("bookable"), default=True)
    bookable_by = models.CharField(
        _("who may book"), max_length=16, choices=BookableBy.choices, default=BookableBy.EVERYONE
    )
    requires_approval = models.BooleanField(_("bookings need staff approval"), default=False)
    min_duration_minutes = models.PositiveIntegerField(
        _("shortest booking (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    max_duration_minutes = models.PositiveIntegerField(
        _("longest booking (minutes)"), default=240, validators=[MinValueValidator(1)]
    )
    slot_minutes = models.PositiveIntegerField(
        _("time steps (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("Bookings start and end on these steps, e.g. 15 or 30 minutes."),
    )
    buffer_minutes = models.PositiveIntegerField(
        _("buffer between bookings (minutes)"),
        default=0,
        help_text=_("Time kept free after each booking for tidying up."),
    )
    max_days_ahead = models.PositiveIntegerField(_("bookable days ahead"), default=90)
    max_per_day = models.PositiveIntegerField(
        _("most bookings per person per day"), null=True, blank=True
    )
    max_per_week = models.PositiveIntegerField(
        _("most bookings per person per week"), null=True, blank=True
    )
    max_future = models.PositiveIntegerField(
        _("most future bookings per person at a time"),
        null=True,
        blank=True,
        help_text=_("A series counts as one."),
    )
    max_series_occurrences = models.PositiveIntegerField(_("most dates in one series"), default=26)
    self_service_allowed = models.BooleanField(
        _("may be used in self-service hours"),
        default=False,
        help_text=_("Otherwise only in staffed hours."),
    )
    fee_dkk = models.DecimalField(
        _("fee for adult-education associations (DKK)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
    )
    rent_dkk = models.DecimalField(
        _("rent for others (DKK)"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    # Residents of the library's municipality (``MODESTED_MUNICIPALITY``, as their library
    # login says) may get another price tier and a longer booking window than others.
    resident_price_tier = models.CharField(
        _("price tier for residents of the municipality"),
        max_length=8,
        choices=PriceTier.choices,
        blank=True,
        help_text=_("Empty: residents pay as everyone else. Known from the library login."),
    )
    resident_max_days_ahead = models.PositiveIntegerField(
        _("bookable days ahead for residents of the municipality"),
        null=True,
        blank=True,
        help_text=_("Empty: the same as for everyone."),
    )
    cancel_days_before = models.PositiveIntegerField(
        _("bookers cancel at the latest (days before)"),
        default=1,
        help_text=_("1 = until the end of the day before; 0 = until the booking starts."),
    )

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["branch", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_duration_minutes__gte=F("min_duration_minutes")),
                name="room_max_duration_not_below_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.branch})"

    @property
    def amenity_list(self) -> list[str]:
        return [a.strip() for a in self.amenities.split(",") if a.strip()]


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


LIVE_BOOKING_STATUSES = [BookingStatus.PENDING, BookingStatus.CONFIRMED]


class BookingKind(models.TextChoices):
    BOOKING = "booking", _("Booking")
    EVENT = "event", _("Library event")
    SHIFT = "shift", _("Volunteer shift")
    # Staff keep a room for an event still being planned; released by itself at
    # ``hold_expires_at`` (and turned into the event's booking when the event is published).
    HOLD = "hold", _("Tentative hold")


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
    # --- added by the rooms issue ---
    kind = models.CharField(
        _("kind"), max_length=16, choices=BookingKind.choices, default=BookingKind.BOOKING
    )
    blocked_start = models.DateTimeField(
        _("blocked from"), help_text=_("Set by the booking service.")
    )
    blocked_end = models.DateTimeField(
        _("blocked until"), help_text=_("The end plus the room's buffer; set by the service.")
    )
    partner = models.ForeignKey(
        "core.Partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("on behalf of"),
    )
    attendees = models.PositiveIntegerField(_("expected number of people"), default=1)
    series_id = models.UUIDField(_("series"), null=True, blank=True, db_index=True)
    price_tier = models.CharField(
        _("price tier"), max_length=8, choices=PriceTier.choices, default=PriceTier.FREE
    )
    price_dkk = models.DecimalField(
        _("price (DKK)"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    no_show = models.BooleanField(_("no-show"), default=False)
    hold_expires_at = models.DateTimeField(
        _("hold expires"),
        null=True,
        blank=True,
        help_text=_("A tentative hold frees the room by itself at this time."),
    )

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        indexes = [
            models.Index(fields=["room", "blocked_start"], name="booking_room_blocked"),
            models.Index(fields=["booker", "start"], name="booking_booker_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(
                condition=Q(blocked_start__lte=F("start"), blocked_end__gte=F("end")),
                name="booking_blocked_covers_booking",
            ),
            models.CheckConstraint(
                condition=Q(attendees__gte=1), name="booking_attendees_at_least_one"
            ),
            # A tentative hold always has an expiry; nothing else has one.
            models.CheckConstraint(
                condition=Q(kind="hold", hold_expires_at__isnull=False)
                | (~Q(kind="hold") & Q(hold_expires_at__isnull=True)),
                name="booking_hold_iff_expiry",
            ),
            PgOnlyExclusionConstraint(
                name="booking_no_overlap",
                expressions=[
                    (
                        TsTzRange("blocked_start", "blocked_end", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=["pending", "confirmed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_BOOKING_STATUSES


class EquipmentKind(models.TextChoices):
    PRINTER_3D = "3d_printer", _("3D printer")
    LASER_CUTTER = "laser_cutter", _("Laser cutter")
    VINYL_CUTTER = "vinyl_cutter", _("Vinyl cutter")
    SEWING_MACHINE = "sewing_machine", _("Sewing machine")
    LARGE_FORMAT_PRINTER = "large_format_printer", _("Large-format printer")
    SOLDERING_STATION = "soldering_station", _("Soldering station")
    ARDUINO_KIT = "arduino_kit", _("Arduino kit")
    MUSIC_PC = "music_pc", _("Music PC")
    PODCAST_KIT = "podcast_kit", _("Podcast kit")
    OTHER = "other", _("Other")


class Equipment(models.Model):
    """A makerspace machine booked in slots."""

    branch = models.ForeignKey(
        "core.Branch", on_delete=models.CASCADE, related_name="equipment", verbose_name=_("branch")
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="equipment",
        verbose_name=_("room"),
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=EquipmentKind.choices)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("bookable"), default=True)
    licence_required = models.BooleanField(_("licence required"), default=True)
    min_age = models.PositiveIntegerField(_("minimum age"), null=True, blank=True)
    slot_minutes = models.PositiveIntegerField(
        _("slot length (minutes)"), default=60, validators=[MinValueValidator(5)]
    )
    max_slots_per_day = models.PositiveIntegerField(
        _("most slots per person per day"), null=True, blank=True, default=2
    )
    max_slots_per_week = models.PositiveIntegerField(
        _("most slots per person per week"), null=True, blank=True, default=4
    )
    max_days_ahead = models.PositiveIntegerField(_("bookable days ahead"), default=42)
    release_after_minutes = models.PositiveIntegerField(
        _("free the slot if not checked in after (minutes)"), default=15
    )
    self_service_allowed = models.BooleanField(_("may be used in self-service hours"), default=True)

    class Meta:
        verbose_name = _("machine")
        verbose_name_plural = _("machines")
        ordering = ["branch", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.branch})"


class LicenceSource(models.TextChoices):
    STAFF = "staff", _("Granted by staff")
    COURSE = "course", _("Licence course")


class Licence(models.Model):
    """A person's machine licence (kørekort) for one kind of equipment."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="licences",
        verbose_name=_("person"),
    )
    equipment_kind = models.CharField(
        _("machine kind"), max_length=24, choices=EquipmentKind.choices
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    source = models.CharField(
        _("how"), max_length=8, choices=LicenceSource.choices, default=LicenceSource.STAFF
    )

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["person", "equipment_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "equipment_kind"], name="licence_one_per_person_and_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_equipment_kind_display()}"


class EquipmentBookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class EquipmentBooking(models.Model):
    """One or more slots of one machine."""

    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("machine")
    )
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="equipment_bookings",
        verbose_name=_("booked by"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EquipmentBookingStatus.choices,
        default=EquipmentBookingStatus.CONFIRMED,
    )
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    no_show = models.BooleanField(_("no-show"), default=False)

    class Meta:
        verbose_name = _("machine booking")
        verbose_name_plural = _("machine bookings")
        ordering = ["start"]
        indexes = [
            models.Index(fields=["equipment", "start"], name="eqbooking_equipment_start"),
            models.Index(fields=["booker", "start"], name="eqbooking_booker_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="equipment_booking_end_after_start"
            ),
            PgOnlyExclusionConstraint(
                name="equipment_booking_no_overlap",
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("equipment", RangeOperators.EQUAL),
                ],
                condition=Q(status="confirmed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.equipment} {self.start:%Y-%m-%d %H:%M}"
