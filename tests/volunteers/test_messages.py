"""Messages use the site's formats ("torsdag 26.11.", "10.00"); 404 gates say what is missing."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
import time_machine
from django.utils import translation

from core.exceptions import NotFound, RuleViolation
from core.models import User
from core.timeutils import make_local
from tests.volunteers.factories import at, make_activity, make_shift, make_signup, make_volunteer
from volunteers import selectors, services
from volunteers.models import SessionProposal

pytestmark = pytest.mark.django_db


@time_machine.travel(make_local(date(2026, 11, 25), time(12, 0)))
def test_withdraw_deadline_is_written_as_day_and_time(branch: Any) -> None:
    activity = make_activity(branch=branch, withdraw_deadline_hours=48)
    shift = make_shift(activity=activity, start=at(date(2026, 11, 26), 10))
    volunteer = make_volunteer(branches=[branch])
    signup = make_signup(shift=shift, volunteer=volunteer)
    with translation.override("da"), pytest.raises(RuleViolation) as caught:
        services.shift_withdraw(actor=volunteer, signup=signup)
    assert "tirsdag 24.11. 10.00" in caught.value.message
    assert "2026" not in caught.value.message


def test_format_day_adds_the_year_only_for_another_year() -> None:
    with translation.override("da"):
        assert services.format_day(date(2026, 11, 26)) == "torsdag 26.11."
        assert services.format_day(date(2027, 1, 7)) == "torsdag 7.1.2027"


def test_certificate_message_uses_the_sites_day_format(branch: Any) -> None:
    volunteer = make_volunteer(
        branches=[branch], certificate="clear", checked_on=date(2025, 1, 2), renewal_years=2
    )
    profile = volunteer.volunteer_profile
    with translation.override("da"):
        problem = services.certificate_problem(profile=profile, day=date(2027, 1, 7))
        assert problem is not None
        assert "lørdag 2.1.2027" in problem.message
        assert "torsdag 7.1.2027" in problem.message


def _not_found(call: Any) -> NotFound:
    with translation.override("da"), pytest.raises(NotFound) as caught:
        call()
    return caught.value


def test_someone_elses_signup_says_so(branch: Any) -> None:
    signup = make_signup(shift=make_shift(), volunteer=make_volunteer())
    other = make_volunteer()
    error = _not_found(lambda: selectors.signup_get_for(actor=other, pk=signup.pk))
    assert error.message == "Tilmeldingen findes ikke, eller den er ikke din."
    assert error.code == "signup_not_found"


def test_someone_elses_proposal_and_profile_say_so(branch: Any, staff: User) -> None:
    other = make_volunteer()
    error = _not_found(lambda: selectors.proposal_get_for(actor=other, pk=987654))
    assert error.message == "Forslaget findes ikke, eller det er ikke dit."
    assert error.code == "proposal_not_found"
    stranger = make_volunteer()
    error = _not_found(
        lambda: selectors.volunteer_get_for(actor=staff, pk=stranger.volunteer_profile.pk)
    )
    assert error.message == "Den frivillige findes ikke, eller er ikke tilknyttet dine biblioteker."
    error = _not_found(lambda: selectors.shift_get(pk=987654))
    assert error.message == "Vagten findes ikke."
    assert SessionProposal.objects.count() == 0


def test_the_api_answers_someone_elses_signup_with_the_sentence(client_for: Any) -> None:
    signup = make_signup(shift=make_shift(), volunteer=make_volunteer())
    response = client_for(make_volunteer()).post(
        f"/api/shift-signups/{signup.pk}/withdraw/", HTTP_ACCEPT_LANGUAGE="da"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "signup_not_found"
    assert response.json()["detail"] == "Tilmeldingen findes ikke, eller den er ikke din."
