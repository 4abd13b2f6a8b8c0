"""One truth: what an initiative's linked events say, beside the status staff gave it.

An initiative is carried out by events (linked one by one, or as a whole series). Its status
and evaluation are written by staff; the events say what really happened. Where the two
disagree (an initiative "Done" whose courses are still planned, "Dropped" while its
events run, "Planned" although events have been held) the plan page warns staff before
the report is made, and the report shows both side by side.

Three queries for any number of initiatives: the events linked one by one, the events of
linked series, and the checked-in seats of those events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import Event, EventState, Registration
from plans.models import Initiative, InitiativeStatus


@dataclass
class EventFacts:
    """What the events linked to one initiative say."""

    held: int = 0
    planned: int = 0
    cancelled: int = 0
    participants: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def linked(self) -> int:
        return self.held + self.planned + self.cancelled


def _event_rows(ids: list[int]) -> list[tuple[int, int, str, datetime, int | None]]:
    """(initiative id, event id, state, end, drop-in count) for direct and series links."""
    fields = ("pk", "state", "end", "attendance_count")
    direct = (
        Event.objects.filter(initiatives__in=ids).order_by().values_list("initiatives", *fields)
    )
    by_series = (
        Event.objects.filter(series__initiatives__in=ids)
        .order_by()
        .values_list("series__initiatives", *fields)
    )
    return list({(row[0], row[1]): row for row in [*direct, *by_series]}.values())


def _warnings(status: str, facts: EventFacts) -> list[str]:
    """The sentences that say where the status and the events disagree."""
    warnings = []
    if status == InitiativeStatus.DONE and facts.planned:
        warnings.append(
            ngettext(
                "Marked done, but %(n)s linked event is still planned.",
                "Marked done, but %(n)s linked events are still planned.",
                facts.planned,
            )
            % {"n": facts.planned}
        )
    if status == InitiativeStatus.DONE and facts.linked and not facts.held:
        warnings.append(_("Marked done, but none of its linked events has been held."))
    if status == InitiativeStatus.DROPPED and (facts.held or facts.planned):
        warnings.append(
            _("Marked dropped, but its linked events run (%(held)s held, %(planned)s planned).")
            % {"held": facts.held, "planned": facts.planned}
        )
    if status == InitiativeStatus.PLANNED and facts.held:
        warnings.append(
            ngettext(
                "Still marked planned, but %(n)s linked event has been held.",
                "Still marked planned, but %(n)s linked events have been held.",
                facts.held,
            )
            % {"n": facts.held}
        )
    return warnings


def initiative_event_facts(
    initiatives: Iterable[Initiative], *, now: datetime | None = None
) -> dict[int, EventFacts]:
    """``{initiative id: EventFacts}`` with the warnings where status and events disagree."""
    now = now or timezone.now()
    items = list(initiatives)
    facts = {i.pk: EventFacts() for i in items}
    if not items:
        return facts
    rows = _event_rows(list(facts))  # queries 1 and 2
    held_ids = {
        event_id
        for _i, event_id, state, end, _n in rows
        if state == EventState.PUBLISHED and end < now
    }
    seats = dict(
        Registration.objects.filter(event_id__in=held_ids, checked_in_at__isnull=False)
        .order_by()
        .values("event_id")
        .annotate(n=Sum("seats"))
        .values_list("event_id", "n")
    )  # query 3
    for initiative_id, event_id, state, end, dropin in rows:
        fact = facts[initiative_id]
        if state == EventState.CANCELLED:
            fact.cancelled += 1
        elif event_id in held_ids:
            fact.held += 1
            fact.participants += (dropin or 0) + (seats.get(event_id) or 0)
        elif end >= now:
            fact.planned += 1
    for initiative in items:
        facts[initiative.pk].warnings = _warnings(initiative.status, facts[initiative.pk])
    return facts


__all__ = ["EventFacts", "initiative_event_facts"]
