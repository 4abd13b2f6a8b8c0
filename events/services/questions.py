"""Sign-up questions (e.g. the child's name and age) and the answers given at registration.

Staff give the questions with the event or series; every occurrence of the series asks them.
A person answers when registering (``registration_create(answers=...)``); a required
question left empty refuses the registration (400 ``answer_required``, ``field`` naming the
question as ``answer_<id>``). The answers are personal data and go with the registration.

On an existing event staff change the questions with ``event_update(questions=[...])``:
reworded, reordered, added, marked optional (``required=False``) or left out (removed). A
removed question is no longer asked, but kept (``removed``) so that the answers people
already gave stay readable for staff at the door, in the registrant list and the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypedDict

from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction
from core.exceptions import ErrorCode, RuleViolation
from core.models import User
from core.services import audit_log
from events.models import Event, EventSeries, Registration, RegistrationAnswer, SignupQuestion

MAX_QUESTIONS = 10
MAX_ANSWER = 500
MAX_QUESTION = 200


def answer_field(question: SignupQuestion) -> str:
    """The form field (and error ``field``) of a question's answer."""
    return f"answer_{question.pk}"


class QuestionChange(TypedDict, total=False):
    """One question of ``event_update(questions=...)``: ``id`` of a question the event asks
    (none: a new one), its wording, and whether an answer is required (default: yes)."""

    id: int
    question: str
    required: bool


def _check_labels(labels: Sequence[str]) -> None:
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


def _questions_set(series: EventSeries, questions: Iterable[str]) -> None:
    """Give a new series its questions (composed by ``series_build``; blank lines dropped)."""
    labels = [q.strip() for q in questions if q and q.strip()]
    _check_labels(labels)
    SignupQuestion.objects.bulk_create(
        SignupQuestion(series=series, label=label, position=i) for i, label in enumerate(labels)
    )


def _questions_of(event: Event) -> list[SignupQuestion]:
    """The questions an event asks at sign-up (its series'), in order: one query."""
    return list(SignupQuestion.objects.filter(series_id=event.series_id, removed=False))


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


def _wanted_questions(
    current: Mapping[int, SignupQuestion], questions: Sequence[QuestionChange]
) -> list[tuple[int | None, str, bool]]:
    """The questions as staff want them: (id or None for a new one, wording, required).
    A new question left blank is dropped; an asked one left blank is refused."""
    wanted: list[tuple[int | None, str, bool]] = []
    seen: set[int] = set()
    for item in questions:
        qid = item.get("id")
        label = (item.get("question") or "").strip()
        if qid is not None and (qid not in current or qid in seen):
            raise RuleViolation(
                _("The event has no question number %(question)s."),
                field="questions",
                question=qid,
            )
        if qid is not None:
            seen.add(qid)
        if not label:
            if qid is None:
                continue
            raise RuleViolation(
                _("Please write the question, or tick “Stop asking this question”."),
                field=f"question_{qid}",
            )
        wanted.append((qid, label, bool(item.get("required", True))))
    _check_labels([label for _qid, label, _required in wanted])
    return wanted


def _questions_update(
    *, actor: User | None, event: Event, questions: Sequence[QuestionChange]
) -> bool:
    """Set the questions the event's series asks (composed by ``event_update``, in its
    transaction); the audit row (``event_series.changed``) has the old and new questions.
    Returns True when something changed."""
    series = locking.lock_one(EventSeries, event.series_id)
    asked = list(SignupQuestion.objects.filter(series=series, removed=False))
    current = {q.pk: q for q in asked}
    wanted = _wanted_questions(current, questions)
    before = [(q.pk, q.label, q.required) for q in asked]
    kept: set[int] = set()
    for position, (qid, label, required) in enumerate(wanted):
        if qid is None:
            SignupQuestion.objects.create(
                series=series, label=label, required=required, position=position
            )
            continue
        kept.add(qid)
        question = current[qid]
        if (question.label, question.required, question.position) != (label, required, position):
            question.label, question.required, question.position = label, required, position
            question.save(update_fields=["label", "required", "position"])
    # Kept, not deleted: answers given (even by a registration for another date of the
    # series, saved at this moment) stay readable for staff.
    gone = sorted(set(current) - kept)
    SignupQuestion.objects.filter(pk__in=gone).update(removed=True)
    after = [(q.pk, q.label, q.required) for q in _questions_of(event)]
    if after == before:
        return False
    audit_log(
        actor=actor,
        action=AuditAction.EVENT_SERIES_CHANGED,
        target=series,
        data={
            "event": event.pk,
            "old_questions": [{"id": i, "question": t, "required": r} for i, t, r in before],
            "new_questions": [{"id": i, "question": t, "required": r} for i, t, r in after],
            "removed": gone,
        },
    )
    return True
