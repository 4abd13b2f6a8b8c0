from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import IdMultipleChoiceField
from core.models import Branch, Partner, Role, Track, User
from core.selectors import branches_managed_by
from events.models import Event, EventSeries
from plans.models import QUARTERS, InitiativeStatus, Plan
from plans.selectors import year_bounds


class InitiativeForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Action plan"), queryset=Plan.objects.order_by("-year"), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    quarters = forms.TypedMultipleChoiceField(
        label=_("Quarters"),
        choices=[(q, _("Q%(quarter)s") % {"quarter": q}) for q in QUARTERS],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    tracks = IdMultipleChoiceField(
        label=_("Tracks"),
        queryset=Track.objects.order_by("position"),
        widget=forms.CheckboxSelectMultiple,
    )
    branches = IdMultipleChoiceField(
        label=_("Branches"),
        queryset=Branch.objects.order_by("position", "name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("You can add and remove only your own branches."),
    )
    partners = IdMultipleChoiceField(
        label=_("Partners"),
        queryset=Partner.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible"),
        queryset=User.objects.filter(
            Q(role__in=[Role.STAFF, Role.ADMINISTRATOR]), is_active=True
        ).order_by("name"),
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=InitiativeStatus.choices)
    evaluation = forms.CharField(
        label=_("Short evaluation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    events = IdMultipleChoiceField(
        label=_("Events that carry it out"),
        queryset=Event.objects.none(),
        required=False,
        help_text=_("Events of the plan's year; hold Ctrl (or ⌘) to choose several."),
    )
    series = IdMultipleChoiceField(
        label=_("Event series that carry it out"),
        queryset=EventSeries.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, user: User, year: int, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not user.is_administrator:
            mine = branches_managed_by(user=user)
            if not editing:
                branches = cast(forms.ModelChoiceField, self.fields["branches"])
                branches.queryset = mine.order_by("position", "name")
        start, end = year_bounds(year)
        events = cast(forms.ModelChoiceField, self.fields["events"])
        events.queryset = (
            Event.objects.filter(start__gte=start, start__lt=end)
            .select_related("branch")
            .order_by("start")
        )
        events.label_from_instance = lambda e: (  # type: ignore[method-assign, assignment]
            f"{timezone.localtime(e.start):%d.%m.%Y} {e.title} ({e.branch.name})"
        )
        series = cast(forms.ModelChoiceField, self.fields["series"])
        series.queryset = (
            EventSeries.objects.filter(events__start__gte=start, events__start__lt=end)
            .distinct()
            .order_by("title")
        )
        if editing:
            del self.fields["plan"]
