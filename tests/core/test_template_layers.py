"""Templates follow the layers as the Python code does: a template never names the URL of an
app above its own (core -> rooms -> events -> volunteers -> plans, notifications; plans and
notifications sit side by side). Links to higher apps come from core's registries
(``core.navigation``, ``core.mypage``), which those apps fill in their ``AppConfig.ready()``."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

LAYERS = {"core": 0, "rooms": 1, "events": 2, "volunteers": 3, "plans": 4, "notifications": 4}
URL_TAG = re.compile(r"""\{%\s*url\s+(['"])(?P<name>[^'"]+)\1""")


def _package(module: object) -> str:
    name = module if isinstance(module, str) else getattr(module, "__name__", "")
    return str(name).split(".")[0]


def url_apps() -> dict[str, str]:
    """Every URL name (with its namespace) -> the app it belongs to: the package of its view,
    or for a view of Django's own (log in, admin), the package of the URLconf that names it."""
    names: dict[str, str] = {}

    def walk(patterns: list, namespace: str, urlconf_app: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = _package(entry.urlconf_name)
                walk(
                    entry.url_patterns,
                    f"{namespace}{entry.namespace}:" if entry.namespace else namespace,
                    inner if inner in LAYERS else urlconf_app,
                )
            elif isinstance(entry, URLPattern) and entry.name:
                app = _package(entry.callback.__module__)
                names.setdefault(f"{namespace}{entry.name}", app if app in LAYERS else urlconf_app)

    walk(get_resolver().url_patterns, "", _package(settings.ROOT_URLCONF))
    return names


def violations(app: str, text: str, known: dict[str, str]) -> list[str]:
    """The ``{% url %}`` names in a template of ``app`` that it may not name."""
    found = []
    for match in URL_TAG.finditer(text):
        name = match["name"]
        owner = known.get(name)
        if owner is None:
            found.append(f"{name} (no such URL)")
        elif owner in LAYERS and owner != app and LAYERS[owner] >= LAYERS[app]:
            found.append(f"{name} (belongs to {owner}, above or beside {app})")
    return found


def test_the_url_names_are_mapped_to_their_apps() -> None:
    known = url_apps()
    assert known["home"] == "core"
    assert known["login"] == "core"  # Django's view, named in core's URLconf
    assert known["rooms:room-list"] == "rooms"
    assert known["events:calendar"] == "events"
    assert known["volunteers:dashboard"] == "volunteers"
    assert known["plans:dashboard"] == "plans"
    assert known["notifications:events-feed"] == "notifications"


def test_the_check_finds_a_link_up_the_layers() -> None:
    known = url_apps()
    assert violations("core", "{% url 'events:calendar' as u %}", known)
    assert violations("rooms", '{% url "volunteers:dashboard" %}', known)
    assert violations("plans", "{% url 'notifications:events-feed' %}", known)  # siblings
    assert violations("core", "{% url 'no-such-page' %}", known)
    assert not violations("volunteers", "{% url 'events:check-in' 1 %}", known)
    assert not violations("events", "{% url 'branch-detail' b.slug %}{% url 'login' %}", known)


def test_no_template_names_a_url_of_an_app_above_its_own() -> None:
    known = url_apps()
    problems = []
    for app in LAYERS:
        folder = Path(settings.BASE_DIR) / app / "templates"
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in {".html", ".txt", ".xml"}:
                where = path.relative_to(settings.BASE_DIR)
                text = path.read_text(encoding="utf-8")
                problems.extend(f"{where}: {problem}" for problem in violations(app, text, known))
    assert problems == []
