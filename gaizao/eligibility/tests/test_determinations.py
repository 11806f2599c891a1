"""核实 and the leadership office's decision, through the page and the API:
who may, what they must give (reason, evidence), the audit entry, and the
verdict stored again (issue 8 item 7)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gaizao.core.models import AuditEntry
from gaizao.eligibility.models import Determination, Verdict

from .conftest import good_compound

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 40


def png(name="scan.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def review_compound(policies, areas):
    # Panlong needs the willingness survey: none yet → 待核实.
    return good_compound(areas["jinchen"], "待核实院", community=areas["tianxiang"])


def test_page_offers_verification_and_records_it(review_compound, users, client_for, policies):
    c = review_compound
    client = client_for(users["street_jinchen"])
    url = reverse("eligibility:compound", args=[c.pk])
    html = client.get(url).content.decode()
    assert "待核实" in html and "核实“待核实”结论" in html
    assert "领导小组办公室决定" not in html.split("核实与决定")[1]  # not for a street office
    r = client.post(
        reverse("eligibility:compound_decide", args=[c.pk]),
        {
            "kind": "verify",
            "outcome": "eligible",
            "reason": "已入户征询,居民书面同意率92%,见附件",
            "evidence": png(),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    d = Determination.objects.get(compound=c)
    assert d.kind == "verify" and d.verdict_before == "review" and d.outcome == "eligible"
    assert d.evidence.name.startswith("eligibility/") and d.evidence.name.endswith(".png")
    assert d.decided_by == users["street_jinchen"]
    stored = Verdict.objects.get(compound=c, policy=policies["panlong"])
    assert stored.verdict == "eligible" and stored.by_default
    assert stored.reasons[-1]["criterion"] == "verified"
    entry = AuditEntry.objects.get(model="eligibility.determination", object_pk=str(d.pk))
    assert entry.actor == users["street_jinchen"]
    assert entry.changes["verdict"] == ["review", "eligible"]
    assert entry.changes["reason"].startswith("已入户征询")
    html = client.get(url).content.decode()
    assert "已入户征询,居民书面同意率92%" in html and "street_jinchen" in html
    # The evidence is served to staff who see the compound, not to others.
    assert client.get(d.evidence.url).status_code == 200
    assert client_for(users["street_qingyun"]).get(d.evidence.url).status_code == 404


def test_verification_without_evidence_keeps_what_was_typed(review_compound, users, client_for):
    c = review_compound
    r = client_for(users["street_jinchen"]).post(
        reverse("eligibility:compound_decide", args=[c.pk]),
        {"kind": "verify", "outcome": "eligible", "reason": "电话核实过,居民都愿意"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "核实须上传证明材料" in html
    assert "电话核实过,居民都愿意" in html  # the reason stays in the form
    assert not Determination.objects.exists()


def test_bad_evidence_and_short_reason_are_refused(review_compound, users, client_for):
    r = client_for(users["street_jinchen"]).post(
        reverse("eligibility:compound_decide", args=[review_compound.pk]),
        {
            "kind": "verify",
            "outcome": "eligible",
            "reason": "无",
            "evidence": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>"),
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "请写明理由" in html and "不是照片或 PDF" in html
    assert not Determination.objects.exists()


def test_only_review_verdicts_are_verified(policies, areas, users, client_for):
    c = good_compound(areas["jinchen"], "不符合院", is_urban_village=True)
    r = client_for(users["street_jinchen"]).post(
        reverse("eligibility:compound_decide", args=[c.pk]),
        {"kind": "verify", "outcome": "eligible", "reason": "我认为符合条件", "evidence": png()},
    )
    assert r.status_code == 400
    assert "只有“待核实”的结论需要核实" in r.content.decode()


def test_override_is_for_the_leadership_office(policies, areas, users, client_for):
    c = good_compound(areas["jinchen"], "城中村院", is_urban_village=True)
    url = reverse("eligibility:compound_decide", args=[c.pk])
    data = {"kind": "override", "outcome": "eligible", "reason": "区领导小组会议决定纳入"}
    assert client_for(users["bureau"]).post(url, data).status_code == 403
    assert client_for(users["street_jinchen"]).post(url, data).status_code == 403
    assert client_for(users["resident_a"]).post(url, data).status_code in (403, 404)
    r = client_for(users["district"]).post(url, data)
    assert r.status_code == 302
    d = Determination.objects.get(compound=c)
    assert d.kind == "override" and d.verdict_before == "ineligible" and not d.evidence
    html = client_for(users["district"]).get(reverse("eligibility:compound", args=[c.pk])).content
    html = html.decode()
    assert "区领导小组会议决定纳入" in html and "决定纳入改造范围" in html


def test_api_lists_and_records(review_compound, users, client_for):
    c = review_compound
    client = client_for(users["street_jinchen"])
    url = f"/api/v1/compounds/{c.pk}/eligibility/determinations"
    r = client.post(url, {"kind": "verify", "outcome": "eligible", "reason": "短"})
    assert r.status_code == 400 and "理由" in r.json()["error"]
    r = client.post(
        url,
        {
            "kind": "verify",
            "outcome": "ineligible",
            "reason": "现场核实为居民自建住房为主",
            "evidence": png(),
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "verify" and body["outcome"] == "ineligible"
    assert body["verdict_before"] == "review" and body["evidence"]
    r = client.get(url)
    assert r.status_code == 200 and len(r.json()) == 1
    live = client.get(f"/api/v1/compounds/{c.pk}/eligibility").json()
    assert live["verdict"] == "ineligible"
    assert live["reasons"][-1]["criterion"] == "verified"
    # Another street's staff do not see the compound at all.
    assert client_for(users["street_qingyun"]).get(url).status_code == 404
