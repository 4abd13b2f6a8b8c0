"""The numbers of the plan: a ``Cell`` per track × branch × quarter, targets, gaps, coverage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from core.models import Branch, Track
from plans.models import DEFAULT_MIN_INITIATIVES, QUARTERS, InitiativeStatus, Plan
from plans.selectors.periods import quarter_name


@dataclass
class Cell:
    """The numbers of one track at one branch in one quarter (or a sum of such cells)."""

    initiatives: dict[str, set[int]] = field(default_factory=dict)
    events_held: int = 0
    events_cancelled: int = 0
    events_planned: int = 0
    registrations: int = 0
    attendance: int = 0
    volunteer_hours: Decimal = Decimal("0")
    partners: set[str] = field(default_factory=set)
    audiences: set[str] = field(default_factory=set)
    # Participants (attendance of held events) per audience slug: an event for two
    # audiences counts its participants for both, as an event on two tracks does.
    audience_participants: dict[str, int] = field(default_factory=dict)

    def add(self, other: Cell) -> None:
        for status, ids in other.initiatives.items():
            self.initiatives.setdefault(status, set()).update(ids)
        self.events_held += other.events_held
        self.events_cancelled += other.events_cancelled
        self.events_planned += other.events_planned
        self.registrations += other.registrations
        self.attendance += other.attendance
        self.volunteer_hours += other.volunteer_hours
        self.partners |= other.partners
        self.audiences |= other.audiences
        for slug, n in other.audience_participants.items():
            self.audience_participants[slug] = self.audience_participants.get(slug, 0) + n

    @property
    def initiative_ids(self) -> set[int]:
        ids: set[int] = set()
        for status, members in self.initiatives.items():
            if status != InitiativeStatus.DROPPED:
                ids |= members
        return ids

    @property
    def initiative_count(self) -> int:
        """Initiatives that count toward the target (all but dropped ones)."""
        return len(self.initiative_ids)

    def initiatives_by_status(self) -> dict[str, int]:
        return {status: len(self.initiatives.get(status, ())) for status in InitiativeStatus.values}

    @property
    def events(self) -> int:
        """Held and planned events: what counts toward an events target."""
        return self.events_held + self.events_planned

    @property
    def partner_count(self) -> int:
        return len(self.partners)


@dataclass(frozen=True)
class Target:
    track_id: int
    branch_id: int | None
    min_initiatives: int = DEFAULT_MIN_INITIATIVES
    min_events: int | None = None
    min_attendance: int | None = None


@dataclass(frozen=True)
class Gap:
    track: Track
    branch: Branch | None
    quarter: int | None
    kind: str
    message: str

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "track": self.track.slug,
            "branch": self.branch.slug if self.branch else None,
            "quarter": self.quarter,
            "message": self.message,
        }


Key = tuple[int, int, int]  # (track id, branch id, quarter)
TargetKey = tuple[int, int | None]  # (track id, branch id or None for the track overall)


@dataclass
class Coverage:
    """Coverage of one year, scoped to some quarters and perhaps one branch."""

    year: int
    quarter: int | None
    quarters: tuple[int, ...]
    branch: Branch | None
    plan: Plan | None
    tracks: list[Track]
    branches: list[Branch]
    cells: dict[Key, Cell]
    targets: dict[TargetKey, Target]
    now: datetime
    gaps: list[Gap] = field(default_factory=list)

    @property
    def scope_branches(self) -> list[Branch]:
        return [self.branch] if self.branch is not None else self.branches

    def total(
        self,
        *,
        track: Track | int | None = None,
        branch: Branch | int | None = None,
        quarter: int | None = None,
        whole_year: bool = False,
        all_branches: bool = False,
    ) -> Cell:
        """The sum of the cells that match; unset filters fall back to the coverage's scope."""
        track_id = track.pk if isinstance(track, Track) else track
        if branch is not None:
            branch_ids: set[int] | None = {branch.pk if isinstance(branch, Branch) else branch}
        elif self.branch is not None and not all_branches:
            branch_ids = {self.branch.pk}
        else:
            branch_ids = None
        if quarter is not None:
            quarters: Iterable[int] = (quarter,)
        elif whole_year:
            quarters = QUARTERS
        else:
            quarters = self.quarters
        quarter_set = set(quarters)
        result = Cell()
        for (t, b, q), cell in self.cells.items():
            if track_id is not None and t != track_id:
                continue
            if branch_ids is not None and b not in branch_ids:
                continue
            if q not in quarter_set:
                continue
            result.add(cell)
        return result

    def target(self, *, track: Track, branch: Branch | None = None) -> Target | None:
        """The target for a track overall (default 3 initiatives) or at one branch (or None)."""
        if branch is None:
            return self.targets.get((track.pk, None)) or Target(track_id=track.pk, branch_id=None)
        return self.targets.get((track.pk, branch.pk))

    def gaps_for(self, track: Track) -> list[Gap]:
        return [gap for gap in self.gaps if gap.track.pk == track.pk]

    def quarter_label(self) -> str:
        if self.quarter is not None:
            return quarter_name(self.quarter)
        if self.quarters == (1, 2):
            return _("first half")
        return _("whole year")
