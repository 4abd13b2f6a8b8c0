"""Forms of the volunteers' pages (parsing only; the rules live in the services)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.exceptions import RuleViolation
from core.forms import IdMultipleChoiceField, WithoutDashesMixin
from core.models import Audience, Branch, Track
from core.recurrence import with_first_day
from core.timeutils import local_today, local_tz, make_local
from events.models import MAX_PEOPLE
from rooms.models import Room
from volunteers.models import Activity, CertificateStatus

REPEAT_CHOICES = [
    ("", _("Once")),
    ("FREQ=WEEKLY", _("Every week")),
    ("FREQ=WEEKLY;INTERVAL=2", _("Every other week")),
    ("FREQ=MONTHLY", _("Every month (same weekday)")),
]


class ProposalForm(WithoutDashesMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    branch = forms.ModelChoiceField(label=_("Library"), queryset=Branch.objects.none())
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Room.objects.none(),
        required=False,
        help_text=_("Leave empty if you do not need a room."),
    )
    day = forms.DateField(
        label=_("Date (first time)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    repeat = forms.ChoiceField(label=_("Repeats"), choices=REPEAT_CHOICES, required=False)
    times = forms.IntegerField(
        label=_("Number of times"),
        min_value=1,
        max_value=60,
        required=False,
        help_text=_("For a series: how many times in all."),
    )
    tracks = IdMultipleChoiceField(
        label=_("Tracks"),
        queryset=Track.objects.order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Which of the plan's tracks does the session belong to?"),
    )
    audiences = IdMultipleChoiceField(
        label=_("For whom"),
        queryset=Audience.objects.order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        max_value=MAX_PEOPLE,
        required=False,
        help_text=_("Empty: no limit."),
    )
    children_under_15 = forms.BooleanField(label=_("Children under 15 take part"), required=False)

    def __init__(self, *args: Any, branches: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branch = cast(forms.ModelChoiceField, self.fields["branch"])
        branch.queryset = branches if branches is not None else Branch.objects.all()
        rooms = Room.objects.select_related("branch").order_by(
            "branch__position", "branch__name", "name"
        )
        if branches is not None:
            rooms = rooms.filter(branch__in=branches)  # only the volunteer's own libraries
        room_field = cast(forms.ModelChoiceField, self.fields["room"])
        room_field.queryset = rooms
        # Grouped by library in the list, so nobody picks a room at another library by mistake.
        grouped: dict[str, list[tuple[int, str]]] = {}
        for room in rooms:
            grouped.setdefault(room.branch.name, []).append((room.pk, room.name))
        room_field.choices = [("", _("No room")), *grouped.items()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day: date | None = data.get("day")
        if day and day < local_today():
            self.add_error("day", _("Choose a date from today on."))
        if day and data.get("start_time") and data.get("end_time"):
            try:
                data["start"] = make_local(day, data["start_time"], field="start_time")
                data["end"] = make_local(day, data["end_time"], field="end_time")
            except RuleViolation as error:
                self.add_error(error.field, error.message)
            else:
                if data["end"] <= data["start"]:
                    self.add_error("end_time", _("The session must end after it starts."))
        room, branch = data.get("room"), data.get("branch")
        if room is not None and branch is not None and room.branch_id != branch.pk:
            self.add_error(
                "room",
                _("%(room)s is at %(room_branch)s. Choose a room at %(branch)s, or no room.")
                % {"room": room.name, "room_branch": room.branch.name, "branch": branch.name},
            )
        repeat = data.get("repeat") or ""
        if repeat and not data.get("times"):
            self.add_error("times", _("Say how many times the session is held."))
        data["rrule"] = (
            with_first_day(f"{repeat};COUNT={data['times']}", day)
            if repeat and data.get("times") and day
            else ""
        )
        return data

    @classmethod
    def initial_from(cls, proposal: Any) -> dict[str, Any]:
        start: datetime = timezone.localtime(proposal.start, local_tz())
        end: datetime = timezone.localtime(proposal.end, local_tz())
        repeat, times = "", None
        if proposal.rrule:
            parts = dict(p.split("=", 1) for p in proposal.rrule.split(";") if "=" in p)
            times = int(parts.pop("COUNT", "0")) or None
            if parts.get("FREQ") == "MONTHLY":  # the BYDAY came from the first date
                parts.pop("BYDAY", None)
            repeat = ";".join(f"{k}={v}" for k, v in parts.items())
        return {
            "title": proposal.title,
            "description": proposal.description,
            "branch": proposal.branch_id,
            "room": proposal.room_id,
            "day": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "repeat": repeat,
            "times": times,
            "tracks": list(proposal.tracks.all()),
            "audiences": list(proposal.audiences.all()),
            "capacity": proposal.capacity,
            "children_under_15": proposal.children_under_15,
        }


class DecisionForm(WithoutDashesMixin, forms.Form):
    note = forms.CharField(
        label=_("Reason or the changes you would like"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class HoursFilterForm(WithoutDashesMixin, forms.Form):
    GROUPS = [
        ("volunteer", _("Volunteer")),
        ("activity", _("Activity")),
        ("track", _("Track")),
        ("branch", _("Library")),
        ("quarter", _("Quarter")),
    ]
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    group_by = forms.ChoiceField(label=_("Per"), choices=GROUPS, initial="volunteer")
    by_quarter = forms.BooleanField(label=_("Split by quarter"), required=False)


class AttendanceForm(WithoutDashesMixin, forms.Form):
    attended = forms.TypedChoiceField(
        label=_("Came"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
    )
    hours = forms.DecimalField(
        label=pgettext_lazy("volunteer hours", "Hours"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        required=False,
    )


class HoursCorrectionForm(WithoutDashesMixin, forms.Form):
    hours = forms.DecimalField(
        label=pgettext_lazy("volunteer hours", "Hours"), max_digits=5, decimal_places=2, min_value=0
    )
    note = forms.CharField(label=_("Why"), max_length=300)


class CertificateForm(WithoutDashesMixin, forms.Form):
    status = forms.ChoiceField(label=_("Child certificate"), choices=CertificateStatus.choices)
    checked_on = forms.DateField(
        label=_("Checked on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ShiftForm(WithoutDashesMixin, forms.Form):
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=Activity.objects.none())
    day = forms.DateField(
        label=_("Date (first time)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    needed = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=100, initial=1)
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Room.objects.none(),
        required=False,
        help_text=_("Leave empty if the shift needs no room."),
    )
    repeat = forms.ChoiceField(label=_("Repeats"), choices=REPEAT_CHOICES, required=False)
    times = forms.IntegerField(
        label=_("Number of times"),
        min_value=1,
        max_value=60,
        required=False,
        help_text=_("For a series: how many times in all."),
    )

    def __init__(self, *args: Any, activities: Any, rooms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        activity, room = (
            cast(forms.ModelChoiceField, self.fields[n]) for n in ("activity", "room")
        )
        activity.queryset = activities
        room.queryset = rooms

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day: date | None = data.get("day")
        if day and data.get("start_time") and data.get("end_time"):
            try:
                data["start"] = make_local(day, data["start_time"], field="start_time")
                data["end"] = make_local(day, data["end_time"], field="end_time")
            except RuleViolation as error:
                self.add_error(error.field, error.message)
            else:
                if data["end"] <= data["start"]:
                    self.add_error("end_time", _("The shift must end after it starts."))
        repeat = data.get("repeat") or ""
        if repeat and not data.get("times"):
            self.add_error("times", _("Say how many times the shift is held."))
        data["rrule"] = (
            with_first_day(f"{repeat};COUNT={data['times']}", day)
            if repeat and data.get("times") and day
            else ""
        )
        return data


class EnrolForm(WithoutDashesMixin, forms.Form):
    """Make an existing account a volunteer (the account is found by its e-mail)."""

    email = forms.EmailField(label=_("The volunteer's e-mail address"), max_length=254)
    branches = IdMultipleChoiceField(
        label=_("Helps at"), queryset=Branch.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    agreement_signed_on = forms.DateField(
        label=_("Volunteer agreement signed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    skills = forms.CharField(label=_("Skills"), max_length=500, required=False)
    languages = forms.CharField(label=_("Languages"), max_length=200, required=False)

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["branches"]).queryset = branches


class ActivityForm(WithoutDashesMixin, forms.Form):
    branch = forms.ModelChoiceField(label=_("Library"), queryset=Branch.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    tracks = IdMultipleChoiceField(
        label=_("Tracks"),
        queryset=Track.objects.order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    audiences = IdMultipleChoiceField(
        label=_("For whom"),
        queryset=Audience.objects.order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    children_under_15 = forms.BooleanField(label=_("Children under 15 take part"), required=False)
    withdraw_deadline_hours = forms.IntegerField(
        label=_("Volunteers may withdraw until (hours before the shift)"),
        min_value=0,
        max_value=336,
        initial=24,
    )

    def __init__(self, *args: Any, branches: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["branch"]).queryset = branches
        if editing:  # an activity stays at its branch
            del self.fields["branch"]

    @staticmethod
    def initial_from(activity: Activity) -> dict[str, Any]:
        return {
            "name": activity.name,
            "description": activity.description,
            "tracks": list(activity.tracks.all()),
            "audiences": list(activity.audiences.all()),
            "children_under_15": activity.children_under_15,
            "withdraw_deadline_hours": activity.withdraw_deadline_hours,
        }
