"""Page forms of the rooms app: they parse input; the services decide."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from core.exceptions import BookingConflict, DomainError
from core.forms import WithoutDashesMixin
from core.models import Branch, Partner, User
from core.pages import apply_domain_error
from core.timeutils import check_day_in_range, make_local
from rooms.models import Equipment, EquipmentKind, Room
from rooms.services import EQUIPMENT_FIELDS, ROOM_FIELDS

# Where a service's error about a field is shown on the booking form.
FIELD_MAP = {
    "start": "start_time",
    "end": "end_time",
    "repeat": "until",
    "attendees": "attendees",
    "purpose": "purpose",
    "partner": "partner",
}


class BookingForm(WithoutDashesMixin, forms.Form):
    day = forms.DateField(
        label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    start_time = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time", "step": 900})
    )
    end_time = forms.TimeField(
        label=_("To"), widget=forms.TimeInput(attrs={"type": "time", "step": 900})
    )
    purpose = forms.CharField(label=_("What is the room for?"), max_length=200)
    attendees = forms.IntegerField(label=_("Expected number of people"), min_value=1)
    partner = forms.ModelChoiceField(
        label=_("On behalf of (association)"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("Myself"),
    )
    every_weeks = forms.TypedChoiceField(
        label=_("Repeat"),
        choices=[("", _("Only once")), ("1", _("Every week")), ("2", _("Every second week"))],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "A series waits for staff approval. It is one request: you get one message "
            "listing its dates, and staff approve or reject it as a whole."
        ),
    )
    until = forms.DateField(
        label=_("Last date of the series"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    take_free = forms.BooleanField(
        label=_("If some dates are taken, book the free ones"), required=False
    )
    on_behalf_of = forms.EmailField(
        label=_("Book for (the person's e-mail)"),
        required=False,
        help_text=_("At the desk or on the phone: the person's own rules apply."),
    )
    override_reason = forms.CharField(
        label=_("Reason for bending a rule"),
        max_length=300,
        required=False,
        help_text=_(
            "Only if a rule refuses the booking and you decide to override it; "
            "kept in the audit log and shown to other staff."
        ),
    )

    def __init__(
        self, *args: Any, user: User | None = None, desk: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not desk:  # booking on someone's behalf is for staff of the room's branch
            del self.fields["on_behalf_of"]
            del self.fields["override_reason"]
        partner = cast(forms.ModelChoiceField, self.fields["partner"])
        if user is not None and user.is_authenticated:
            partner.queryset = user.partners.order_by("name")
        if partner.queryset is None or not partner.queryset.exists():
            partner.widget = forms.HiddenInput()

    def _local(self, name: str, day: Any, at: Any) -> datetime | None:
        try:
            return make_local(day, at, field=name)
        except DomainError as error:
            self.add_error(name, error.message)
            return None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day:
            try:
                check_day_in_range(day, field="day")
            except DomainError as error:
                self.add_error("day", error.message)
                day = None
        if day and start and end:
            data["start"] = self._local("start_time", day, start)
            data["end"] = self._local("end_time", day, end)
        if data.get("every_weeks") and not data.get("until"):
            self.add_error("until", _("Please give the last date of the series."))
        return data

    def add_domain_error(self, error: DomainError) -> None:
        """Put a refusal of ``rooms.services.booking_request`` beside the field it is about
        (``core.pages``); a taken time is about the chosen From–To of a single booking."""
        single_taken = isinstance(error, BookingConflict) and not self.cleaned_data.get(
            "every_weeks"
        )
        apply_domain_error(
            self, error, fields=FIELD_MAP, default="start_time" if single_taken else None
        )


class ReasonForm(WithoutDashesMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


# --- Staff set up rooms and machines (rooms.views_setup) -------------------------------------


# The largest number a count, a number of minutes or of days may have on these forms: far
# beyond any real rule, and inside every database's integer range.
MAX_NUMBER = 100_000


def _cap_numbers(form: forms.BaseForm) -> None:
    for form_field in form.fields.values():
        if isinstance(form_field, forms.IntegerField) and form_field.max_value is None:
            form_field.max_value = MAX_NUMBER
            form_field.validators.append(MaxValueValidator(MAX_NUMBER))
            form_field.widget.attrs["max"] = MAX_NUMBER


class RoomSetupForm(WithoutDashesMixin, forms.ModelForm):
    """A room's name, place in the branch and booking rules; the service decides.

    Parsed into a copy of the room (``instance``): the page's room itself is never touched.
    """

    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none())

    class Meta:
        model = Room
        fields = ("branch", *ROOM_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "amenities": forms.TextInput(),
        }

    def __init__(self, *args: Any, branches: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branch = cast(forms.ModelChoiceField, self.fields["branch"])
        branch.queryset = branches
        _cap_numbers(self)
        if editing:  # a room stays in its branch
            del self.fields["branch"]

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ROOM_FIELDS if name in self.cleaned_data}


class EquipmentSetupForm(WithoutDashesMixin, forms.ModelForm):
    """A machine: its kind, room, licence, age, slots, limits and release time."""

    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none())

    class Meta:
        model = Equipment
        fields = ("branch", *EQUIPMENT_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self, *args: Any, branches: Any, rooms: Any, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["branch"]).queryset = branches
        cast(forms.ModelChoiceField, self.fields["room"]).queryset = rooms
        _cap_numbers(self)
        if editing:  # a machine stays in its branch
            del self.fields["branch"]

    def changes(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in EQUIPMENT_FIELDS if name in self.cleaned_data
        }


class LicenceGrantForm(WithoutDashesMixin, forms.Form):
    """Who gets which licence; posted to ``rooms:licence-grant`` (the makerspace's own)."""

    email = forms.EmailField(label=_("The person's e-mail address"))
    equipment_kind = forms.ChoiceField(label=_("Machine kind"), choices=EquipmentKind.choices)
