"""The condition survey form (摸底调查) through HTTP: happy path with a
photo, the score, and bad input that keeps what was entered and writes
nothing."""

import os
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from gaizao.core.models import AuditEntry
from gaizao.inventory import services
from gaizao.inventory.facilities import FACILITIES
from gaizao.inventory.models import Condition, ConditionPhoto, Survey
from gaizao.inventory.scoring import condition_score

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _ratings(**override) -> dict:
    r = {f.code: "good" for f in FACILITIES}
    r.update(override)
    return r


def _post_data(ratings: dict, **extra) -> dict:
    data = {"surveyed_on": "2026-03-02", "note": "雨季积水"}
    data.update({f"r_{k}": v for k, v in ratings.items()})
    data.update(extra)
    return data


def _files(root) -> list[str]:
    out = []
    for dirpath, _dirs, files in os.walk(root):
        out += [os.path.join(dirpath, f) for f in files]
    return out


def test_survey_happy_path_with_photo(cast, client_for, settings):
    c = client_for(cast["users"]["surveyor"])
    a = cast["compound_a"]
    page = c.get(f"/compounds/{a.pk}/survey/").content.decode()
    assert page.count('class="fac') == len(FACILITIES)
    assert "基础项目" in page and "提升项目" in page
    assert 'accept="image/*" multiple' in page and "capture=" not in page
    for label in ("完好", "老化", "损坏", "缺失", "不适用"):
        assert label in page
    ratings = _ratings(water_pipes="broken", roads="missing", plaza="na", greenery="worn")
    photo = SimpleUploadedFile("管道.png", PNG, content_type="image/png")
    r = c.post(
        f"/compounds/{a.pk}/survey/",
        _post_data(ratings, n_water_pipes="多处漏水", p_water_pipes=photo),
        follow=True,
    )
    assert r.status_code == 200
    s = Survey.objects.get()
    assert s.score == condition_score(ratings) and s.score < 100
    assert s.surveyor == cast["users"]["surveyor"] and s.surveyed_on == date(2026, 3, 2)
    assert Condition.objects.filter(survey=s).count() == len(FACILITIES)
    cond = Condition.objects.get(survey=s, facility="water_pipes")
    assert cond.rating == "broken" and cond.note == "多处漏水"
    p = ConditionPhoto.objects.get()
    assert p.condition == cond and p.image.name.endswith(".png")
    assert os.path.exists(p.image.path)
    body = r.content.decode()
    assert f"状况评分 {s.score}" in body  # the message after saving
    assert "多处漏水" in body and p.image.url in body
    e = AuditEntry.objects.get(model="inventory.survey")
    assert e.changes["photos"] == 1 and e.actor == cast["users"]["surveyor"]
    # the compound's list row and detail now show the latest grade
    assert str(s.score) in c.get(f"/compounds/{a.pk}/").content.decode()


def test_missing_ratings_keep_entered_data_and_write_nothing(cast, client_for, settings):
    c = client_for(cast["users"]["community_tianxiang"])
    a = cast["compound_a"]
    ratings = _ratings(roads="broken")
    del ratings["greenery"], ratings["plaza"]
    r = c.post(
        f"/compounds/{a.pk}/survey/", _post_data(ratings, n_roads="路面坑洼", note="整体较差")
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "有 2 处需要更正" in body
    assert "请选择“小区绿化”的状况" in body and "请选择“公共活动广场”的状况" in body
    # what was entered is still there
    assert r.context["form"]["r_roads"].value() == "broken"
    assert 'value="路面坑洼"' in body and "整体较差" in body and 'value="2026-03-02"' in body
    assert not Survey.objects.exists() and not Condition.objects.exists()
    assert not AuditEntry.objects.exists()


def test_non_image_photo_is_named_and_the_good_ones_kept(cast, client_for, settings):
    c = client_for(cast["users"]["surveyor"])
    a = cast["compound_a"]
    good = SimpleUploadedFile("ok.png", PNG, content_type="image/png")
    bad = SimpleUploadedFile("report.pdf", b"%PDF-1.4 not an image", content_type="application/pdf")
    # a script dressed as an image: the content type lies, the bytes do not
    fake = SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>", content_type="image/svg+xml")
    r = c.post(
        f"/compounds/{a.pk}/survey/",
        _post_data(
            _ratings(roads="worn"),
            n_roads="需修补",
            p_roads=good,
            p_water_pipes=bad,
            p_gas_pipes=fake,
        ),
    )
    # Issue 13: one bad file does not cost the good photos. The survey is
    # saved with the good photo; the rejected files are named.
    assert r.status_code == 302
    body = c.get(r["Location"]).content.decode()
    assert "以下照片未保存(其余照片已保存)" in body
    assert "“供水管线管道”的文件“report.pdf”不是照片" in body
    assert "“燃气管线管道”的文件“x.svg”不是照片" in body
    survey = Survey.objects.get()
    assert ConditionPhoto.objects.filter(condition__survey=survey).count() == 1
    assert len(_files(settings.MEDIA_ROOT)) == 1
    assert (
        AuditEntry.objects.get(action="create", model="inventory.survey").changes["photos_rejected"]
        == 2
    )


def test_oversize_photo_and_future_date(cast, client_for, monkeypatch):
    monkeypatch.setattr(services, "MAX_PHOTO_BYTES", 32)
    c = client_for(cast["users"]["surveyor"])
    a = cast["compound_a"]
    big = SimpleUploadedFile("big.png", PNG, content_type="image/png")
    future = (date.today() + timedelta(days=3)).isoformat()
    r = c.post(
        f"/compounds/{a.pk}/survey/", _post_data(_ratings(), surveyed_on=future, p_roads=big)
    )
    body = r.content.decode()
    assert "调查日期不能晚于今天" in body and "超过 10 MB" in body
    assert not Survey.objects.exists()


def test_all_not_applicable_gives_no_score(cast, client_for):
    c = client_for(cast["users"]["surveyor"])
    a = cast["compound_a"]
    r = c.post(f"/compounds/{a.pk}/survey/", _post_data({f.code: "na" for f in FACILITIES}))
    assert r.status_code == 302
    assert Survey.objects.get().score is None


def test_survey_api_create_and_read(cast, client_for):
    c = client_for(cast["users"]["surveyor"])
    a = cast["compound_a"]
    conds = [{"facility": f.code, "rating": "good"} for f in FACILITIES]
    conds[0] = {"facility": FACILITIES[0].code, "rating": "missing", "note": "无"}
    r = c.post(
        f"/api/v1/compounds/{a.pk}/surveys",
        {"surveyed_on": "2026-03-01", "conditions": conds},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    out = r.json()
    ratings = {x["facility"]: x["rating"] for x in conds}
    assert Decimal(str(out["score"])) == condition_score(ratings)
    assert out["grade"] == "good" and len(out["conditions"]) == len(FACILITIES)
    assert AuditEntry.objects.get(model="inventory.survey").source == "api"
    assert c.get(f"/api/v1/surveys/{out['id']}").json()["conditions"][0]["note"] == "无"
    lst = c.get(f"/api/v1/compounds/{a.pk}/surveys").json()
    assert [x["id"] for x in lst] == [out["id"]]
    # incomplete, duplicated or unknown input: 400 with details, nothing written
    r = c.post(
        f"/api/v1/compounds/{a.pk}/surveys",
        {"surveyed_on": "2026-03-01", "conditions": conds[:3]},
        content_type="application/json",
    )
    assert r.status_code == 400 and len(r.json()["errors"]) == len(FACILITIES) - 3
    r = c.post(
        f"/api/v1/compounds/{a.pk}/surveys",
        {"surveyed_on": "2026-03-01", "conditions": conds + [conds[0]]},
        content_type="application/json",
    )
    assert r.status_code == 400 and "重复" in r.json()["errors"][0]["message"]
    r = c.post(
        f"/api/v1/compounds/{a.pk}/surveys",
        {
            "surveyed_on": "2026-03-01",
            "conditions": conds + [{"facility": "moat", "rating": "good"}],
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "moat" in r.json()["errors"][0]["message"]
    r = c.post(
        f"/api/v1/compounds/{a.pk}/surveys",
        {"surveyed_on": "2026-03-01", "conditions": [{"facility": "roads", "rating": "so-so"}]},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["error"] == "请求数据有误"
    assert Survey.objects.count() == 1
