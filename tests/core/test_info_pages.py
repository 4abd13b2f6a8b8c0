"""The accessibility statement, the privacy notice and the help page, linked in every page's
footer; the sign-up page shows the privacy notice; uploaded event images are served."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from core.models import Role
from tests.factories import make_branch, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def english_client() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_the_footer_links_the_statement_privacy_and_help_on_every_page() -> None:
    for url in ("/", "/arrangementer/", "/konto/opret/"):
        page = Client().get(url).content.decode()
        assert 'href="/tilgaengelighed/"' in page
        assert 'href="/privatliv/"' in page
        assert 'href="/hjaelp/"' in page


def test_the_accessibility_statement_says_what_the_act_asks() -> None:
    make_branch(name="Roskilde Bibliotek", kind="main", email="bibliotek@example.dk")
    page = english_client().get("/tilgaengelighed/").content.decode()
    assert "<h1>Accessibility statement</h1>" in page
    assert "WCAG" in page and "What is not yet accessible" in page
    assert 'href="mailto:bibliotek@example.dk"' in page  # where to report a problem
    assert 'href="https://www.was.digst.dk/"' in page  # where to complain


def test_the_help_page_leads_to_events_rooms_and_the_makerspace() -> None:
    page = Client().get("/hjaelp/").content.decode()
    assert 'href="/arrangementer/"' in page
    assert 'href="/lokaler/"' in page
    assert 'href="/makerspace/"' in page


def test_sign_up_shows_the_privacy_notice() -> None:
    page = english_client().get("/konto/opret/").content.decode()
    assert "How we use your information" in page
    assert "CPR" in page and "30 days" in page
    assert 'href="/privatliv/"' in page


def test_a_single_checkbox_has_its_label_beside_it() -> None:
    branch = make_branch(slug="viby-x")
    client = english_client()
    client.force_login(make_user(role=Role.ADMINISTRATOR, password=None))
    page = client.get(f"/personale/bibliotek/{branch.slug}/lukninger/ny/").content.decode()
    box = page.split('<div class="check">', 1)[1].split("</div>", 1)[0]
    assert box.startswith('<input type="checkbox" name="all_branches"')
    assert box.endswith('<label for="id_all_branches">Close every branch</label>')
    assert 'id="id_all_branches_helptext"' in page  # what aria-describedby points to


def test_uploaded_event_images_are_served_and_nothing_else(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "lego.jpg").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    (tmp_path / "secret.txt").write_text("no")
    served = Client().get("/media/events/lego.jpg")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert Client().get("/media/secret.txt").status_code == 404
    assert Client().get("/media/events/../secret.txt").status_code == 404
    assert Client().get("/media/events/missing.jpg").status_code == 404
