"""The base everyone stands on: people, branches, hours, closures, tracks."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    DANISH = "da", _("Danish")
    ENGLISH = "en", _("English")


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    VOLUNTEER = "volunteer", _("Volunteer")
    STAFF = "staff", _("Staff")
    ADMINISTRATOR = "administrator", _("Administrator")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("role", Role.CITIZEN)
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("role", Role.ADMINISTRATOR)
        extra["is_staff"] = True
        extra["is_superuser"] = True
        extra.setdefault("name", "Administrator")
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: citizen, volunteer, staff member or administrator. Logs in by e-mail."""

    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.DANISH
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CITIZEN)
    branches = models.ManyToManyField(
        "core.Branch",
        blank=True,
        related_name="staff",
        verbose_name=_("branches (staff)"),
        help_text=_("The branches a staff member works for and may manage."),
    )
    birth_date = models.DateField(
        _("birth date"), null=True, blank=True, help_text=_("Used for age limits only.")
    )
    municipality = models.CharField(
        _("home municipality (number)"),
        max_length=4,
        blank=True,
        help_text=_(
            "From the library login (Adgangsplatformen), renewed at each login; e.g. 265 for "
            "Roskilde. Decides resident prices and booking windows."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin access"), default=False, help_text=_("May log in to the admin site.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    last_activity = models.DateTimeField(_("last activity"), null=True, blank=True)

    objects = UserManager()
    # Set by ``AbstractBaseUser.set_password`` to the new raw password until the next save;
    # the stubs do not declare it.
    _password: str | None

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[
        list[str]
    ] = []  # createsuperuser --noinput needs only e-mail and password

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new password ends every API token of the person, whichever door set it (reset,
        # change, the admin, ``changepassword``): the one place all of them pass through.
        # Django's own hook works the same way (``_password`` is set by ``set_password``).
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            from core.services import user_password_changed  # core.services imports models

            user_password_changed(user=self)

    @property
    def is_library_staff(self) -> bool:
        return self.is_active and self.role in {Role.STAFF, Role.ADMINISTRATOR}

    @property
    def is_administrator(self) -> bool:
        return self.is_active and (self.role == Role.ADMINISTRATOR or self.is_superuser)

    @property
    def is_resident(self) -> bool:
        """Lives in the library's own municipality (``MODESTED_MUNICIPALITY``), as the
        library login last said."""
        own = settings.MODESTED_MUNICIPALITY
        return bool(own) and self.municipality == own

    @property
    def is_volunteer(self) -> bool:
        return self.is_active and self.role == Role.VOLUNTEER


class BranchKind(models.TextChoices):
    MAIN = "main", _("Main library")
    LOCAL = "local", _("Local library")
    BOOKMOBILE = "bookmobile", _("Bookmobile")


class Branch(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=BranchKind.choices)
    town = models.CharField(_("town"), max_length=80)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=8, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # Not columns: set on the branches the home and staff pages show (``core.views``).
    today_hours: list[OpeningHours]
    closed_reason: str | None

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class HoursKind(models.TextChoices):
    STAFFED = "staffed", _("Staffed")
    SELF_SERVICE = "self_service", _("Self-service")
    CITIZEN_SERVICE = "citizen_service", _("Citizen service")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


# ``OpeningHours.valid_from`` of hours that have always been in force.
HOURS_ALWAYS = date(2000, 1, 1)


class OpeningHours(models.Model):
    """One interval of one weekday: e.g. Monday 10:00-19:00 staffed."""

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("branch")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=HoursKind.choices, default=HoursKind.STAFFED
    )
    # The week of one kind in force from this day until a later ``valid_from`` of the same
    # branch and kind (``core.selectors.hours_in_force``); the default means "always".
    valid_from = models.DateField(_("valid from"), default=HOURS_ALWAYS)

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["branch", "valid_from", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="opening_hours_closes_after_opens"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch}: {self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Closure(models.Model):
    """A date range when one branch (or every branch, if none is given) is closed.

    Whole days, unless ``from_time`` (the first day's closing time) or ``until_time`` (the
    last day's reopening time) are given: "from 12:00 tomorrow", "today until 14:00".
    """

    branch = models.ForeignKey(
        Branch,
        on_delete=models.CASCADE,
        related_name="closures",
        null=True,
        blank=True,
        verbose_name=_("branch"),
        help_text=_("Leave empty to close every branch."),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    from_time = models.TimeField(
        _("closed from"), null=True, blank=True, help_text=_("Empty: from the start of the day.")
    )
    until_time = models.TimeField(
        _("closed until"), null=True, blank=True, help_text=_("Empty: to the end of the day.")
    )
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="closure_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on"))
                | Q(from_time__isnull=True)
                | Q(until_time__isnull=True)
                | Q(until_time__gt=models.F("from_time")),
                name="closure_hours_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        where = self.branch.name if self.branch is not None else _("all branches")
        return f"{where}: {self.starts_on}–{self.ends_on} ({self.reason})"


class BookmobileStop(models.Model):
    """A timed weekly stop of the bookmobile."""

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="stops", verbose_name=_("bookmobile")
    )
    name = models.CharField(_("stop"), max_length=120)
    place = models.CharField(_("place"), max_length=200, blank=True)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    arrives = models.TimeField(_("from"))
    departs = models.TimeField(_("to"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("bookmobile stop")
        verbose_name_plural = _("bookmobile stops")
        ordering = ["weekday", "arrives"]
        constraints = [
            models.CheckConstraint(
                condition=Q(departs__gt=models.F("arrives")), name="stop_departs_after_arrival"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.name} ({self.get_weekday_display()} {self.arrives:%H:%M}-{self.departs:%H:%M})"
        )


class TranslatedNameMixin(models.Model):
    name_da = models.CharField(_("name (Danish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "da").startswith("en") else self.name_da


class Track(TranslatedNameMixin):
    """One of the action plan's seven development tracks (udviklingsspor)."""

    slug = models.SlugField(_("slug"), unique=True)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["position"]

    @property
    def description(self) -> str:
        return (
            self.description_en
            if (get_language() or "da").startswith("en")
            else self.description_da
        )


class Audience(TranslatedNameMixin):
    """A target group (målgruppe): alle, børn, unge, voksne, ældre, familier."""

    slug = models.SlugField(_("slug"), unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["position"]


class PartnerKind(models.TextChoices):
    VOLUNTARY_SOCIAL = "voluntary_social", _("Voluntary social association (§18)")
    ADULT_EDUCATION = "adult_education", _("Adult-education association (folkeoplysende)")
    MUNICIPAL = "municipal", _("Municipal")
    CULTURAL_INSTITUTION = "cultural_institution", _("Cultural institution")
    BUSINESS = "business", _("Business")
    OTHER = "other", _("Other")


class Partner(models.Model):
    """A partner (samarbejdspartner): an association, institution or business."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=24, choices=PartnerKind.choices)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="partners",
        verbose_name=_("members who may book on its behalf"),
    )

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AuditLog(models.Model):
    """Who changed what, when: one row for every state change, written by services."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("object type"), max_length=80)
    target_id = models.CharField(_("object id"), max_length=40)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        when = timezone.localtime(self.created_at)  # the libraries' time, as the list shows it
        return f"{when:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"


class ApiToken(models.Model):
    """A key for the API (``Authorization: Token <key>``). Only its SHA-256 hash is stored.

    Made by ``POST /api/auth/token/`` (a fresh one at each login), renewed on use, refused
    once ``expires_at`` has passed, and removed when the person logs out through the API,
    revokes it on "my page", or gets a new password.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("person"),
    )
    name = models.CharField(
        _("name"), max_length=100, default="API", help_text=_("The app that uses the key.")
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("first characters"),
        max_length=8,
        editable=False,
        help_text=_("The start of the key, to tell keys apart; not enough to use it."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SignupRequest(models.Model):
    """A sign-up waiting for its e-mail address to be confirmed.

    No account exists until the link in the e-mail is followed, so a sign-up cannot claim
    someone else's address: each request carries its own password (hashed) and becomes the
    account only through its own link. Unconfirmed requests are deleted after the link's
    lifetime (``PASSWORD_RESET_TIMEOUT``, three days).
    """

    email = models.EmailField(_("e-mail"), db_index=True)
    name = models.CharField(_("name"), max_length=150)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.DANISH
    )
    password = models.CharField(_("password"), max_length=128)
    next_url = models.CharField(_("page to return to"), max_length=500, blank=True)
    token_hash = models.CharField(_("link hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("sign-up waiting for confirmation")
        verbose_name_plural = _("sign-ups waiting for confirmation")

    def __str__(self) -> str:
        return self.email
