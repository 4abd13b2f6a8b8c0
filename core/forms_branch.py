"""Forms of the branch settings pages: they parse; the services check the rules."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import WithoutDashesMixin
from core.models import BookmobileStop, HoursKind, Weekday

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
INTERVALS = (1, 2)


class HoursForm(WithoutDashesMixin, forms.Form):
    """One kind's week from a date: up to two intervals per weekday (empty: closed)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=HoursKind.choices)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for wd, day in Weekday.choices:
            for n in INTERVALS:
                self.fields[f"d{wd}_opens{n}"] = forms.TimeField(
                    label=_("%(day)s opens") % {"day": day}, required=False, widget=TIME
                )
                self.fields[f"d{wd}_closes{n}"] = forms.TimeField(
                    label=_("%(day)s closes") % {"day": day}, required=False, widget=TIME
                )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for wd in range(7):
            for n in INTERVALS:
                opens, closes = data.get(f"d{wd}_opens{n}"), data.get(f"d{wd}_closes{n}")
                if (opens is None) != (closes is None):
                    missing = f"d{wd}_closes{n}" if closes is None else f"d{wd}_opens{n}"
                    if missing not in self.errors:
                        self.add_error(missing, _("Give both the opening and the closing time."))
        return data

    def days(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        """The weekday rows of the form, for the template."""
        return [
            (
                str(day),
                [(self[f"d{wd}_opens{n}"], self[f"d{wd}_closes{n}"]) for n in INTERVALS],
            )
            for wd, day in Weekday.choices
        ]

    def week(self) -> dict[int, list[tuple[time, time]]]:
        data = self.cleaned_data
        week: dict[int, list[tuple[time, time]]] = {}
        for wd in range(7):
            for n in INTERVALS:
                opens, closes = data.get(f"d{wd}_opens{n}"), data.get(f"d{wd}_closes{n}")
                if opens is not None and closes is not None:
                    week.setdefault(wd, []).append((opens, closes))
        return week

    @staticmethod
    def initial_for(week: dict[int, list[tuple[time, time]]]) -> dict[str, time]:
        initial: dict[str, time] = {}
        for wd, intervals in week.items():
            for n, (opens, closes) in enumerate(intervals[: len(INTERVALS)], start=1):
                initial[f"d{wd}_opens{n}"] = opens
                initial[f"d{wd}_closes{n}"] = closes
        return initial


class ClosureForm(WithoutDashesMixin, forms.Form):
    all_branches = forms.BooleanField(
        label=_("Close every branch"),
        required=False,
        help_text=_("Administrators only."),
    )
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE)
    from_time = forms.TimeField(
        label=_("Closed from (first day)"),
        required=False,
        widget=TIME,
        help_text=_("Empty: the whole day."),
    )
    until_time = forms.TimeField(
        label=_("Closed until (last day)"),
        required=False,
        widget=TIME,
        help_text=_("Empty: the whole day."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, administrator: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not administrator:
            del self.fields["all_branches"]


class StopForm(WithoutDashesMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = BookmobileStop
        fields = ["name", "place", "weekday", "arrives", "departs", "valid_from", "valid_until"]
        widgets = {
            "arrives": TIME,
            "departs": TIME,
            "valid_from": DATE,
            "valid_until": DATE,
        }

    def _post_clean(self) -> None:
        """Parsing only: the service checks the rules (and the model's constraints)."""
