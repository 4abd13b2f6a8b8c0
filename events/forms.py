"""Forms of the event pages (parsing only; the rules live in events.services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.exceptions import RuleViolation
from core.forms import IdMultipleChoiceField, WithoutDashesMixin
from core.models import Audience, BookmobileStop, Branch, Partner, Track
from core.recurrence import with_first_day
from core.selectors import audience_list, branch_list, track_list
from core.timeutils import check_day_in_range, local_tz, make_local
from events.models import DEFAULT_MAX_SEATS, MAX_PEOPLE, PlaceKind, SignupQuestion
from events.services import MAX_ANSWER, RoomFit, answer_field
from rooms.models import EquipmentKind, Room

# The audience of events for everyone (core's data migration); the filter's "All" covers it.
EVERYONE_AUDIENCE = "alle"

WEEKDAYS = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]


class CalendarFilterForm(WithoutDashesMixin, forms.Form):
    VIEWS = [("list", _("List")), ("week", _("Week")), ("month", _("Month"))]

    view = forms.ChoiceField(label=_("View"), choices=VIEWS, required=False)
    branch = forms.ChoiceField(label=_("Library"), required=False)
    track = forms.ChoiceField(label=_("Track"), required=False)
    audience = forms.ChoiceField(label=_("For whom"), required=False)
    date = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        branch, track, audience = (
            cast(forms.ChoiceField, self.fields[name]) for name in ("branch", "track", "audience")
        )
        branch.choices = everything + [(b.slug, b.name) for b in branch_list()]
        track.choices = everything + [(t.slug, t.name) for t in track_list()]
        # "All" already means everyone: the audience "Everyone" ("Alle") is not offered twice.
        audience.choices = everything + [
            (a.slug, a.name) for a in audience_list().exclude(slug=EVERYONE_AUDIENCE)
        ]

    def clean_date(self) -> dt.date | None:  # ``date`` is the field here
        day = self.cleaned_data.get("date")
        if day is not None:
            try:
                check_day_in_range(day, field="date")
            except RuleViolation as error:
                raise forms.ValidationError(error.message) from error
        return day


class StaffEventFilterForm(WithoutDashesMixin, forms.Form):
    """The staff event list's filters: library, state, from which date, and a search."""

    STATES = [
        ("", _("All states")),
        ("published", _("Published")),
        ("draft", _("Draft")),
        ("cancelled", _("Cancelled")),
    ]

    branch = forms.ChoiceField(label=_("Library"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)
    date = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branch = cast(forms.ChoiceField, self.fields["branch"])
        branch.choices = [("", _("All my libraries"))] + [(b.slug, b.name) for b in branches]

    def clean_date(self) -> dt.date | None:  # ``date`` is the field here
        day = self.cleaned_data.get("date")
        if day is not None:
            try:
                check_day_in_range(day, field="date")
            except RuleViolation as error:
                raise forms.ValidationError(error.message) from error
        return day


class RegisterForm(WithoutDashesMixin, forms.Form):
    """Seats, and an answer to each of the event's sign-up questions (``answer_<id>``)."""

    seats = forms.IntegerField(label=_("Number of seats"), min_value=1, initial=1)

    def __init__(
        self,
        *args: Any,
        max_seats: int = DEFAULT_MAX_SEATS,
        questions: Iterable[SignupQuestion] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.IntegerField, self.fields["seats"]).max_value = max_seats
        self.fields["seats"].widget.attrs.update({"min": 1, "max": max_seats})
        self.fields["seats"].help_text = _("Yourself included, at most %(max)s.") % {
            "max": max_seats
        }
        self.questions = list(questions)
        for question in self.questions:
            self.fields[answer_field(question)] = forms.CharField(
                label=question.label, required=question.required, max_length=MAX_ANSWER
            )

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(answer_field(q)) or "" for q in self.questions}


class CancelForm(WithoutDashesMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=300, widget=forms.TextInput
    )


class AttendanceForm(WithoutDashesMixin, forms.Form):
    attendance_count = forms.IntegerField(
        label=_("How many came?"), min_value=0, max_value=MAX_PEOPLE
    )


class SeriesForm(WithoutDashesMixin, forms.Form):
    """An event or a series of events: the dates come from the repeat fields (an RRULE)."""

    REPEAT = [
        ("", _("Does not repeat (a single event)")),
        ("DAILY", _("Every day")),
        ("WEEKLY", _("Every week")),
        ("MONTHLY", _("Every month (same weekday)")),
    ]

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    branch = forms.ModelChoiceField(label=_("Library"), queryset=Branch.objects.none())
    place_kind = forms.ChoiceField(label=_("Where"), choices=PlaceKind.choices)
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.select_related("branch"), required=False
    )
    stop = forms.ModelChoiceField(
        label=_("Bookmobile stop"), queryset=BookmobileStop.objects.all(), required=False
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    day = forms.DateField(
        label=_("Date (first date of a series)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    repeat = forms.ChoiceField(label=_("Repeats"), choices=REPEAT, required=False)
    interval = forms.IntegerField(
        label=_("Every how many weeks/days/months"),
        min_value=1,
        max_value=52,
        initial=1,
        required=False,
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On these weekdays (weekly)"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    count = forms.IntegerField(
        label=_("Number of times"), min_value=1, max_value=366, required=False
    )
    until = forms.DateField(
        label=_("…or until this date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    include_closed = forms.BooleanField(
        label=_("Held although the library is closed"),
        required=False,
        help_text=_(
            "A single event on a public holiday or a day the library is closed; for a series, "
            "its dates on such days are kept instead of left out. Say why below."
        ),
    )
    closed_override_reason = forms.CharField(
        label=_("Why it is held although the library is closed"),
        required=False,
        max_length=300,
        help_text=_("Only needed when a date falls on a day the library is closed."),
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=MAX_PEOPLE,
        required=False,
        help_text=_("Empty: no limit."),
    )
    registration_required = forms.BooleanField(
        label=_("Registration required"),
        required=False,
        initial=True,
        help_text=_(
            "Without registration it is a drop-in event; you enter the attendance afterwards."
        ),
    )
    max_seats_per_registration = forms.IntegerField(
        label=_("Most seats per registration"), min_value=1, max_value=50, initial=DEFAULT_MAX_SEATS
    )
    price_dkk = forms.DecimalField(
        label=_("Price (kr.)"), min_value=0, max_digits=8, decimal_places=2, initial=0
    )
    tracks = IdMultipleChoiceField(
        label=_("Tracks"),
        queryset=Track.objects.order_by("position"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least one before publishing."),
    )
    audiences = IdMultipleChoiceField(
        label=_("For whom"),
        queryset=Audience.objects.order_by("position"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners = IdMultipleChoiceField(
        label=_("Partners"), queryset=Partner.objects.order_by("name"), required=False
    )
    licence_equipment_kind = forms.ChoiceField(
        label=_("Licence course for"),
        choices=[("", _("Not a licence course"))] + list(EquipmentKind.choices),
        required=False,
    )
    image = forms.ImageField(
        label=_("Image"),
        required=False,
        help_text=_("JPEG or PNG; made at most 1200 pixels wide on upload."),
    )
    image_alt = forms.CharField(
        label=_("Image description"),
        required=False,
        max_length=200,
        help_text=_("Required with an image: what it shows, for those who cannot see it."),
    )
    questions = forms.CharField(
        label=_("Questions at sign-up"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One question per line, e.g. “The child's name and age”. Everyone who registers "
            "must answer them; you see the answers at check-in."
        ),
    )
    publish = forms.BooleanField(label=_("Publish now"), required=False)

    def __init__(self, *args: Any, branches: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branch = cast(forms.ModelChoiceField, self.fields["branch"])
        branch.queryset = branches if branches is not None else Branch.objects.all()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        day: date = data["day"]
        start_time: time = data["start_time"]
        end_time: time = data["end_time"]
        try:
            start = make_local(day, start_time, field="start_time")
            end = make_local(day, end_time, field="end_time")
        except RuleViolation as error:
            raise forms.ValidationError(error.message) from error
        if end <= start:
            self.add_error("end_time", _("The end must be after the start."))
        data["start"], data["end"] = start, end
        data["rrule"] = self._rrule(data)
        return data

    def _rrule(self, data: dict[str, Any]) -> str:
        freq = data.get("repeat")
        if not freq:
            return ""
        parts = [f"FREQ={freq}"]
        if (data.get("interval") or 1) > 1:
            parts.append(f"INTERVAL={data['interval']}")
        if freq == "WEEKLY" and data.get("weekdays"):
            parts.append("BYDAY=" + ",".join(data["weekdays"]))
        if data.get("count"):
            parts.append(f"COUNT={data['count']}")
        elif data.get("until"):
            parts.append(f"UNTIL={data['until']:%Y%m%d}")
        else:
            self.add_error("count", _("Say how many times, or until which date."))
        return with_first_day(";".join(parts), data["day"])

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        kwargs: dict[str, Any] = {
            "title": d["title"],
            "description": d["description"],
            "branch": d["branch"],
            "place_kind": d["place_kind"],
            "room": d["room"] if d["place_kind"] == PlaceKind.ROOM else None,
            "stop": d["stop"] if d["place_kind"] == PlaceKind.BOOKMOBILE_STOP else None,
            "address": d["address"],
            "online_url": d["online_url"],
            "start": d["start"],
            "end": d["end"],
            "capacity": d["capacity"],
            "registration_required": d["registration_required"],
            "max_seats_per_registration": d["max_seats_per_registration"],
            "price_dkk": d["price_dkk"],
            "tracks": list(d["tracks"]),
            "audiences": list(d["audiences"]),
            "partners": list(d["partners"]),
            "licence_equipment_kind": d["licence_equipment_kind"],
            "image_alt": d["image_alt"],
            "questions": [line for line in d["questions"].splitlines() if line.strip()],
            "state": "published" if d["publish"] else "draft",
            "closed_override_reason": d["closed_override_reason"],
        }
        if not d["rrule"]:  # a series gets the tick as include_closed (from the view)
            kwargs["closed_override"] = d["include_closed"]
        if d.get("image"):
            kwargs["image"] = d["image"]
        return kwargs


def local_datetime(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


class EventEditForm(WithoutDashesMixin, forms.Form):
    """Change one date of a series (or a one-off event): it then keeps its own changes."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place_kind = forms.ChoiceField(label=_("Where"), choices=PlaceKind.choices)
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    capacity = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=MAX_PEOPLE,
        required=False,
        help_text=_("Empty: no limit."),
    )
    max_seats_per_registration = forms.IntegerField(
        label=_("Most seats per registration"), min_value=1, max_value=50
    )
    tracks = IdMultipleChoiceField(
        label=_("Tracks"),
        queryset=Track.objects.order_by("position"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least one before publishing."),
    )
    partners = IdMultipleChoiceField(
        label=_("Partners"), queryset=Partner.objects.order_by("name"), required=False
    )
    published = forms.BooleanField(label=_("Published"), required=False)
    closed_override = forms.BooleanField(
        label=_("Held although the library is closed"),
        required=False,
        help_text=_("Tick this to hold the event on a day the library is closed, and say why."),
    )
    closed_override_reason = forms.CharField(
        label=_("Why it is held although the library is closed"),
        required=False,
        max_length=300,
    )
    registration_opens_at = forms.DateTimeField(
        label=_("Registration opens"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: at once. Before it, people can ask to be told when it opens."),
    )
    waitlist_overflow = forms.BooleanField(
        label=_("If the new room is too small, move those who registered last to the waiting list"),
        required=False,
        help_text=_("They go first in line, and each is told."),
    )
    image = forms.ImageField(
        label=_("New image"),
        required=False,
        help_text=_("JPEG or PNG; replaces the current image, made at most 1200 pixels wide."),
    )
    image_remove = forms.BooleanField(label=_("Remove the image"), required=False)
    image_alt = forms.CharField(
        label=_("Image description"),
        required=False,
        max_length=200,
        help_text=_("Required with an image: what it shows, for those who cannot see it."),
    )

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        tz = local_tz()
        start, end = event.start.astimezone(tz), event.end.astimezone(tz)
        kwargs.setdefault(
            "initial",
            {
                "title": event.title,
                "description": event.description,
                "day": start.date(),
                "start_time": start.time(),
                "end_time": end.time(),
                "place_kind": event.place_kind,
                "room": event.room_id,
                "address": event.address,
                "online_url": event.online_url,
                "capacity": event.capacity,
                "max_seats_per_registration": event.max_seats_per_registration,
                "tracks": list(event.tracks.all()),
                "partners": list(event.partners.all()),
                "published": event.state == "published",
                "closed_override": bool(event.closed_override_reason),
                "closed_override_reason": event.closed_override_reason,
                "registration_opens_at": (
                    event.registration_opens_at.astimezone(tz)
                    if event.registration_opens_at
                    else None
                ),
            },
        )
        kwargs["initial"].setdefault("image_alt", event.image_alt)
        super().__init__(*args, **kwargs)
        room = cast(forms.ModelChoiceField, self.fields["room"])
        room.queryset = Room.objects.filter(branch_id=event.branch_id)
        self._question_fields(event.series.asked_questions())

    def _question_fields(self, asked: list[SignupQuestion]) -> None:
        """A field per question asked (its wording, optional, remove), then new questions."""
        self.asked = asked
        for n, question in enumerate(asked, start=1):
            self.fields[f"question_{question.pk}"] = forms.CharField(
                label=_("Question %(n)s at sign-up") % {"n": n},
                initial=question.label,
                required=False,
                max_length=200,
            )
            self.fields[f"question_{question.pk}_optional"] = forms.BooleanField(
                label=_("Answer optional"), required=False, initial=not question.required
            )
            self.fields[f"question_{question.pk}_remove"] = forms.BooleanField(
                label=_("Stop asking this question"),
                required=False,
                help_text=_("Answers already given stay readable for staff."),
            )
        self.fields["questions"] = forms.CharField(
            label=_("New questions at sign-up"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_(
                "One question per line; an answer is required unless you mark it optional "
                "afterwards. Every date of the series asks the same questions."
            ),
        )

    def question_changes(self) -> list[dict[str, Any]]:
        """The questions as the service takes them (``events.services.QuestionChange``)."""
        d = self.cleaned_data
        kept = [
            {
                "id": q.pk,
                "question": d[f"question_{q.pk}"],
                "required": not d[f"question_{q.pk}_optional"],
            }
            for q in self.asked
            if not d[f"question_{q.pk}_remove"]
        ]
        new = [{"question": line} for line in d["questions"].splitlines() if line.strip()]
        return kept + new

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        try:
            start = make_local(data["day"], data["start_time"], field="start_time")
            end_day = data["day"] + (
                timedelta(days=1) if data["end_time"] <= data["start_time"] else timedelta(0)
            )
            end = make_local(end_day, data["end_time"], field="end_time")
        except RuleViolation as error:
            raise forms.ValidationError(error.message) from error
        data["start"], data["end"] = start, end
        return data

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        room = d["room"] if d["place_kind"] == PlaceKind.ROOM else None
        return {
            "title": d["title"],
            "description": d["description"],
            "start": d["start"],
            "end": d["end"],
            "place_kind": d["place_kind"],
            "room": room,
            "address": d["address"],
            "online_url": d["online_url"],
            "capacity": d["capacity"],
            "max_seats_per_registration": d["max_seats_per_registration"],
            "tracks": list(d["tracks"]),
            "partners": list(d["partners"]),
            "state": "published" if d["published"] else "draft",
            "closed_override": d["closed_override"],
            "closed_override_reason": d["closed_override_reason"],
            "registration_opens_at": d["registration_opens_at"],
            **({"room_fit": RoomFit(to_waitlist=True)} if d["waitlist_overflow"] else {}),
            **({"image": d["image"]} if d["image"] else {}),
            **({"image": None} if d["image_remove"] and not d["image"] else {}),
            "image_alt": d["image_alt"],
            "questions": self.question_changes(),
        }


class AssociationEventForm(forms.Form):
    """A public event an association proposes in its room booking (the service decides)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description for the programme"), widget=forms.Textarea(attrs={"rows": 5})
    )
    tracks = IdMultipleChoiceField(
        label=_("Tracks"),
        queryset=Track.objects.order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Which of the library's tracks does the event belong to?"),
    )
    audiences = IdMultipleChoiceField(
        label=_("For whom"),
        queryset=Audience.objects.order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    capacity = forms.IntegerField(
        label=_("Places"), min_value=1, max_value=MAX_PEOPLE, required=False
    )
    registration_required = forms.TypedChoiceField(
        label=_("Registration"),
        choices=[("1", _("People register")), ("0", _("Drop-in: just come along"))],
        coerce=lambda value: value == "1",
        initial="1",
    )
