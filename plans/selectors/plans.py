"""Plans and initiatives: lists in a fixed number of queries, gates and edit predicates."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from core.exceptions import NotFound, PermissionDenied
from core.models import Branch, Partner, Track, User
from core.selectors import branches_managed_by
from core.timeutils import local_today
from events.models import Event, EventSeries
from plans.models import Initiative, Plan, TrackTarget


def can_see_drafts(user: User | None) -> bool:
    """Draft plans (next year's, before the committee has seen it) are for library staff only."""
    return bool(user is not None and user.is_authenticated and user.is_library_staff)


def plan_list(*, include_drafts: bool = True) -> QuerySet[Plan]:
    qs = Plan.objects.all() if include_drafts else Plan.objects.filter(is_draft=False)
    return qs.order_by("-year").prefetch_related(
        Prefetch(
            "targets",
            queryset=TrackTarget.objects.select_related("track", "branch").order_by(
                "track__position", "branch__position"
            ),
        )
    )


def plan_for_year(*, year: int) -> Plan | None:
    return Plan.objects.filter(year=year).first()


def initiative_list(
    *,
    year: int | None = None,
    track: str | None = None,
    branch: str | None = None,
    status: str | None = None,
    include_drafts: bool = True,
) -> QuerySet[Initiative]:
    """Initiatives with everything a list shows, in a fixed number of queries.

    ``include_drafts=False`` leaves out the initiatives of draft plans (for anyone who is
    not library staff, see ``can_see_drafts``).
    """
    qs = Initiative.objects.select_related("plan", "responsible").prefetch_related(
        Prefetch("tracks", queryset=Track.objects.order_by("position")),
        Prefetch("branches", queryset=Branch.objects.order_by("position", "name")),
        "partners",
        Prefetch("events", queryset=Event.objects.only("id").order_by()),
        Prefetch("series", queryset=EventSeries.objects.only("id").order_by()),
    )
    if not include_drafts:
        qs = qs.filter(plan__is_draft=False)
    if year is not None:
        qs = qs.filter(plan__year=year)
    if track:
        qs = qs.filter(tracks__slug=track)
    if branch:
        qs = qs.filter(branches__slug=branch)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-plan__year", "title", "id")


def initiatives_by_track(
    initiatives: Iterable[Initiative], tracks: Iterable[Track]
) -> list[tuple[Track, list[Initiative]]]:
    """Group prefetched initiatives under each track (one initiative may sit on several)."""
    grouped: dict[int, list[Initiative]] = {t.pk: [] for t in tracks}
    for initiative in initiatives:
        for t in initiative.tracks.all():
            grouped.setdefault(t.pk, []).append(initiative)
    return [(t, grouped.get(t.pk, [])) for t in tracks]


def can_edit_initiative(*, user: User | None, initiative: Initiative) -> bool:
    """Staff edit initiatives of their own branches (any branch of it); administrators all."""
    if user is None or not user.is_authenticated or not user.is_library_staff:
        return False
    if user.is_administrator:
        return True
    mine = set(branches_managed_by(user=user).values_list("pk", flat=True))
    return bool(mine & {b.pk for b in initiative.branches.all()})


def editable_initiative_ids(*, user: User | None, initiatives: Iterable[Initiative]) -> set[int]:
    """Which of the (prefetched) initiatives ``user`` may edit; one query."""
    if user is None or not user.is_authenticated or not user.is_library_staff:
        return set()
    items = list(initiatives)
    if user.is_administrator:
        return {i.pk for i in items}
    mine = set(branches_managed_by(user=user).values_list("pk", flat=True))
    return {i.pk for i in items if mine & {b.pk for b in i.branches.all()}}


def initiative_get(*, pk: int, include_drafts: bool = True) -> Initiative:
    try:
        return initiative_list(include_drafts=include_drafts).get(pk=pk)
    except Initiative.DoesNotExist as error:
        raise NotFound(_("There is no such initiative.")) from error


def initiative_get_for_edit(*, actor: User | None, pk: int) -> Initiative:
    """Load an initiative for editing: 404 if missing, 403 if not one of the actor's branches."""
    initiative = initiative_get(pk=pk)
    if not can_edit_initiative(user=actor, initiative=initiative):
        raise PermissionDenied(
            _(
                "You can only change initiatives of your own branches. "
                "Ask a colleague at the branch to make the change."
            )
        )
    return initiative


def initiatives_responsible(*, user: User) -> QuerySet[Initiative]:
    """The initiatives ``user`` is named responsible for (for the person's own data export)."""
    return (
        Initiative.objects.filter(responsible=user)
        .select_related("plan")
        .order_by("plan__year", "title", "pk")
    )


# The partner page: initiatives offered to link.
PARTNER_CHOICES_LIMIT = 200


def initiatives_of_partner(*, partner: Partner) -> list[Initiative]:
    """The initiatives ``partner`` is linked to, newest plan first, with their plan and
    branches (two queries)."""
    return list(
        Initiative.objects.filter(partners=partner)
        .select_related("plan")
        .prefetch_related(Prefetch("branches", queryset=Branch.objects.order_by("position")))
        .order_by("-plan__year", "title", "pk")
    )


def initiatives_to_link(*, user: User, partner: Partner) -> list[Initiative]:
    """The initiatives of this year's and later plans that ``user`` may change (one of their
    branches; administrators: all) and ``partner`` is not linked to yet; at most
    ``PARTNER_CHOICES_LIMIT``."""
    if not user.is_library_staff:
        return []
    qs = (
        Initiative.objects.filter(plan__year__gte=local_today().year)
        .exclude(partners=partner)
        .select_related("plan")
    )
    if not user.is_administrator:
        qs = qs.filter(branches__in=list(branches_managed_by(user=user))).distinct()
    return list(qs.order_by("plan__year", "title", "pk")[:PARTNER_CHOICES_LIMIT])
