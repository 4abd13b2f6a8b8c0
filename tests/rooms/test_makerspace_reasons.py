"""A machine slot without a button says why, and what to do next (issue #15, point 4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from core.models import User
from events.models import EventState
from rooms.models import EquipmentKind, Licence
from tests.events.factories import make_event
from tests.factories import make_user
from tests.rooms.factories import at, future_day, make_equipment

pytestmark = pytest.mark.django_db


def page_for(user: User | None, day: date) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    else:  # a visitor who chose English (Danish is the default)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(f"/makerspace/?dato={day.isoformat()}").content.decode()


def test_without_a_licence_the_page_says_why_and_links_the_next_course(branch: Any) -> None:
    make_equipment(branch=branch, name="Laserskærer", kind=EquipmentKind.LASER_CUTTER)
    day = future_day(3)
    later = make_event(branch=branch, start=at(future_day(20), 17), title="Kørekort: laser")
    sooner = make_event(branch=branch, start=at(future_day(10), 17), title="Laserkursus")
    draft = make_event(branch=branch, start=at(future_day(5), 17), title="Kladde")
    for course in (later, sooner, draft):
        course.licence_equipment_kind = EquipmentKind.LASER_CUTTER
    draft.state = EventState.DRAFT
    for course in (later, sooner, draft):
        course.save()
    person = make_user(language="en", password=None)
    with translation.override("en"):
        html = page_for(person, day)
    assert "Requires a licence for the laser cutter." in html
    assert f'href="/arrangementer/{sooner.pk}/"' in html
    assert "Sign up for the next licence course: Laserkursus" in html
    assert f"/arrangementer/{draft.pk}/" not in html and f"/arrangementer/{later.pk}/" not in html
    assert "/makerspace/book/" not in html  # no button, and now a reason


def test_with_the_licence_the_slots_have_buttons(branch: Any) -> None:
    make_equipment(branch=branch, name="Laserskærer", kind=EquipmentKind.LASER_CUTTER)
    person = make_user(password=None)
    Licence.objects.create(person=person, equipment_kind=EquipmentKind.LASER_CUTTER)
    html = page_for(person, future_day(3))
    assert "/makerspace/book/" in html
    assert 'class="notice"' not in html


def test_the_age_rule_says_what_to_do_when_the_age_is_unknown(branch: Any) -> None:
    make_equipment(branch=branch, name="Laserskærer", kind=EquipmentKind.LASER_CUTTER, min_age=18)
    unknown = make_user(language="en", password=None)
    young = make_user(language="en", password=None, birth_date=date(2015, 1, 1))
    adult = make_user(language="en", password=None, birth_date=date(1980, 1, 1))
    for person in (unknown, young, adult):
        Licence.objects.create(person=person, equipment_kind=EquipmentKind.LASER_CUTTER)
    day = future_day(3)
    with translation.override("en"):
        html_unknown = page_for(unknown, day)
        html_young = page_for(young, day)
        html_adult = page_for(adult, day)
    assert "for people aged 18 or over, and we do not know your age" in html_unknown
    assert "/makerspace/book/" not in html_unknown
    assert "This machine is for people aged 18 or over." in html_young
    assert "/makerspace/book/" not in html_young
    assert "/makerspace/book/" in html_adult


def test_signed_out_the_page_asks_to_log_in(branch: Any) -> None:
    make_equipment(branch=branch, name="Symaskine", kind=EquipmentKind.SEWING_MACHINE)
    with translation.override("en"):
        html = page_for(None, future_day(3))
    assert "Log in to book a slot." in html


@pytest.mark.parametrize("machines", [1, 5])
def test_the_reasons_cost_the_same_queries_for_any_number_of_machines(
    branch: Any, django_assert_num_queries: Any, machines: int
) -> None:
    from rooms import selectors

    items = [
        make_equipment(branch=branch, name=f"Laser {n}", kind=EquipmentKind.LASER_CUTTER)
        for n in range(machines)
    ]
    person = make_user(password=None)
    with django_assert_num_queries(2):
        # 1 the person's licences, 2 the next licence course per missing kind.
        access = selectors.maker_access(user=person, machines=items, today=future_day(1))
    assert not any(a.may_book for a in access.values())
