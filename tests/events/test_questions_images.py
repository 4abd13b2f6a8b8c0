"""Sign-up questions (asked at registration, shown to staff at the door and in the API) and an
event's image (its description required, resized on upload, shown on the lists)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from PIL import Image

from core.exceptions import RuleViolation
from core.models import Track
from core.timeutils import make_local
from events import selectors, services
from events.models import Event, Registration, RegistrationAnswer
from tests.events.factories import make_person, make_registration, make_staff
from tests.factories import make_branch

pytestmark = pytest.mark.django_db


def _english_client() -> Client:
    """A visitor who chose English (the language switch's cookie: Danish is the default)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


NOW = "2027-03-01T09:00:00+01:00"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def client_as(user: Any) -> Client:
    client = _english_client()
    client.force_login(user)
    return client


def png(width: int = 3000, height: int = 2000) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 90, 40)).save(out, format="PNG")
    return SimpleUploadedFile("workshop.png", out.getvalue(), content_type="image/png")


def workshop(branch: Any, **fields: Any) -> Event:
    """A published children's workshop on Tuesday 9 March 2027 that asks two questions."""
    from datetime import date, time

    staff = make_staff(branch)
    return services.event_create(
        actor=staff,
        title="LEGO-værksted",
        branch=branch,
        start=make_local(date(2027, 3, 9), time(10, 0)),
        end=make_local(date(2027, 3, 9), time(12, 0)),
        capacity=10,
        state="published",
        tracks=[Track.objects.get(slug="hygge")],
        questions=["The child's name", "The child's age", ""],
        **fields,
    )


@time_machine.travel(NOW, tick=False)
def test_registration_needs_the_answers_and_keeps_them() -> None:
    event = workshop(make_branch())
    name_q, age_q = event.series.questions.all()
    assert [name_q.label, age_q.label] == ["The child's name", "The child's age"]
    person = make_person(name="Mette Holm")
    with pytest.raises(RuleViolation) as refused:
        services.registration_create(actor=person, event=event, answers={name_q.pk: "Ida"})
    assert refused.value.code == "answer_required"
    assert refused.value.field == f"answer_{age_q.pk}"
    assert "The child's age" in refused.value.message
    assert not Registration.objects.exists()  # nothing half-written

    reg = services.registration_create(
        actor=person, event=event, answers={name_q.pk: " Ida ", age_q.pk: "7"}
    )
    assert [(a.question.label, a.answer) for a in reg.answers.all()] == [
        ("The child's name", "Ida"),
        ("The child's age", "7"),
    ]


@time_machine.travel(NOW, tick=False)
def test_the_sign_up_page_asks_the_questions_and_the_door_shows_the_answers() -> None:
    branch = make_branch()
    event = workshop(branch)
    name_q, age_q = event.series.questions.all()
    citizen = client_as(make_person(name="Mette Holm"))
    page = citizen.get(f"/arrangementer/{event.pk}/").content.decode()
    assert "The child&#x27;s name" in page and f'name="answer_{age_q.pk}"' in page

    missing = citizen.post(
        f"/arrangementer/{event.pk}/", {"seats": 1, f"answer_{name_q.pk}": "Ida"}
    )
    assert missing.status_code == 200
    assert "errorlist" in missing.content.decode()
    assert not Registration.objects.exists()

    done = citizen.post(
        f"/arrangementer/{event.pk}/",
        {"seats": 1, f"answer_{name_q.pk}": "Ida", f"answer_{age_q.pk}": "7"},
    )
    assert done.status_code == 302

    door = client_as(make_staff(branch)).get(f"/personale/arrangementer/{event.pk}/tjek-ind/")
    text = door.content.decode()
    assert "Mette Holm" in text
    assert "<dt>The child&#x27;s name</dt><dd>Ida</dd>" in text
    assert "<dt>The child&#x27;s age</dt><dd>7</dd>" in text


@time_machine.travel(NOW, tick=False)
def test_the_api_asks_and_answers_and_staff_read_the_answers() -> None:
    branch = make_branch()
    event = workshop(branch)
    name_q, age_q = event.series.questions.all()
    detail = Client().get(f"/api/events/{event.pk}/").json()
    assert detail["questions"] == [
        {"id": name_q.pk, "question": "The child's name", "required": True},
        {"id": age_q.pk, "question": "The child's age", "required": True},
    ]
    citizen = client_as(make_person(name="Mette Holm"))
    url = f"/api/events/{event.pk}/registrations/"
    refused = citizen.post(
        url,
        {"seats": 1, "answers": [{"question": name_q.pk, "answer": "Ida"}]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "answer_required"
    assert refused.json()["field"] == f"answer_{age_q.pk}"
    unknown = citizen.post(
        url,
        {"answers": [{"question": 999999, "answer": "x"}]},
        content_type="application/json",
    )
    assert unknown.status_code == 400
    created = citizen.post(
        url,
        {
            "seats": 2,
            "answers": [
                {"question": name_q.pk, "answer": "Ida"},
                {"question": age_q.pk, "answer": "7"},
            ],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["seats"] == 2  # the fields clients knew stay as they were
    staff_view = client_as(make_staff(branch)).get(url).json()
    assert staff_view[0]["answers"] == [
        {"question": name_q.pk, "label": "The child's name", "answer": "Ida"},
        {"question": age_q.pk, "label": "The child's age", "answer": "7"},
    ]


@time_machine.travel(NOW, tick=False)
def test_registrations_with_answers_cost_the_same_queries_at_any_length(
    django_assert_num_queries: Any,
) -> None:
    event = workshop(make_branch())
    question = event.series.questions.first()

    def add(n: int) -> None:
        for _i in range(n):
            reg = make_registration(event=event)
            RegistrationAnswer.objects.create(registration=reg, question=question, answer="Ida")

    for size in (1, 6):
        add(size)
        # 1 the registrations with their people; 2 their answers with the questions
        with django_assert_num_queries(2):
            regs = list(selectors.event_registrations(event=event))
            assert all(a.question.label for r in regs for a in r.answers.all())


@time_machine.travel(NOW, tick=False)
def test_answers_go_when_the_registration_forgets_the_person() -> None:
    event = workshop(make_branch())
    name_q, age_q = event.series.questions.all()
    person = make_person()
    services.registration_create(
        actor=person, event=event, answers={name_q.pk: "Ida", age_q.pk: "7"}
    )
    with time_machine.travel(event.end + timedelta(days=31)):
        services.registrations_anonymise_old()
    assert not RegistrationAnswer.objects.exists()
    assert Registration.objects.get().seats == 1


@time_machine.travel(NOW, tick=False)
def test_an_image_needs_a_description_and_is_resized() -> None:
    branch = make_branch()
    with pytest.raises(RuleViolation) as refused:
        workshop(branch, image=png())
    assert refused.value.field == "image_alt"
    assert refused.value.code == "image_alt_required"

    event = workshop(branch, image=png(), image_alt="Children building a LEGO tower")
    with Image.open(event.image.path) as stored:
        assert max(stored.size) == services.MAX_SIDE  # 3000 x 2000 became 1200 x 800
        assert stored.size == (1200, 800)
        assert stored.format == "JPEG"
    with pytest.raises(RuleViolation) as not_an_image:
        workshop(
            branch,
            image=SimpleUploadedFile("x.png", b"not a picture", content_type="image/png"),
            image_alt="x",
        )
    assert not_an_image.value.code == "image_invalid"


@time_machine.travel(NOW, tick=False)
def test_the_image_is_shown_with_its_description_on_the_lists_and_the_event_page() -> None:
    branch = make_branch(slug="gadstrup-x", name="Gadstrup X")
    event = workshop(branch, image=png(800, 600), image_alt="Children building a LEGO tower")
    alt = 'alt="Children building a LEGO tower"'
    client = Client()
    assert alt in client.get(f"/arrangementer/{event.pk}/").content.decode()
    assert alt in client.get("/arrangementer/").content.decode()
    assert alt in client.get("/bibliotek/gadstrup-x/").content.decode()


@time_machine.travel(NOW, tick=False)
def test_staff_create_an_event_with_an_image_and_questions_on_the_page() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    form = {
        "title": "LEGO-værksted",
        "branch": branch.pk,
        "place_kind": "branch",
        "day": "2027-03-09",
        "start_time": "10:00",
        "end_time": "12:00",
        "registration_required": "on",
        "max_seats_per_registration": 2,
        "price_dkk": "0",
        "capacity": 10,
        "tracks": [Track.objects.get(slug="hygge").pk],
        "questions": "The child's name\r\nThe child's age\r\n",
        "publish": "on",
    }
    client = client_as(staff)
    no_alt = client.post("/personale/arrangementer/ny/", {**form, "image": png()})
    assert no_alt.status_code == 200
    assert "Please describe the image" in no_alt.content.decode()
    assert not Event.objects.exists()
    created = client.post(
        "/personale/arrangementer/ny/",
        {**form, "image": png(), "image_alt": "Children building a LEGO tower"},
    )
    assert created.status_code == 302
    event = Event.objects.get()
    assert event.image_alt == "Children building a LEGO tower"
    assert event.image.width == 1200
    assert [q.label for q in event.series.questions.all()] == [
        "The child's name",
        "The child's age",
    ]
    assert timezone.localtime(event.start).hour == 10


@time_machine.travel(NOW, tick=False)
def test_the_persons_own_answers_are_in_their_data_export() -> None:
    import json

    from core import privacy

    event = workshop(make_branch())
    name_q, age_q = event.series.questions.all()
    person = make_person()
    services.registration_create(
        actor=person, event=event, answers={name_q.pk: "Ida", age_q.pk: "7"}
    )
    data = json.loads(privacy.personal_data_json(user=person))
    [registration] = data["registrations"]
    assert registration["answers"] == {"The child's name": "Ida", "The child's age": "7"}


@time_machine.travel(NOW, tick=False)
def test_staff_give_the_questions_through_the_api() -> None:
    branch = make_branch(slug="jyllinge-x")
    staff = client_as(make_staff(branch))
    created = staff.post(
        "/api/events/",
        {
            "title": "LEGO-værksted",
            "branch": "jyllinge-x",
            "start": "2027-03-09T10:00:00+01:00",
            "end": "2027-03-09T12:00:00+01:00",
            "tracks": ["hygge"],
            "state": "published",
            "questions": ["The child's name", "The child's age"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert [q["question"] for q in created.json()["questions"]] == [
        "The child's name",
        "The child's age",
    ]
    too_many = staff.post(
        "/api/events/",
        {
            "title": "For mange",
            "branch": "jyllinge-x",
            "start": "2027-03-09T13:00:00+01:00",
            "end": "2027-03-09T14:00:00+01:00",
            "questions": [f"Question {n}" for n in range(11)],
        },
        content_type="application/json",
    )
    assert too_many.status_code == 400
