from datetime import date
from io import BytesIO

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from gaizao.works.models import Milestone

from .test_portal import PERSONAL


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).replace(" ", "")


def _get(c, pk, **kw):
    params = {"start": "2024-06-01", "end": "2024-06-07", "contact": "金辰街道改造办0871-65551234"}
    return c.get(f"/dashboard/notices/{pk}/", params | kw)


@pytest.mark.django_db
@pytest.mark.parametrize("kind,expect", [("plan", "改造方案公示"), ("vote", "业主表决结果公示")])
def test_notice_pdf_has_period_contact_and_no_personal_data(
    client_for, users, programme, kind, expect
):
    r = _get(client_for(users["district"]), programme["a"].pk, kind=kind)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = _text(r.content)
    assert "天祥小区" in text and expect in text
    assert "2024年6月1日至2024年6月7日" in text
    assert "0871-65551234" in text
    for p in PERSONAL[:-1]:
        assert p not in text, p
    if kind == "vote":
        assert "100.00%" in text or "100%" in text


@pytest.mark.django_db
def test_acceptance_notice_only_after_acceptance(client_for, users, programme):
    c = client_for(users["district"])
    r = _get(c, programme["a"].pk, kind="acceptance")
    assert r.status_code == 400 and "尚未通过竣工验收" in r.content.decode()
    Milestone.objects.filter(works=programme["works"], stage="acceptance").update(
        actual_on=date(2024, 11, 5)
    )
    cache.clear()
    r = _get(c, programme["a"].pk, kind="acceptance")
    assert r.status_code == 200
    text = _text(r.content)
    assert "竣工验收公示" in text and "2024年11月5日" in text


@pytest.mark.django_db
def test_notice_form_errors_and_access(client_for, users, programme):
    c = client_for(users["district"])
    assert _get(c, programme["b"].pk, kind="plan").status_code == 400  # no plan yet
    bad = _get(c, programme["a"].pk, kind="plan", end="2024-05-01")
    assert bad.status_code == 400 and "早于" in bad.content.decode()
    bad = _get(c, programme["a"].pk, kind="plan", start="六月一日")
    assert bad.status_code == 400
    assert _get(c, programme["a"].pk, kind="plan", contact="").status_code == 400
    assert c.get(f"/dashboard/notices/{programme['a'].pk}/").status_code == 200  # the form
    # Another street's office cannot print this compound's notice.
    assert (
        _get(client_for(users["street_qingyun"]), programme["a"].pk, kind="plan").status_code == 404
    )
