"""Changing an existing event's image and sign-up questions: through the service (with its
audit row), on the staff edit page and through the event update API (issue 15)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import translation
from PIL import Image

from core.exceptions import RuleViolation
from core.models import AuditLog
from events import services
from events.models import Event, Registration, RegistrationAnswer, SignupQuestion
from tests.events.factories import make_person, make_staff
from tests.events.test_questions_images import NOW, png, workshop
from tests.factories import make_branch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def client_as(user: Any) -> Client:
    """Signed in, having chosen English with the language switch's cookie."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.png", b"not a picture", content_type="image/png")


def edit_url(event: Event) -> str:
    return f"/personale/arrangementer/{event.pk}/ret/"


def edit_data(client: Client, event: Event, **changes: Any) -> dict[str, Any]:
    """The edit form as the page shows it filled in, with ``changes``."""
    form = client.get(edit_url(event)).context["form"]
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value in (None, False, "") or name in ("tracks", "published", "registration_opens_at"):
            continue
        data[name] = "on" if value is True else value
    data["tracks"] = [t.pk for t in form.initial["tracks"]]
    data["published"] = "on"
    data.update(changes)
    return data


# --- the service -------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_staff_replace_and_remove_an_events_image_with_its_description() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    event = workshop(branch)
    with pytest.raises(RuleViolation) as no_alt:
        services.event_update(actor=staff, event=event, image=png())
    assert (no_alt.value.field, no_alt.value.code) == ("image_alt", "image_alt_required")
    with pytest.raises(RuleViolation) as unreadable:
        services.event_update(actor=staff, event=event, image=not_an_image(), image_alt="x")
    assert (unreadable.value.field, unreadable.value.code) == ("image", "image_invalid")
    event.refresh_from_db()
    assert not event.image

    services.event_update(actor=staff, event=event, image=png(2400, 1200), image_alt="LEGO")
    event.refresh_from_db()
    with Image.open(event.image.path) as stored:
        assert stored.size == (1200, 600)
    first = event.image.name
    services.event_update(
        actor=staff, event=event, image=png(600, 400), image_alt="Children at the table"
    )
    event.refresh_from_db()
    assert event.image.name != first
    assert (event.image.width, event.image_alt) == (600, "Children at the table")
    row = AuditLog.objects.filter(action="event.changed", target_id=str(event.pk)).first()
    assert row is not None and row.actor == staff
    assert row.data["old"] == {"image": first, "image_alt": "LEGO"}
    assert row.data["new"]["image_alt"] == "Children at the table"

    services.event_update(actor=staff, event=event, image=None)
    event.refresh_from_db()
    assert not event.image and event.image_alt == ""
    with pytest.raises(RuleViolation) as blank_alt:  # keeping the image needs its description
        services.event_update(actor=staff, event=workshop_with_image(branch), image_alt=" ")
    assert blank_alt.value.code == "image_alt_required"


def workshop_with_image(branch: Any) -> Event:
    return workshop(branch, image=png(800, 600), image_alt="LEGO")


@time_machine.travel(NOW, tick=False)
def test_staff_reword_add_make_optional_and_remove_questions() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    event = workshop(branch)
    name_q, age_q = event.series.questions.all()
    person = make_person(name="Mette Holm")
    services.registration_create(
        actor=person, event=event, answers={name_q.pk: "Ida", age_q.pk: "7"}
    )

    services.event_update(
        actor=staff,
        event=event,
        questions=[
            {"id": name_q.pk, "question": "The child's first name"},
            {"question": "Allergies?", "required": False},
        ],
    )
    asked = event.series.asked_questions()
    assert [(q.label, q.required) for q in asked] == [
        ("The child's first name", True),
        ("Allergies?", False),
    ]
    # The age was answered: no longer asked, but the answer stays readable for staff.
    assert [(a.question.label, a.answer) for a in RegistrationAnswer.objects.all()] == [
        ("The child's first name", "Ida"),
        ("The child's age", "7"),
    ]
    row = AuditLog.objects.get(action="event_series.changed")
    assert row.actor == staff
    assert [q["question"] for q in row.data["old_questions"]] == [
        "The child's name",
        "The child's age",
    ]
    assert row.data["removed"] == [age_q.pk]

    # An optional question may be left empty; the removed one is not asked.
    other = services.registration_create(
        actor=make_person(), event=event, answers={asked[0].pk: "Bo"}
    )
    assert other.status == "confirmed"
    with pytest.raises(RuleViolation) as no_longer_asked:
        services.registration_create(actor=make_person(), event=event, answers={age_q.pk: "5"})
    assert no_longer_asked.value.field == "answers"

    # Removing every question: sign-up asks nothing more.
    services.event_update(actor=staff, event=event, questions=[])
    assert event.series.asked_questions() == []
    assert services.registration_create(actor=make_person(), event=event).status == "confirmed"


@time_machine.travel(NOW, tick=False)
def test_question_changes_are_refused_with_a_reason() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    event = workshop(branch)
    name_q, _age_q = event.series.questions.all()
    with pytest.raises(RuleViolation) as blank:
        services.event_update(
            actor=staff, event=event, questions=[{"id": name_q.pk, "question": ""}]
        )
    assert blank.value.field == f"question_{name_q.pk}"
    with pytest.raises(RuleViolation) as foreign:
        services.event_update(actor=staff, event=event, questions=[{"id": 999999, "question": "x"}])
    assert foreign.value.field == "questions"
    with pytest.raises(RuleViolation) as too_many:
        services.event_update(
            actor=staff, event=event, questions=[{"question": f"Q{n}"} for n in range(11)]
        )
    assert too_many.value.field == "questions"
    assert [q.label for q in event.series.asked_questions()] == [
        "The child's name",
        "The child's age",
    ]


# --- the staff edit page ------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_edit_page_changes_the_image() -> None:
    branch = make_branch()
    event = workshop(branch)
    client = client_as(make_staff(branch))

    no_alt = client.post(edit_url(event), edit_data(client, event, image=png()))
    assert no_alt.status_code == 200
    assert "Please describe the image" in no_alt.content.decode()
    unreadable = client.post(
        edit_url(event), edit_data(client, event, image=not_an_image(), image_alt="x")
    )
    assert unreadable.status_code == 200
    assert "errorlist" in unreadable.content.decode()
    event.refresh_from_db()
    assert not event.image

    saved = client.post(
        edit_url(event), edit_data(client, event, image=png(), image_alt="A LEGO tower")
    )
    assert saved.status_code == 302
    page = client.get(f"/arrangementer/{event.pk}/").content.decode()
    assert 'alt="A LEGO tower"' in page
    event.refresh_from_db()
    assert event.image.width == 1200
    assert 'value="A LEGO tower"' in client.get(edit_url(event)).content.decode()

    removed = client.post(edit_url(event), edit_data(client, event, image_remove="on"))
    assert removed.status_code == 302
    assert 'alt="A LEGO tower"' not in client.get(f"/arrangementer/{event.pk}/").content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_edit_page_changes_the_questions_and_sign_up_follows() -> None:
    branch = make_branch()
    staff_client = client_as(make_staff(branch))
    event = workshop(branch)
    name_q, age_q = event.series.questions.all()
    services.registration_create(
        actor=make_person(name="Mette Holm"),
        event=event,
        answers={name_q.pk: "Ida", age_q.pk: "7"},
    )
    form = staff_client.get(edit_url(event)).content.decode()
    assert 'value="The child&#x27;s name"' in form
    assert "Stop asking this question" in form

    blank = staff_client.post(
        edit_url(event), edit_data(staff_client, event, **{f"question_{name_q.pk}": ""})
    )
    assert blank.status_code == 200
    assert "Please write the question, or tick “Stop asking this question”." in (
        blank.content.decode()
    )
    data = edit_data(
        staff_client,
        event,
        **{
            f"question_{name_q.pk}": "The child's first name",
            f"question_{name_q.pk}_optional": "on",
            f"question_{age_q.pk}_remove": "on",
            "questions": "Allergies?\r\n",
        },
    )
    assert staff_client.post(edit_url(event), data).status_code == 302

    citizen = client_as(make_person(name="Bo Berg"))
    page = citizen.get(f"/arrangementer/{event.pk}/").content.decode()
    assert "The child&#x27;s first name" in page and "Allergies?" in page
    assert f'name="answer_{age_q.pk}"' not in page
    allergies = SignupQuestion.objects.get(label="Allergies?")
    assert not SignupQuestion.objects.get(pk=name_q.pk).required
    # The optional name may be left empty; the new question is required.
    missing = citizen.post(f"/arrangementer/{event.pk}/", {"seats": 1})
    assert missing.status_code == 200 and "errorlist" in missing.content.decode()
    done = citizen.post(f"/arrangementer/{event.pk}/", {"seats": 1, f"answer_{allergies.pk}": "No"})
    assert done.status_code == 302
    assert Registration.objects.filter(user__name="Bo Berg").exists()

    door = staff_client.get(f"/personale/arrangementer/{event.pk}/tjek-ind/").content.decode()
    assert "<dt>The child&#x27;s age</dt><dd>7</dd>" in door  # kept for the staff
    assert "<dt>Allergies?</dt><dd>No</dd>" in door


# --- the API ------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_update_api_changes_questions_and_image() -> None:
    branch = make_branch()
    staff = client_as(make_staff(branch))
    event = workshop(branch)
    name_q, age_q = event.series.questions.all()
    url = f"/api/events/{event.pk}/"

    changed = staff.patch(
        url,
        {
            "questions": [
                {"id": age_q.pk, "question": "Age (years)", "required": False},
                {"id": name_q.pk, "question": "The child's name"},
                {"question": "Allergies?"},
            ]
        },
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    questions = changed.json()["questions"]
    assert [(q["question"], q["required"]) for q in questions] == [
        ("Age (years)", False),
        ("The child's name", True),
        ("Allergies?", True),
    ]
    registered = client_as(make_person()).post(
        f"{url}registrations/",
        {
            "answers": [
                {"question": name_q.pk, "answer": "Ida"},
                {"question": questions[2]["id"], "answer": "No"},
            ]
        },
        content_type="application/json",
    )
    assert registered.status_code == 201  # the optional age left out

    refused = staff.patch(
        url,
        encode_multipart(BOUNDARY, {"image": not_an_image(), "image_alt": "x"}),
        content_type=MULTIPART_CONTENT,
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "image_invalid"
    no_alt = staff.patch(
        url, encode_multipart(BOUNDARY, {"image": png()}), content_type=MULTIPART_CONTENT
    )
    assert no_alt.status_code == 400 and no_alt.json()["code"] == "image_alt_required"
    uploaded = staff.patch(
        url,
        encode_multipart(BOUNDARY, {"image": png(), "image_alt": "A LEGO tower"}),
        content_type=MULTIPART_CONTENT,
    )
    assert uploaded.status_code == 200, uploaded.json()
    assert uploaded.json()["image"].endswith(".jpg")
    assert uploaded.json()["image_alt"] == "A LEGO tower"
    event.refresh_from_db()
    assert event.image.width == 1200

    removed = staff.patch(url, {"image": None}, content_type="application/json")
    assert removed.status_code == 200
    assert (removed.json()["image"], removed.json()["image_alt"]) == (None, "")
