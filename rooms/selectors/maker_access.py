"""Why a person may or may not book a machine, said before they try (issue #15).

A free slot without a button must say why: the licence (kørekort) the machine needs, with
the next licence course to sign up for, or the age rule (with what to do when the library
does not know the person's age). Licence courses are events, which live in a higher app:
``events`` registers the finder here in its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.models import User
from rooms.models import Equipment, EquipmentKind, Licence
from rooms.selectors.availability import age_on

# The sentence per machine kind (Danish needs the noun's definite form: "til laserskæreren").
LICENCE_NEEDED: dict[str, Promise] = {
    EquipmentKind.PRINTER_3D: _("Requires a licence for the 3D printer"),
    EquipmentKind.LASER_CUTTER: _("Requires a licence for the laser cutter"),
    EquipmentKind.VINYL_CUTTER: _("Requires a licence for the vinyl cutter"),
    EquipmentKind.SEWING_MACHINE: _("Requires a licence for the sewing machine"),
    EquipmentKind.LARGE_FORMAT_PRINTER: _("Requires a licence for the large-format printer"),
    EquipmentKind.SOLDERING_STATION: _("Requires a licence for the soldering station"),
    EquipmentKind.ARDUINO_KIT: _("Requires a licence for the Arduino kit"),
    EquipmentKind.MUSIC_PC: _("Requires a licence for the music PC"),
    EquipmentKind.PODCAST_KIT: _("Requires a licence for the podcast kit"),
    EquipmentKind.OTHER: _("Requires a licence for the machine"),
}


@dataclass(frozen=True)
class LicenceCourse:
    """The next course that grants a licence: where to sign up."""

    title: str
    start: datetime
    url: str


CourseFinder = Callable[[set[str]], dict[str, LicenceCourse]]
_finder: list[CourseFinder] = []


def register_licence_course_finder(finder: CourseFinder) -> None:
    """``finder(kinds)`` gives the next open licence course per machine kind (events)."""
    _finder[:] = [finder]


@dataclass(frozen=True)
class MakerAccess:
    may_book: bool
    reason: str = ""
    course: LicenceCourse | None = None


def maker_access(
    *, user: User | None, machines: Iterable[Equipment], today: date
) -> dict[int, MakerAccess]:
    """``{machine id: MakerAccess}``: whether ``user`` may book it, else why and what next.

    Two queries at most (the person's licences, the next courses), whatever the machines.
    """
    items = list(machines)
    if user is None or not user.is_authenticated:
        reason = str(_("Log in to book a slot."))
        return {m.pk: MakerAccess(may_book=False, reason=reason) for m in items}
    licensed = set(Licence.objects.filter(person=user).values_list("equipment_kind", flat=True))
    missing = {m.kind for m in items if m.licence_required and m.kind not in licensed}
    courses = _finder[0](missing) if _finder and missing else {}
    result: dict[int, MakerAccess] = {}
    for machine in items:
        if machine.licence_required and machine.kind not in licensed:
            sentence = LICENCE_NEEDED.get(machine.kind, LICENCE_NEEDED[EquipmentKind.OTHER])
            result[machine.pk] = MakerAccess(
                may_book=False, reason=f"{sentence}.", course=courses.get(machine.kind)
            )
            continue
        result[machine.pk] = _age_access(user, machine, today)
    return result


def _age_access(user: User, machine: Equipment, today: date) -> MakerAccess:
    if not machine.min_age:
        return MakerAccess(may_book=True)
    if user.birth_date is None:
        return MakerAccess(
            may_book=False,
            reason=str(
                _(
                    "This machine is for people aged %(age)s or over, and we do not know your "
                    "age. Show the staff your ID card and they will note your birth date."
                )
                % {"age": machine.min_age}
            ),
        )
    if age_on(birth_date=user.birth_date, day=today) < machine.min_age:
        return MakerAccess(
            may_book=False,
            reason=str(
                _("This machine is for people aged %(age)s or over.") % {"age": machine.min_age}
            ),
        )
    return MakerAccess(may_book=True)


__all__ = [
    "LICENCE_NEEDED",
    "LicenceCourse",
    "MakerAccess",
    "maker_access",
    "register_licence_course_finder",
]
