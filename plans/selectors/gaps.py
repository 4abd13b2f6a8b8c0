"""Gaps: every shortfall against the plan, named in a sentence staff can paste into a report."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.models import Branch, Track
from plans.selectors.cells import Cell, Coverage, Gap, Target


def find_gaps(cov: Coverage) -> list[Gap]:
    """Name every shortfall against the plan in a sentence staff can paste into a report.

    Targets are yearly and judged on the whole year (held and planned events count
    toward an events target, so a June status shows what is still missing). A quarter
    gap is named where the plan expects the track at a branch in that quarter (an
    initiative runs there then, or the branch has its own target on the track) and no
    event is held or planned.
    """
    gaps: list[Gap] = []
    year = cov.year
    branch_ids = {b.pk for b in cov.scope_branches}
    for track in cov.tracks:
        if cov.branch is None:
            overall = cov.target(track=track) or Target(track_id=track.pk, branch_id=None)
            year_cell = cov.total(track=track, whole_year=True, all_branches=True)
            gaps += _target_gaps(
                track=track, branch=None, target=overall, cell=year_cell, year=year
            )
        for branch in cov.branches:
            if branch.pk not in branch_ids:
                continue
            branch_target = cov.target(track=track, branch=branch)
            if branch_target is not None:
                year_cell = cov.total(track=track, branch=branch, whole_year=True)
                gaps += _target_gaps(
                    track=track, branch=branch, target=branch_target, cell=year_cell, year=year
                )
            for q in cov.quarters:
                quarter_cell = cov.cells.get((track.pk, branch.pk, q)) or Cell()
                expected = branch_target is not None or quarter_cell.initiative_count > 0
                if expected and quarter_cell.events == 0:
                    gaps.append(
                        Gap(
                            track=track,
                            branch=branch,
                            quarter=q,
                            kind="no_event",
                            message=_(
                                "%(branch)s: no event held or planned on %(track)s in Q%(quarter)s"
                            )
                            % {"branch": branch.name, "track": track.name, "quarter": q},
                        )
                    )
    return gaps


def _target_gaps(
    *, track: Track, branch: Branch | None, target: Target, cell: Cell, year: int
) -> list[Gap]:
    found: list[Gap] = []
    where = f"{branch.name} – {track.name}" if branch is not None else track.name
    # Each sentence says what it counts, so it matches the numbers beside it: an events
    # target counts held *and* planned events (the heatmap shows them apart).
    checks = [
        (
            "initiatives",
            target.min_initiatives,
            cell.initiative_count,
            _(
                "%(where)s: %(count)s of %(target)s initiatives in the plan for %(year)s "
                "(dropped ones not counted)"
            ),
        ),
        (
            "events",
            target.min_events,
            cell.events,
            _(
                "%(where)s: %(count)s of %(target)s events (held or planned) in %(year)s: "
                "%(held)s held, %(planned)s planned"
            ),
        ),
        (
            "attendance",
            target.min_attendance,
            cell.attendance,
            _("%(where)s: attendance %(count)s of %(target)s people at held events in %(year)s"),
        ),
    ]
    for kind, minimum, count, text in checks:
        if minimum and count < minimum:
            message = text % {
                "where": where,
                "count": count,
                "target": minimum,
                "year": year,
                "held": cell.events_held,
                "planned": cell.events_planned,
            }
            found.append(Gap(track=track, branch=branch, quarter=None, kind=kind, message=message))
    return found
