"""``core.pages``: a service's refusal becomes a form error or a message, written once for
every page view; someone else's object is a 404."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.test import RequestFactory

from core.exceptions import BookingConflict, NotFound, PermissionDenied, RuleViolation
from core.pages import (
    apply_domain_error,
    error_messages,
    form_errors,
    not_found_as_404,
    permission_denied_as_403,
)


class TimeForm(forms.Form):
    start_time = forms.CharField(required=False)
    repeat = forms.CharField(required=False)


def _form() -> TimeForm:
    form = TimeForm({})
    assert form.is_valid()
    return form


def _request():  # a request that can carry messages
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_the_message_goes_beside_the_field_the_service_names() -> None:
    form = _form()
    with form_errors(form, fields={"start": "start_time"}) as attempt:
        raise RuleViolation("The library opens at 10.", field="start")
    assert attempt.failed and not attempt.ok
    assert form.errors == {"start_time": ["The library opens at 10."]}


def test_a_field_the_form_lacks_puts_the_message_above_the_form_or_on_the_default() -> None:
    form = _form()
    with form_errors(form):
        raise BookingConflict("Taken.", field="room")
    assert form.non_field_errors() == ["Taken."]
    other = _form()
    apply_domain_error(other, RuleViolation("No such rule.", field="rrule"), default="repeat")
    assert other.errors == {"repeat": ["No such rule."]}


def test_a_block_that_works_leaves_the_form_alone_and_other_errors_pass() -> None:
    form = _form()
    with form_errors(form) as attempt:
        pass
    assert attempt.ok and attempt.error is None and not form.errors
    with pytest.raises(ValueError), form_errors(form):
        raise ValueError("a bug is not a refusal")


def test_error_messages_show_the_services_words_with_a_prefix_or_a_fixed_text() -> None:
    request = _request()
    with error_messages(request) as attempt:
        raise RuleViolation("The shift is full.")
    assert isinstance(attempt.error, RuleViolation)
    with error_messages(request, prefix="Vera"):
        raise RuleViolation("The certificate is missing.")
    with error_messages(request, message="The filter was not understood."):
        raise RuleViolation("year must be a number")
    shown = [str(m) for m in get_messages(request)]
    assert shown == [
        "The shift is full.",
        "Vera: The certificate is missing.",
        "The filter was not understood.",
    ]


def test_someone_elses_object_is_a_404_and_a_refused_gate_a_403() -> None:
    with pytest.raises(Http404), error_messages(_request(), as_404=(NotFound,)):
        raise NotFound()
    with pytest.raises(Http404), not_found_as_404():
        raise NotFound()
    with pytest.raises(Http404), not_found_as_404(RuleViolation):
        raise RuleViolation("not a number")
    with pytest.raises(RuleViolation), not_found_as_404():
        raise RuleViolation("only NotFound is a 404 unless told")
    with pytest.raises(DjangoPermissionDenied, match="Only staff"), permission_denied_as_403():
        raise PermissionDenied("Only staff.")
