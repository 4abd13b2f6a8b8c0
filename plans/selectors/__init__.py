"""Reads of the plan: coverage per track × branch × quarter, gaps, drill-down.

Definitions (the same on the dashboard, in the API and in the status report):

- An event belongs to the year and quarter of its local start (Europe/Copenhagen).
  An event tagged with two tracks counts for both.
- **held**: published (not cancelled) and its end lies in the past;
  **planned**: not cancelled and its end lies in the future (drafts included);
  **cancelled**: state cancelled. A past draft is none of the three.
- **registrations**: the seats of confirmed (or checked-in) registrations on held and
  planned events. Waiting-list and cancelled registrations do not count.
- **attendance**: on held events, the seats of checked-in registrations plus the
  drop-in count (``Event.attendance_count``).
- **volunteer hours**: the sum of ``ShiftSignup.hours`` of sign-ups marked attended,
  by the shift's activity (its tracks and branch) and the shift's local start.
- **partners involved**: partners of held and planned events and of the initiatives;
  **audiences reached**: audiences of held and planned events.
- **initiatives**: initiatives of the year's plan that are not dropped, on the track,
  at the branch, running in the quarter (an initiative without quarters runs all year).

No number depends on who registered (``Registration.user``) – anonymised registrations
count the same – and nothing is copied: a moved or cancelled event is counted where and
as it is now. Everything is computed with a constant number of GROUP BY queries,
whatever the number of events.

The package, by capability: ``periods`` (year and quarter bounds, the scope asked for),
``counting`` (which events and registrations count), ``cells`` (``Cell``, ``Target``,
``Gap``, ``Coverage``), ``coverage`` (the query), ``gaps``, ``plans`` (plans and
initiatives, edit predicates) and ``drilldown`` (what is behind a number). Everything
is re-exported here: callers keep ``from plans import selectors``.
"""

# The tracks and branches the plan pages list, as the coverage loads them.
from core.selectors import branch_list, track_list
from plans.selectors.cells import Cell, Coverage, Gap, Key, Target, TargetKey
from plans.selectors.coverage import coverage
from plans.selectors.drilldown import (
    METRICS,
    ActivityHours,
    events_behind,
    initiatives_behind,
    volunteer_hours_behind,
)
from plans.selectors.gaps import find_gaps
from plans.selectors.periods import (
    PERIODS,
    current_year,
    parse_scope,
    quarter_bounds,
    quarter_name,
    year_bounds,
)
from plans.selectors.plans import (
    can_edit_initiative,
    can_see_drafts,
    editable_initiative_ids,
    initiative_get,
    initiative_get_for_edit,
    initiative_list,
    initiatives_by_track,
    initiatives_of_partner,
    initiatives_responsible,
    initiatives_to_link,
    plan_for_year,
    plan_list,
)
from plans.selectors.residence import Residence, participants_by_residence
from plans.selectors.staff import staff_count_gaps
from plans.selectors.truth import EventFacts, initiative_event_facts

__all__ = [
    "METRICS",
    "PERIODS",
    "Residence",
    "ActivityHours",
    "Cell",
    "Coverage",
    "EventFacts",
    "Gap",
    "Key",
    "Target",
    "TargetKey",
    "branch_list",
    "can_edit_initiative",
    "can_see_drafts",
    "coverage",
    "current_year",
    "editable_initiative_ids",
    "events_behind",
    "find_gaps",
    "initiative_event_facts",
    "initiative_get",
    "initiative_get_for_edit",
    "initiative_list",
    "initiatives_behind",
    "initiatives_of_partner",
    "initiatives_to_link",
    "initiatives_by_track",
    "initiatives_responsible",
    "parse_scope",
    "participants_by_residence",
    "plan_for_year",
    "plan_list",
    "quarter_bounds",
    "quarter_name",
    "staff_count_gaps",
    "track_list",
    "volunteer_hours_behind",
    "year_bounds",
]
