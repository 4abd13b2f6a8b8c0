"""The plan's count on the staff start page (``core.mypage``): the open gaps this quarter."""

from __future__ import annotations

from urllib.parse import urlencode

from core.models import User
from core.mypage import Tally
from core.selectors import branches_managed_by
from core.timeutils import local_today
from plans.selectors.coverage import coverage


def staff_count_gaps(user: User) -> Tally:
    """The quarter gaps (a track the plan expects at a branch this quarter, with no event held
    or planned) at the branches ``user`` manages (administrators: all), as the plan's
    dashboard names them for this quarter. The dashboard's own eleven queries (the coverage's
    ten and the branches), whatever the amount of data."""
    if not user.is_library_staff:
        return Tally(count=0)
    today = local_today()
    quarter = (today.month - 1) // 3 + 1
    mine = list(branches_managed_by(user=user).values_list("slug", flat=True))
    cov = coverage(year=today.year, quarter=quarter)
    gaps = [
        gap
        for gap in cov.gaps
        if gap.quarter == quarter and gap.branch is not None and gap.branch.slug in mine
    ]
    params: dict[str, str | int] = {"year": today.year, "quarter": quarter}
    if len(mine) == 1:
        params["branch"] = mine[0]
    return Tally(count=len(gaps), query=urlencode(params))
