"""Production error pages speak the site's language and lead somewhere (DEBUG off)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from core.models import Role
from tests.factories import make_user


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_missing_page_is_a_danish_page_with_the_way_home() -> None:
    response = Client().get("/finnes-ikke/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Vi kan ikke finde den side" in body
    assert 'href="/"' in body


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_no_access_says_why_in_danish() -> None:
    client = Client()
    client.force_login(make_user(role=Role.CITIZEN))
    response = client.get("/plan/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Du har ikke adgang til denne side" in body
    assert "personale" in body  # the view's own reason is shown, not a bare "403 Forbidden"
