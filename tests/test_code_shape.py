"""The shape of the code: no module of the apps over 600 lines, no function over 80.

A long module is a sign that it holds more than one capability (split it into a package and
re-export, as ``rooms/services/`` does); a long function reads better as a short story of
named steps (validate, plan the dates, write, tell). See docs/contributing.md. Migrations are
generated, and tests live in ``tests/``, so neither is counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "identity", "rooms", "events", "volunteers", "plans", "notifications")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
        and "tests" not in path.relative_to(ROOT).parts
        and not path.name.startswith("test_")
    )


def _long_functions(path: Path, source: str) -> list[str]:
    """``module:line name (N lines)`` for every function or method over the limit, nested
    ones included; a function's length runs from its ``def`` to its last line."""
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                where = path.relative_to(ROOT)
                found.append(f"{where}:{node.lineno} {node.name}() ({length} lines)")
    return found


def _offenders() -> tuple[list[str], list[str]]:
    long_modules, long_functions = [], []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            long_modules.append(f"{path.relative_to(ROOT)} ({lines} lines)")
        long_functions.extend(_long_functions(path, source))
    return long_modules, long_functions


def test_the_walk_finds_the_apps_modules_and_no_migration() -> None:
    names = {str(path.relative_to(ROOT)) for path in _modules()}
    assert {"core/models.py", "core/locking.py", "notifications/messages.py"} <= names
    assert not any("migrations" in name for name in names)


def test_a_long_function_is_named_with_its_place_and_length() -> None:
    body = "\n".join(f"    x = {i}" for i in range(MAX_FUNCTION_LINES))
    module = ROOT / "core" / "example.py"  # only for the name; nothing is written there
    found = _long_functions(module, f"def short():\n    pass\n\n\ndef long():\n{body}\n")
    assert found == [f"core/example.py:5 long() ({MAX_FUNCTION_LINES + 1} lines)"]


def test_no_module_over_600_lines_and_no_function_over_80() -> None:
    long_modules, long_functions = _offenders()
    if long_modules or long_functions:
        pytest.fail(
            "\n".join(
                [
                    f"Modules over {MAX_MODULE_LINES} lines:",
                    *(f"  {line}" for line in long_modules),
                    f"Functions over {MAX_FUNCTION_LINES} lines:",
                    *(f"  {line}" for line in long_functions),
                ]
            ),
            pytrace=False,
        )
