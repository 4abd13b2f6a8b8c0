"""Contracts as types: message kinds, audit actions and error codes are enums.

A kind, action or code written as a string must be a member of its enum. The services check it
when they run (``ValueError``); this file also reads the apps' source, so a typo in a branch no
test reaches fails here before that code ever runs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import pytest
from django.template.loader import get_template

from core.contracts import AuditAction, MessageKind
from core.exceptions import DomainError, ErrorCode, NotFound, RuleViolation
from core.models import AuditLog
from core.services import audit_log
from core.signals import send_state_changed, state_changed
from notifications import services as notification_services
from notifications.kinds import ALL_KINDS, DerivedKind
from notifications.messages import SUBJECTS
from notifications.models import Delivery, ReminderKind
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "identity", "rooms", "events", "volunteers", "plans", "notifications")

# Calls that send state_changed; every string given as their kind must be a MessageKind.
SENDERS = {"send", "send_robust", "asend", "asend_robust", "send_state_changed"}
ENUMS: dict[str, type[StrEnum]] = {
    e.__name__: e for e in (MessageKind, AuditAction, ErrorCode, DerivedKind)
}


def _error_classes() -> set[str]:
    found, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo += cls.__subclasses__()
    return found


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _patterns(node: ast.expr) -> Iterator[str]:
    """The strings an expression can be, as regular expressions (``.+`` for what is unknown):
    ``"a.b"``, ``"a.b" if x else "a.c"`` and ``f"registration.{status}"`` alike."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield re.escape(node.value)
    elif isinstance(node, ast.IfExp):
        yield from _patterns(node.body)
        yield from _patterns(node.orelse)
    elif isinstance(node, ast.JoinedStr):
        parts = [[""]]
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                inner = list(_patterns(value.value)) or [".+"]
                parts.append(inner)
            else:
                parts.append(list(_patterns(value)))
        combined = [""]
        for options in parts:
            combined = [head + option for head in combined for option in options]
        yield from combined


def _check(node: ast.expr, enum: type[StrEnum], where: str) -> Iterator[str]:
    values = [member.value for member in enum]
    for pattern in _patterns(node):
        if not any(re.fullmatch(pattern, value) for value in values):
            yield f"{where}: {pattern.replace(chr(92), '')!r} is not a {enum.__name__}"


def _kind_params(tree: ast.Module) -> dict[str, int]:
    """Functions of this module with a parameter named ``kind``: name -> its position."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names = [a.arg for a in node.args.posonlyargs + node.args.args]
            if "kind" in names:
                found[node.name] = names.index("kind")
    return found


def offences(source: str, filename: str) -> tuple[list[str], int]:
    """What in this source is not a member of its enum, and how many call sites were read."""
    tree = ast.parse(source, filename)
    errors_named = _error_classes()
    kind_params = _kind_params(tree)
    problems: list[str] = []
    checked = 0
    for call in ast.walk(tree):
        if isinstance(call, ast.Attribute) and isinstance(call.value, ast.Name):
            enum = ENUMS.get(call.value.id)
            if enum is not None and call.attr not in enum.__members__ and call.attr[0].isupper():
                problems.append(
                    f"{filename}:{call.lineno}: {call.value.id}.{call.attr} is no member"
                )
        if not isinstance(call, ast.Call):
            continue
        name = _name(call.func)
        where = f"{filename}:{call.lineno}"
        is_send = name in SENDERS and (
            name == "send_state_changed" or "state_changed" in ast.unparse(call.func)
        )
        for keyword in call.keywords:
            value = keyword.value
            if keyword.arg == "action":
                checked += 1
                problems += _check(value, AuditAction, where)
            elif keyword.arg == "code" and name in errors_named:
                checked += 1
                problems += _check(value, ErrorCode, where)
            elif keyword.arg == "kind" and (is_send or any("." in p for p in _patterns(value))):
                checked += 1
                enum = DerivedKind if "reminder" in ast.unparse(value) else MessageKind
                problems += _check(value, enum, where)
        # A module's own helper that passes a kind on: _signal(Booking, "booking.rejected", ...)
        position = kind_params.get(name)
        if position is not None and position < len(call.args):
            value = call.args[position]
            if any("." in p for p in _patterns(value)):
                checked += 1
                problems += _check(value, MessageKind, where)
    return problems, checked


def app_sources() -> Iterator[Path]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


# --- The source of every app ---------------------------------------------------------------


def test_every_kind_action_and_code_written_in_the_apps_is_a_member_of_its_enum() -> None:
    problems: list[str] = []
    checked = 0
    for path in app_sources():
        found, count = offences(path.read_text(), str(path.relative_to(ROOT)))
        problems += found
        checked += count
    assert problems == []
    # The scan reads the real call sites (174 when it was written).
    assert checked > 150


def test_the_scan_finds_a_typo_in_each_contract() -> None:
    """Negative control: the scan above would see a mistyped kind, action or code."""
    source = """
state_changed.send(sender=Booking, kind="booking.confrimed", instance=b)
send_state_changed(sender=Booking, kind="nonsense", instance=b)
audit_log(actor=a, action="booking.canceled", target=b)
AuditLog.objects.create(action=f"registration.{status}x", target_type="x", target_id="1")
audit_log(actor=a, action="booking.requested" if x else "booking.approved", target=b)
raise RuleViolation(_("No."), code="event_ful")
raise NotFound(code="no_such_code")
raise Conflict(code=ErrorCode.EVENT_FUL)

def _signal(model, kind, instance, actor):
    pass

_signal(Booking, "booking.rejectd", booking, actor)
"""
    problems, _checked = offences(source, "planted.py")
    assert sorted(p.split(": ", 1)[1] for p in problems) == sorted(
        [
            "'booking.confrimed' is not a MessageKind",
            "'nonsense' is not a MessageKind",
            "'booking.canceled' is not a AuditAction",
            "'registration..+x' is not a AuditAction",
            "'booking.approved' is not a AuditAction",
            "'event_ful' is not a ErrorCode",
            "'no_such_code' is not a ErrorCode",
            "ErrorCode.EVENT_FUL is no member",
            "'booking.rejectd' is not a MessageKind",
        ]
    )


def test_the_scan_accepts_what_the_services_really_write() -> None:
    source = """
_send(reg, f"registration.{status}", actor)
audit_log(actor=a, action=f"booking.{'requested' if needs_approval else 'confirmed'}", target=b)
OpeningHours(branch=branch, kind="self_service")
raise Conflict(BUSY_MESSAGE, code=ErrorCode.BUSY)
raise forms.ValidationError("Wait.", code="throttled")

def _send(reg, kind, actor):
    pass
"""
    assert offences(source, "real.py") == ([], 3)


def _used(member: StrEnum, text: str) -> bool:
    if f'"{member.value}"' in text or f".{member.name}" in text:
        return True
    family, dot, _rest = member.value.rpartition(".")
    return bool(dot) and f'"{family}.{{' in text  # built by f"registration.{status}"


def test_every_enum_member_is_used_somewhere_in_the_apps() -> None:
    """No dead entries: each member's value or name appears in the apps besides its definition."""
    text = "\n".join(path.read_text() for path in app_sources())
    text = re.sub(r'^\s+[A-Z][A-Z_]* = "[^"]*".*$', "", text, flags=re.MULTILINE)
    unused = [
        f"{enum.__name__}.{member.name}"
        for enum in (MessageKind, AuditAction, ErrorCode, DerivedKind)
        for member in enum
        if not _used(member, text)
    ]
    assert unused == []


# --- Message kinds ------------------------------------------------------------------------------


def test_every_message_kind_has_recipients_a_subject_and_a_text() -> None:
    for kind in MessageKind:
        assert kind in notification_services.RECIPIENTS, kind
    for any_kind in ALL_KINDS:
        assert any_kind in SUBJECTS, any_kind
        assert get_template(f"notifications/email/{any_kind}.txt"), any_kind
    assert set(SUBJECTS) == set(ALL_KINDS)


def test_every_kind_of_reminder_has_its_message_kind() -> None:
    for kind in ReminderKind:
        assert DerivedKind.reminder(kind) in SUBJECTS


@contextmanager
def only(receiver: Callable[..., None] | None) -> Iterator[None]:
    """state_changed with no receiver but ``receiver`` (none at all for None) for a moment."""
    saved = state_changed.receivers
    state_changed.receivers = []
    try:
        if receiver is not None:
            state_changed.connect(receiver, weak=False)
        yield
    finally:
        state_changed.receivers = saved


@pytest.mark.django_db
def test_a_mistyped_kind_raises_at_the_sender_even_with_nobody_listening() -> None:
    person = make_user()
    with only(None):
        with pytest.raises(ValueError, match="booking.confrimed"):
            state_changed.send(sender=type(person), kind="booking.confrimed", instance=person)
        with pytest.raises(ValueError, match="no.such"):
            send_state_changed(sender=type(person), kind="no.such", instance=person)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            state_changed.send(sender=type(person), instance=person)
    # And with the notifications app listening, as in production: nothing is written.
    with pytest.raises(ValueError):
        state_changed.send(sender=type(person), kind="booking.confrimed", instance=person)
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_the_outbox_refuses_an_unknown_kind_instead_of_writing_nothing() -> None:
    person = make_user()
    with pytest.raises(ValueError):
        notification_services.outbox_rows(kind="booking.confrimed", instance=person)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_known_kind_given_as_a_string_arrives_as_its_member() -> None:
    person = make_user()
    seen: list[object] = []

    def receiver(sender: object, kind: object, **kwargs: object) -> None:
        seen.append(kind)

    with only(receiver):
        state_changed.send(sender=type(person), kind="booking.confirmed", instance=person)
        send_state_changed(sender=type(person), kind=MessageKind.EVENT_CHANGED, instance=person)
    assert seen == [MessageKind.BOOKING_CONFIRMED, MessageKind.EVENT_CHANGED]
    assert all(type(kind) is MessageKind for kind in seen)


# --- Audit actions ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_log_refuses_an_unknown_action_and_writes_nothing() -> None:
    person = make_user()
    with pytest.raises(ValueError, match="no.such"):
        audit_log(actor=person, action="no.such", target=person)  # type: ignore[arg-type]
    assert not AuditLog.objects.exists()
    entry = audit_log(actor=person, action=AuditAction.USER_REGISTERED, target=person)
    entry.refresh_from_db()
    assert entry.action == "user.registered"


# --- Error codes --------------------------------------------------------------------------------


def test_an_unknown_error_code_raises() -> None:
    with pytest.raises(ValueError, match="event_ful"):
        RuleViolation("No.", code="event_ful")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no_such_code"):
        type("Planted", (NotFound,), {"code": "no_such_code"})


def test_an_error_code_reaches_the_api_as_its_plain_string() -> None:
    from core.api.exceptions import exception_handler

    error = RuleViolation("No.", code=ErrorCode.EVENT_STARTED, field="start")
    response = exception_handler(error, {})
    assert response is not None
    assert response.data == {"detail": "No.", "code": "event_started", "field": "start"}
    assert type(response.data["code"]) is str
    assert NotFound().as_dict()["code"] == "not_found"
    # A code given as its string (as the services not yet converted do) is the same member.
    assert RuleViolation("No.", code="event_started").code is ErrorCode.EVENT_STARTED  # type: ignore[arg-type]
