"""Participants from the library's municipality and from elsewhere (issue #17).

Where a participant lives is what their library login (Adgangsplatformen) last said
(``User.municipality``), compared with ``MODESTED_MUNICIPALITY``. Registrations of people
who never logged in with it, walk-ins and anonymised registrations count as unknown.
Seats are counted as the coverage counts registrations (confirmed or checked in, on held
and planned events), in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from events.models import Registration
from plans.selectors.counting import _counted_registration_q, _held_q, _planned_q
from plans.selectors.periods import year_bounds


@dataclass(frozen=True)
class Residence:
    municipality: str  # the library's own municipality number ("" when not configured)
    resident: int  # seats of people living in the municipality
    elsewhere: int  # seats of people living in another municipality
    unknown: int  # seats of people whose municipality is not known


def participants_by_residence(
    *, year: int, branch_ids: Iterable[int] | None = None, now: datetime | None = None
) -> Residence:
    """The year's registered seats, split by where the participants live."""
    now = now or timezone.now()
    start, end = year_bounds(year)
    own = settings.MODESTED_MUNICIPALITY
    known = Q(user__isnull=False) & ~Q(user__municipality="")
    home = known & Q(user__municipality=own) if own else Q(pk__in=[])
    rows = Registration.objects.filter(
        _counted_registration_q(),
        _held_q(now, "event__") | _planned_q(now, "event__"),
        event__start__gte=start,
        event__start__lt=end,
    )
    if branch_ids is not None:
        rows = rows.filter(event__branch_id__in=list(branch_ids))
    totals = rows.aggregate(
        resident=Sum("seats", filter=home),
        elsewhere=Sum("seats", filter=known & ~home),
        unknown=Sum("seats", filter=~known),
    )
    return Residence(
        municipality=own,
        resident=totals["resident"] or 0,
        elsewhere=totals["elsewhere"] or 0,
        unknown=totals["unknown"] or 0,
    )
