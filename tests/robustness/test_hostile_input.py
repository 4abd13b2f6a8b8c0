"""No input is a 500 (issue #11, finding 5): the whole URLconf, walked with hostile input.

Every URL pattern of the project is visited with its path parameters filled from objects
laid by the factories, as an anonymous visitor, a citizen, a volunteer hosting the event
and staff of the branch:

- every query parameter the view reads (recorded while it answers a plain GET, so a new
  filter is covered without editing this file), every query parameter the API schema
  documents, and one nobody reads, each in turn set to a NUL byte;
- every form field of the page (read from its HTML) set to a NUL byte, posted;
- to every API write (POST/PUT/PATCH): JSON nested 5,000 levels deep, and JSON with a NUL
  byte in every field the schema documents.

No answer may be a 5xx. On PostgreSQL a NUL byte that reaches a query is a DataError, so
run this file there too (see HELPERS.md); the deep JSON fails on every database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any, ClassVar

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.generators import SchemaGenerator

from core.models import Branch, Role, Track, User
from core.timeutils import local_today
from events.models import Event, Registration
from notifications import services as notification_services
from plans.models import Initiative
from rooms.models import Booking, Equipment, EquipmentBooking, Room
from tests.events.factories import make_event, make_registration
from tests.factories import make_branch, make_user
from tests.plans.factories import make_initiative, make_plan
from tests.rooms.factories import at, future_day, make_booking, make_equipment, make_room
from tests.volunteers.factories import make_activity, make_shift, make_signup, make_volunteer
from volunteers.models import SessionProposal, Shift, ShiftSignup, VolunteerProfile

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
UNKNOWN = "zz_nobody_reads_this"
DEEP_JSON = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"title": ' * 5000 + "1" + "}" * 5000
WRITES = ("post", "put", "patch")


# --- The URLconf ------------------------------------------------------------------------------


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Callable[..., Any]]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def project_routes() -> dict[str, Callable[..., Any]]:
    """Every route of the project except the admin's (walked by its own test below) and the
    DEBUG-only media files (a regex pattern)."""
    return {
        route: view
        for route, view in _walk(get_resolver().url_patterns)
        if not route.startswith(("admin/", "^"))
    }


ROUTES = project_routes()
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass
class World:
    """One of everything, at one branch, with the people who may act on it."""

    branch: Branch
    staff: User
    citizen: User
    volunteer: User
    room: Room
    booking: Booking
    equipment: Equipment
    equipment_booking: EquipmentBooking
    event: Event
    registration: Registration
    shift: Shift
    signup: ShiftSignup
    profile: VolunteerProfile
    proposal: SessionProposal
    initiative: Initiative
    feed_token: str
    reset: dict[str, str]


# The objects behind each route's path parameters. A new route with parameters is added here
# (test_every_route_with_parameters_is_walked says which).
PATH_VALUES: dict[str, Callable[[World], dict[str, Any]]] = {
    "api/rooms/<int:pk>/": lambda w: {"pk": w.room.pk},
    "api/rooms/<int:pk>/availability/": lambda w: {"pk": w.room.pk},
    "api/bookings/<int:pk>/": lambda w: {"pk": w.booking.pk},
    "api/bookings/<int:pk>/cancel/": lambda w: {"pk": w.booking.pk},
    "api/bookings/<int:pk>/approve/": lambda w: {"pk": w.booking.pk},
    "api/bookings/<int:pk>/reject/": lambda w: {"pk": w.booking.pk},
    "api/bookings/<int:pk>/no-show/": lambda w: {"pk": w.booking.pk},
    "api/bookings/<int:pk>/check-in/": lambda w: {"pk": w.booking.pk},
    "api/bookings/<int:pk>/release-hold/": lambda w: {"pk": w.booking.pk},
    "api/rooms/<int:pk>/holds/": lambda w: {"pk": w.room.pk},
    "api/events/<int:pk>/hold/": lambda w: {"pk": w.event.pk},
    "api/events/<int:pk>/opening-reminder/": lambda w: {"pk": w.event.pk},
    "konto/bibliotekslogin/bekraeft/<str:token>/": lambda w: {"token": "an-old-or-forged-link"},
    "arrangementer/<int:pk>/sig-til-naar-tilmelding-aabner/": lambda w: {"pk": w.event.pk},
    "personale/arrangementer/<int:pk>/hold-lokale/": lambda w: {"pk": w.event.pk},
    "plan/status/<int:year>/": lambda w: {"year": 2026},
    "api/equipment/<int:pk>/": lambda w: {"pk": w.equipment.pk},
    "api/equipment/<int:pk>/availability/": lambda w: {"pk": w.equipment.pk},
    "api/equipment-bookings/<int:pk>/cancel/": lambda w: {"pk": w.equipment_booking.pk},
    "api/equipment-bookings/<int:pk>/check-in/": lambda w: {"pk": w.equipment_booking.pk},
    "api/events/<int:pk>/": lambda w: {"pk": w.event.pk},
    "api/events/<int:pk>/cancel/": lambda w: {"pk": w.event.pk},
    "api/events/<int:pk>/attendance/": lambda w: {"pk": w.event.pk},
    "api/events/<int:pk>/registrations/": lambda w: {"pk": w.event.pk},
    "api/event-series/<int:pk>/": lambda w: {"pk": w.event.series_id},
    "api/registrations/<int:pk>/cancel/": lambda w: {"pk": w.registration.pk},
    "api/registrations/<int:pk>/check-in/": lambda w: {"pk": w.registration.pk},
    "api/shifts/<int:pk>/": lambda w: {"pk": w.shift.pk},
    "api/shifts/<int:pk>/signups/": lambda w: {"pk": w.shift.pk},
    "api/shifts/<int:pk>/roster/": lambda w: {"pk": w.shift.pk},
    "api/shift-signups/<int:pk>/withdraw/": lambda w: {"pk": w.signup.pk},
    "api/shift-signups/<int:pk>/report/": lambda w: {"pk": w.signup.pk},
    "api/shift-signups/<int:pk>/attendance/": lambda w: {"pk": w.signup.pk},
    "api/shift-signups/<int:pk>/hours/": lambda w: {"pk": w.signup.pk},
    "api/volunteer/sessions/<int:event_pk>/registrations/": lambda w: {"event_pk": w.event.pk},
    "api/volunteer/sessions/<int:event_pk>/registrations/<int:registration_pk>/check-in/": (
        lambda w: {"event_pk": w.event.pk, "registration_pk": w.registration.pk}
    ),
    "api/volunteers/<int:pk>/certificate/": lambda w: {"pk": w.profile.pk},
    "api/volunteers/<int:pk>/status/": lambda w: {"pk": w.profile.pk},
    "api/session-proposals/<int:pk>/": lambda w: {"pk": w.proposal.pk},
    "api/session-proposals/<int:pk>/approve/": lambda w: {"pk": w.proposal.pk},
    "api/session-proposals/<int:pk>/reject/": lambda w: {"pk": w.proposal.pk},
    "api/session-proposals/<int:pk>/request-changes/": lambda w: {"pk": w.proposal.pk},
    "api/session-proposals/<int:pk>/withdraw/": lambda w: {"pk": w.proposal.pk},
    "api/initiatives/<int:pk>/": lambda w: {"pk": w.initiative.pk},
    "bibliotek/<slug:slug>/": lambda w: {"slug": w.branch.slug},
    # Branch settings (core.views_branch); the world has no closure or stop: a 404 is fine.
    "personale/bibliotek/<slug:slug>/": lambda w: {"slug": w.branch.slug},
    "personale/bibliotek/<slug:slug>/aabningstider/": lambda w: {"slug": w.branch.slug},
    "personale/bibliotek/<slug:slug>/lukninger/ny/": lambda w: {"slug": w.branch.slug},
    "personale/bibliotek/<slug:slug>/lukninger/<int:pk>/fjern/": (
        lambda w: {"slug": w.branch.slug, "pk": 1}
    ),
    "personale/bibliotek/<slug:slug>/stop/ny/": lambda w: {"slug": w.branch.slug},
    "personale/bibliotek/<slug:slug>/stop/<int:pk>/": lambda w: {"slug": w.branch.slug, "pk": 1},
    "personale/bibliotek/<slug:slug>/stop/<int:pk>/fjern/": (
        lambda w: {"slug": w.branch.slug, "pk": 1}
    ),
    "konto/nulstil/<uidb64>/<token>/": lambda w: w.reset,
    "konto/bekraeft/<str:token>/": lambda w: {"token": "an-old-or-forged-link"},
    # Nobody's key has this id: the page must still answer calmly (404), never 5xx.
    "min-side/api-noegler/<int:pk>/tilbagekald/": lambda w: {"pk": 2_000_000_000},
    "personale/frivillige/profiler/<int:pk>/afslut/": lambda w: {"pk": w.profile.pk},
    "lokaler/<int:pk>/": lambda w: {"pk": w.room.pk},
    "lokaler/<int:pk>/tjek-ind/": lambda w: {"pk": w.room.pk},
    "personale/lokaler/<int:pk>/doerskilt/": lambda w: {"pk": w.room.pk},
    # Nobody's pause or proposal has this id: the page must still answer calmly (404).
    "personale/lokaler/pauser/<int:pk>/ophaev/": lambda w: {"pk": 2_000_000_000},
    "personale/arrangementer/<int:pk>/tilmeld/": lambda w: {"pk": w.event.pk},
    "foreninger/arrangementer/booking/<int:pk>/foreslaa/": lambda w: {"pk": w.booking.pk},
    "personale/foreningsarrangementer/<int:pk>/godkend/": lambda w: {"pk": 2_000_000_000},
    "personale/foreningsarrangementer/<int:pk>/afvis/": lambda w: {"pk": 2_000_000_000},
    "lokaler/uge/<slug:slug>/": lambda w: {"slug": w.branch.slug},
    "lokaler/booking/<int:pk>/aflys/": lambda w: {"pk": w.booking.pk},
    "lokaler/booking/<int:pk>/godkend/": lambda w: {"pk": w.booking.pk},
    "lokaler/booking/<int:pk>/afvis/": lambda w: {"pk": w.booking.pk},
    "lokaler/booking/<int:pk>/udeblev/": lambda w: {"pk": w.booking.pk},
    "lokaler/godkendelse/<slug:slug>/": lambda w: {"slug": w.branch.slug},
    "personale/lokaler/<int:pk>/ret/": lambda w: {"pk": w.room.pk},
    "personale/lokaler/maskiner/<int:pk>/ret/": lambda w: {"pk": w.equipment.pk},
    # Nobody holds a licence in this world: the page must still answer calmly (404).
    "personale/lokaler/koerekort/<int:pk>/tilbagekald/": lambda w: {"pk": 2_000_000_000},
    "makerspace/booking/<int:pk>/aflys/": lambda w: {"pk": w.equipment_booking.pk},
    "makerspace/booking/<int:pk>/tjek-ind/": lambda w: {"pk": w.equipment_booking.pk},
    "arrangementer/<int:pk>/": lambda w: {"pk": w.event.pk},
    "arrangementer/tilmeldinger/<int:pk>/afmeld/": lambda w: {"pk": w.registration.pk},
    "personale/arrangementer/<int:pk>/ret/": lambda w: {"pk": w.event.pk},
    "personale/arrangementer/<int:pk>/tjek-ind/": lambda w: {"pk": w.event.pk},
    "personale/arrangementer/<int:pk>/fremmoede/": lambda w: {"pk": w.event.pk},
    "personale/arrangementer/<int:pk>/aflys/": lambda w: {"pk": w.event.pk},
    "personale/tilmeldinger/<int:pk>/tjek-ind/": lambda w: {"pk": w.registration.pk},
    "personale/arrangementer/<int:pk>/tjek-ind/uden-tilmelding/": lambda w: {"pk": w.event.pk},
    "personale/tilmeldinger/<int:pk>/fortryd-tjek-ind/": lambda w: {"pk": w.registration.pk},
    # A forged QR token: the page must still answer calmly (404), never 5xx.
    "personale/tjek-ind/<str:token>/": lambda w: {"token": "an-old-or-forged-code"},
    "arrangementer/tjek-ind-kode/<str:token>.svg": lambda w: {"token": "an-old-or-forged-code"},
    "frivillig/vagter/<int:pk>/tilmeld/": lambda w: {"pk": w.shift.pk},
    "frivillig/tilmeldinger/<int:pk>/afmeld/": lambda w: {"pk": w.signup.pk},
    "frivillig/tilmeldinger/<int:pk>/kom/": lambda w: {"pk": w.signup.pk},
    "frivillig/forslag/<int:pk>/ret/": lambda w: {"pk": w.proposal.pk},
    "personale/frivillige/boerneattester/<int:pk>/": lambda w: {"pk": w.profile.pk},
    "personale/frivillige/forslag/<int:pk>/beslut/": lambda w: {"pk": w.proposal.pk},
    "personale/frivillige/vagter/<int:pk>/": lambda w: {"pk": w.shift.pk},
    "personale/frivillige/aktiviteter/<int:pk>/": lambda w: {"pk": w.shift.activity_id},
    # The world has no partner: a 404 is fine.
    "personale/partnere/<int:pk>/": lambda w: {"pk": 1},
    "personale/partnere/<int:pk>/forbindelser/": lambda w: {"pk": 1},
    "feeds/events/<int:event_id>.ics": lambda w: {"event_id": w.event.pk},
    "feeds/rooms/<int:room_id>.ics": lambda w: {"room_id": w.room.pk},
    "feeds/personal/<str:token>.ics": lambda w: {"token": w.feed_token},
    "plan/indsatser/<int:pk>/": lambda w: {"pk": w.initiative.pk},
    "plan/rapport/<int:year>/<slug:period>/": lambda w: {
        "year": w.initiative.plan.year,
        "period": "year",
    },
    "plan/rapport/<int:year>/<slug:period>.<str:fmt>": lambda w: {
        "year": w.initiative.plan.year,
        "period": "year",
        "fmt": "csv",
    },
}


@pytest.fixture
def world() -> World:
    branch = make_branch(slug="hoved")
    staff = make_user(role=Role.STAFF, branches=[branch], password=None)
    citizen = make_user(password=None)
    volunteer = make_volunteer(branches=[branch])
    room = make_room(branch=branch)
    day = future_day(10)
    booking = make_booking(room=room, start=at(day, 10), end=at(day, 11), booker=citizen)
    equipment = make_equipment(branch=branch)
    equipment_booking = EquipmentBooking.objects.create(
        equipment=equipment, booker=citizen, start=at(day, 12), end=at(day, 14)
    )
    event = make_event(branch=branch, host=volunteer)
    registration = make_registration(event=event, user=citizen)
    shift = make_shift(activity=make_activity(branch=branch))
    signup = make_signup(shift=shift, volunteer=volunteer)
    proposal = SessionProposal.objects.create(
        volunteer=volunteer,
        title="Strikkeklub",
        branch=branch,
        start=at(local_today() + timedelta(days=20), 10),
        end=at(local_today() + timedelta(days=20), 12),
    )
    plan = make_plan(year=local_today().year)
    initiative = make_initiative(
        plan=plan, tracks=[Track.objects.get(slug="hygge")], branches=[branch]
    )
    return World(
        branch=branch,
        staff=staff,
        citizen=citizen,
        volunteer=volunteer,
        room=room,
        booking=booking,
        equipment=equipment,
        equipment_booking=equipment_booking,
        event=event,
        registration=registration,
        shift=shift,
        signup=signup,
        profile=VolunteerProfile.objects.get(user=volunteer),
        proposal=proposal,
        initiative=initiative,
        feed_token=notification_services.feed_token_renew(actor=citizen),
        reset={
            "uidb64": urlsafe_base64_encode(force_bytes(citizen.pk)),
            "token": default_token_generator.make_token(citizen),
        },
    )


def fill(route: str, world: World) -> str:
    values = PATH_VALUES[route](world) if PARAM.search(route) else {}
    return "/" + PARAM.sub(lambda m: str(values[m.group(1)]), route)


# --- What each view reads ---------------------------------------------------------------------


READ: set[str] = set()


class RecordingQueryDict(QueryDict):
    """request.GET that remembers (in READ) which parameters the view asked for."""

    read: ClassVar[set[str]] = READ

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def getlist(self, key: str, default: Any = None) -> list[Any]:
        self.read.add(key)
        return super().getlist(key, default)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


class RecordQueryParameters:
    """Test-only middleware: swaps request.GET for a RecordingQueryDict."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        recording = RecordingQueryDict(request.META.get("QUERY_STRING", ""))
        READ.clear()  # building it looked its own keys up
        request.GET = recording  # type: ignore[misc]
        return self.get_response(request)


def parameters_read(client: Client, path: str) -> tuple[HttpResponse, set[str]]:
    """A plain GET (with one dummy parameter, so forms bound to a non-empty request.GET are
    bound and read their fields) and the parameters the view read while answering it."""
    from django.conf import settings

    READ.clear()
    middleware = [*settings.MIDDLEWARE, f"{__name__}.RecordQueryParameters"]
    with override_settings(MIDDLEWARE=middleware):
        response = client.get(path, {UNKNOWN: "1"})
    return response, set(READ)


@cache
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _schema_operation(route: str, method: str) -> dict[str, Any]:
    path = "/" + PARAM.sub(lambda m: "{" + m.group(1) + "}", route)
    return schema()["paths"].get(path, {}).get(method, {})


def documented_query_parameters(route: str) -> set[str]:
    operation = _schema_operation(route, "get")
    return {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}


def documented_body_fields(route: str, method: str) -> set[str]:
    content = _schema_operation(route, method).get("requestBody", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    if not ref:
        return set()
    component = schema()["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return set(component.get("properties", {}))


FIELD_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')


def form_fields(response: HttpResponse) -> set[str]:
    if "text/html" not in response.get("Content-Type", ""):
        return set()
    return set(FIELD_NAME.findall(response.content.decode())) - {"csrfmiddlewaretoken"}


def view_class(view: Callable[..., Any]) -> type | None:
    return getattr(view, "cls", None) or getattr(view, "view_class", None)


def api_writes(view: Callable[..., Any]) -> list[str]:
    cls = view_class(view)
    return [method for method in WRITES if cls is not None and hasattr(cls, method)]


# --- The walk ---------------------------------------------------------------------------------


def clients(world: World) -> dict[str, Client]:
    result = {"anonymous": Client(raise_request_exception=False)}
    for name in ("citizen", "volunteer", "staff"):
        client = Client(raise_request_exception=False)
        client.force_login(getattr(world, name))
        result[name] = client
    return result


def assert_no_5xx(response: HttpResponse, who: str, what: str) -> None:
    assert response.status_code < 500, f"{who}: {what} -> {response.status_code}"


def test_every_route_with_parameters_is_walked() -> None:
    missing = [route for route in ROUTES if PARAM.search(route) and route not in PATH_VALUES]
    assert not missing, f"add these routes to PATH_VALUES: {missing}"


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_no_route_answers_hostile_input_with_a_5xx(route: str, world: World) -> None:
    if PARAM.search(route) and route not in PATH_VALUES:
        pytest.skip("no path values (see test_every_route_with_parameters_is_walked)")
    path = fill(route, world)
    view = ROUTES[route]
    is_api = route.startswith("api/")
    for who, client in clients(world).items():
        plain, read = parameters_read(client, path)
        assert_no_5xx(plain, who, f"GET {path}")
        for name in sorted(read | documented_query_parameters(route) | {UNKNOWN, "page"}):
            response = client.get(path, {name: NUL})
            assert_no_5xx(response, who, f"GET {path}?{name}=NUL")
        if is_api:
            for method in api_writes(view):
                send = getattr(client, method)
                for label, body in (("5,000-deep array", DEEP_JSON), ("deep object", DEEP_OBJECT)):
                    response = send(path, body, content_type="application/json")
                    assert_no_5xx(response, who, f"{method.upper()} {path} {label}")
                fields = documented_body_fields(route, method) | {UNKNOWN}
                body = json.dumps(dict.fromkeys(sorted(fields), NUL))
                response = send(path, body, content_type="application/json")
                assert_no_5xx(response, who, f"{method.upper()} {path} NUL in {sorted(fields)}")
        else:
            fields = form_fields(plain) | {UNKNOWN, "next", "reason"}
            response = client.post(path, dict.fromkeys(sorted(fields), NUL))
            assert_no_5xx(response, who, f"POST {path} NUL in {sorted(fields)}")


HREF_QUERY = re.compile(r'href="\?([^"#]*)"')


def test_no_admin_list_answers_a_nul_filter_with_a_5xx(world: World) -> None:
    """Every changelist's search, ordering and filters (read from its own filter links)."""
    administrator = make_user(role=Role.ADMINISTRATOR, password=None)
    client = Client(raise_request_exception=False)
    client.force_login(administrator)
    for model in admin.site._registry:
        meta = model._meta
        path = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        plain = client.get(path)
        assert_no_5xx(plain, "administrator", f"GET {path}")
        names = {"q", "o", "p", UNKNOWN}
        for query in HREF_QUERY.findall(plain.content.decode()):
            names |= set(QueryDict(query.replace("&amp;", "&")).keys())
        for name in sorted(names):
            response = client.get(path, {name: NUL})
            assert_no_5xx(response, "administrator", f"GET {path}?{name}=NUL")
    response = Client(raise_request_exception=False).post(
        "/admin/login/", {"username": NUL, "password": NUL}
    )
    assert_no_5xx(response, "anonymous", "POST /admin/login/ with NUL")


# --- What a person reads ----------------------------------------------------------------------


def english() -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    return client


def assert_sentence(response: HttpResponse, status: int) -> str:
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    assert len(detail.split()) >= 5 and "Traceback" not in detail, detail
    return detail


@pytest.mark.parametrize(
    "path",
    [
        "/api/events/?q=%00",
        "/api/initiatives/?track=%00",
        "/feeds/events.ics?branch=%00",
        "/api/events/?ukendt=x%00y",
    ],
)
def test_a_nul_in_an_api_or_feed_filter_is_a_400_naming_the_parameter(path: str) -> None:
    detail = assert_sentence(english().get(path), 400)
    name = path.split("?")[1].split("=")[0]
    assert f"“{name}” contains a character that cannot be stored" in detail


def test_a_nul_in_a_page_filter_is_a_short_page_saying_what_is_wrong() -> None:
    response = english().get("/lokaler/?bibliotek=%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "“bibliotek” contains a character that cannot be stored" in html
    assert 'href="/"' in html


def test_a_nul_in_the_path_a_header_or_a_cookie_is_a_400() -> None:
    client = english()
    assert client.get("/feeds/personal/abc%00def.ics").status_code == 400
    assert client.get("/api/events/", HTTP_AUTHORIZATION="Token abc\x00def").status_code == 400
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/min-side/").status_code == 400


def test_a_nul_in_a_posted_form_is_a_400_and_nothing_is_written(world: World) -> None:
    client = english()
    client.force_login(world.citizen)
    response = client.post(
        f"/arrangementer/tilmeldinger/{world.registration.pk}/afmeld/", {"next": "/\x00"}
    )
    assert response.status_code == 400
    world.registration.refresh_from_db()
    assert world.registration.cancelled_at is None


def test_deep_json_to_the_anonymous_token_endpoint_is_a_400() -> None:
    response = english().post("/api/auth/token/", DEEP_JSON, content_type="application/json")
    assert "nested too deeply" in assert_sentence(response, 400)


def test_json_with_a_nul_in_a_string_is_a_400_and_writes_nothing(world: World) -> None:
    client = english()
    client.force_login(world.staff)
    body = {
        "title": "a\x00b",
        "branch": world.branch.slug,
        "start": at(future_day(12), 10).isoformat(),
        "end": at(future_day(12), 12).isoformat(),
    }
    before = Event.objects.count()
    response = client.post("/api/events/", body, content_type="application/json")
    assert "“title” contains a character that cannot be stored" in assert_sentence(response, 400)
    # A slug looked up in the database, a nested list and a lone surrogate: refused the same.
    for field, value in (("branch", "ho\x00ved"), ("tracks", ["hygge", "x\x00"])):
        response = client.post(
            "/api/events/",
            {**body, "title": "Strik", field: value},
            content_type="application/json",
        )
        assert f"“{field}” contains" in assert_sentence(response, 400)
    raw = json.dumps({**body, "title": "Strik"})[:-1] + ', "description": "\\ud800"}'
    response = client.post("/api/events/", raw, content_type="application/json")
    assert "“description” contains" in assert_sentence(response, 400)
    assert Event.objects.count() == before


def test_text_with_emoji_and_brackets_in_strings_is_taken(world: World) -> None:
    """No false alarm: a surrogate pair is a real character, brackets in strings do not nest."""
    client = english()
    client.force_login(world.staff)
    body = {
        "title": "Strik 🧶 " + "[{" * 40,
        "branch": world.branch.slug,
        "start": at(future_day(12), 10).isoformat(),
        "end": at(future_day(12), 12).isoformat(),
    }
    raw = json.dumps(body)  # ensure_ascii: the emoji travels as "\ud83e\uddf6"
    assert "\\ud83e" in raw
    response = client.post("/api/events/", raw, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["title"].startswith("Strik 🧶 [{")


def test_a_body_larger_than_the_cap_is_a_413() -> None:
    from django.conf import settings

    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({"email": "a@example.org", "password": "x" * (size + 10)})
    response = english().post("/api/auth/token/", body, content_type="application/json")
    assert "too large" in assert_sentence(response, 413)


def test_a_form_patch_through_the_api_with_a_nul_is_a_400(world: World) -> None:
    """PUT/PATCH forms are parsed by DRF, not by Django's middleware: checked there."""
    client = english()
    client.force_login(world.staff)
    response = client.patch(
        f"/api/events/{world.event.pk}/",
        "title=a%00b",
        content_type="application/x-www-form-urlencoded",
    )
    assert "“title” contains" in assert_sentence(response, 400)
    world.event.refresh_from_db()
    assert "\x00" not in world.event.title


def test_a_broken_multipart_form_is_a_400() -> None:
    response = english().post(
        "/konto/log-ind/", b"--x\r\nnonsense", content_type="multipart/form-data; boundary="
    )
    assert response.status_code == 400
