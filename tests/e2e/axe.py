"""axe-core in the browser tests: WCAG 2.1 level A and AA, every violation listed.

The axe-core script is the one the `axe-playwright-python` package ships (a dev dependency, so
a fresh clone has it after `make install`); nothing is fetched at run time. Playwright's
`page.evaluate` runs through the DevTools protocol, so the page's Content-Security-Policy
(`script-src 'self'`) does not block the injected script.

    from tests.e2e.axe import assert_accessible
    page.goto(live_server.url + "/personale/")
    assert_accessible(page)
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from playwright.sync_api import Page

# WCAG 2.0 and 2.1, levels A and AA: what the issue (and the Danish web accessibility act,
# through EN 301 549) asks for.
WCAG_21_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


@cache
def axe_script() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")


def axe_violations(
    page: Page,
    *,
    include: str | None = None,
    exclude: tuple[str, ...] = (),
    disable: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A + AA rules only).

    `include` narrows the check to one CSS selector, `exclude` leaves selectors out, `disable`
    switches single rules off by id; each use should say why where it is called.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_script())
    context: dict[str, Any] = {"exclude": [[selector] for selector in exclude]}
    if include:
        context["include"] = [[include]]
    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": list(WCAG_21_AA_TAGS)},
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in disable},
    }
    results = page.evaluate(
        "([context, options]) => axe.run(context.include ? context : "
        "(context.exclude.length ? context : document), options)",
        [context, options],
    )
    return list(results["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """One block per rule: id, impact, help text and link, then each failing element."""
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation.get('impact')}): {violation['help']} "
            f"<{violation.get('helpUrl', '')}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {node.get('html', '')[:160]}")
            if summary:
                lines.append(f"        {summary[:400]}")
    return "\n".join(lines)


def assert_accessible(
    page: Page,
    *,
    include: str | None = None,
    exclude: tuple[str, ...] = (),
    disable: tuple[str, ...] = (),
    where: str = "",
) -> None:
    """Fail, listing every violation, unless axe-core finds none on the page (WCAG 2.1 A+AA)."""
    violations = axe_violations(page, include=include, exclude=exclude, disable=disable)
    if violations:
        place = where or page.url
        count = sum(len(v["nodes"]) for v in violations)
        raise AssertionError(
            f"axe-core: {len(violations)} WCAG 2.1 A/AA rule(s) broken, {count} element(s), "
            f"on {place}:\n{describe(violations)}"
        )
