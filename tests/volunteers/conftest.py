"""Faster people for the volunteers' tests: no password hashing (nobody logs in by password)."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import Role, User
from tests.factories import make_user


@pytest.fixture
def citizen(db: None) -> User:
    return make_user(name="Birgit Borger", password=None)


@pytest.fixture
def staff(db: None, branch: Any) -> User:
    return make_user(role=Role.STAFF, branches=[branch], name="Signe Staff", password=None)
