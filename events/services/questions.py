"""Sign-up questions (e.g. the child's name and age) and the answers given at registration.

Staff give the questions with the event or series; every occurrence of the series asks them.
A person answers when registering (``registration_create(answers=...)``); a required
question left empty refuses the registration (400 ``answer_required``, ``field`` naming the
question as ``answer_<id>``). The answers are personal data and go with the registration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _

from core.exceptions import ErrorCode, RuleViolation
from events.models import Event, EventSeries, Registration, RegistrationAnswer, SignupQuestion

MAX_QUESTIONS = 10
MAX_ANSWER = 500
MAX_QUESTION = 200


def answer_field(question: SignupQuestion) -> str:
    """The form field (and error ``field``) of a question's answer."""
    return f"answer_{question.pk}"


def _questions_set(series: EventSeries, questions: Iterable[str]) -> None:
    """Give a new series its questions (composed by ``series_build``; blank lines dropped)."""
    labels = [q.strip() for q in questions if q and q.strip()]
    if len(labels) > MAX_QUESTIONS:
        raise RuleViolation(
            _("Ask at most %(max)s questions at sign-up."), field="questions", max=MAX_QUESTIONS
        )
    for label in labels:
        if len(label) > MAX_QUESTION:
            raise RuleViolation(
                _("A question can be at most %(max)s characters long."),
                field="questions",
                max=MAX_QUESTION,
            )
    SignupQuestion.objects.bulk_create(
        SignupQuestion(series=series, label=label, position=i) for i, label in enumerate(labels)
    )


def _questions_of(event: Event) -> list[SignupQuestion]:
    """The questions an event asks at sign-up (its series'), in order: one query."""
    return list(SignupQuestion.objects.filter(series_id=event.series_id))


def _answers_checked(
    questions: list[SignupQuestion], answers: Mapping[int, str]
) -> list[tuple[SignupQuestion, str]]:
    """Each question with its answer; an unknown question or a missing required answer is
    refused, naming the question."""
    known = {q.pk for q in questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise RuleViolation(
            _("The event has no question number %(question)s."),
            field="answers",
            question=unknown[0],
        )
    given = []
    for question in questions:
        text = (answers.get(question.pk) or "").strip()
        if question.required and not text:
            raise RuleViolation(
                _("Please answer: %(question)s"),
                field=answer_field(question),
                code=ErrorCode.ANSWER_REQUIRED,
                question=question.label,
            )
        if len(text) > MAX_ANSWER:
            raise RuleViolation(
                _("An answer can be at most %(max)s characters long."),
                field=answer_field(question),
                max=MAX_ANSWER,
            )
        if text:
            given.append((question, text))
    return given


def _answers_save(registration: Registration, given: list[tuple[SignupQuestion, str]]) -> None:
    RegistrationAnswer.objects.bulk_create(
        RegistrationAnswer(registration=registration, question=q, answer=text) for q, text in given
    )
