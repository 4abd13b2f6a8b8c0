"""The axe-core helper itself: it finds what it should, and lists every violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.axe import assert_accessible, axe_violations

pytestmark = [pytest.mark.e2e]

BROKEN = """<!doctype html><html lang="da"><head><title>Prøve</title></head><body><main>
<h1>Prøve</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input type="text" name="q"></form>
<p style="color:#aaa;background:#fff">Svag tekst</p>
</main></body></html>"""

CLEAN = """<!doctype html><html lang="da"><head><title>Prøve</title></head><body><main>
<h1>Prøve</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Logo">
<form><label for="q">Søg</label><input type="text" id="q" name="q"></form>
<p style="color:#222;background:#fff">Tydelig tekst</p>
</main></body></html>"""


def test_every_violation_is_listed_by_rule_and_element(page: Page) -> None:
    page.set_content(BROKEN)
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label", "color-contrast"} <= found

    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, where="the broken page")
    message = str(failure.value)
    assert "on the broken page" in message
    for rule in ("image-alt", "label", "color-contrast"):
        assert rule in message
    assert 'name="q"' in message


def test_a_page_without_violations_passes(page: Page) -> None:
    page.set_content(CLEAN)
    assert_accessible(page)


def test_a_rule_switched_off_or_an_excluded_element_is_not_reported(page: Page) -> None:
    page.set_content(BROKEN)
    found = {v["id"] for v in axe_violations(page, disable=("color-contrast",), exclude=("img",))}
    assert "color-contrast" not in found and "image-alt" not in found
    assert "label" in found
