import csv
import io
import json
from unittest import mock

import pytest
from openpyxl import load_workbook

from gaizao.disclosure import public

# Personal data present in the fixture: none may reach a public page or file.
PERSONAL = ["张三丰", "13812345678", "530103199001011234", "李四光", "13900001111", "101"]


def _assert_no_personal(text: str):
    for p in PERSONAL[:-1]:
        assert p not in text, p


@pytest.mark.django_db
def test_portal_without_login_shows_summary_and_compounds(client, programme):
    r = client.get("/public/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "天祥小区" in html and "云山小区" in html
    _assert_no_personal(html)
    funnel = {s["key"]: s["n"] for s in r.context["summary"]["funnel"]}
    assert funnel == {
        "all": 2,
        "surveyed": 2,
        "eligible": 1,
        "planned": 1,
        "voted": 1,
        "approved": 1,
        "started": 1,
        "completed": 1,
        "accepted": 0,
        "managed": 0,
    }
    assert r.context["summary"]["funding_total"] == 1200000
    # The programme and its batch, with works progress.
    assert r.context["summary"]["programme"]["name"] == "2024年改造计划"
    (b,) = r.context["summary"]["batches"]
    assert (b["name"], b["n"], b["started"], b["completed"]) == ("第一批", 2, 1, 1)
    assert "第一批" in html


@pytest.mark.django_db
def test_portal_search_by_name_and_street(client, programme):
    r = client.get("/public/", {"q": "云山"})
    assert [x["name"] for x in r.context["rows"]] == ["云山小区"]
    r = client.get("/public/", {"street": "金辰街道"})
    assert [x["name"] for x in r.context["rows"]] == ["天祥小区"]
    assert [x["name"] for x in public.search_page("", "金辰街道")["rows"]] == ["天祥小区"]
    r = client.get("/public/", {"q": "没有的小区"})
    assert "没有找到小区" in r.content.decode()


@pytest.mark.django_db
def test_portal_search_keys_its_cache_by_a_hash_of_the_words(client, programme):
    """Any length and any character a visitor types: one short cache key with
    none of the words in it (memcached and Redis alike), and still the right
    page for each query."""
    seen = []
    real_get = public.cache.get

    def spy(key, *a, **kw):
        seen.append(key)
        return real_get(key, *a, **kw)

    with mock.patch.object(public.cache, "get", spy):
        for q in ("云山", "小区" * 2000, "%_'<script>\x01"):
            assert client.get("/public/", {"q": q}).status_code == 200
    pages = [k for k in seen if ":page:" in k]
    assert len(pages) == 3 and len(set(pages)) == 3
    assert all(len(k) < 120 and "云山" not in k and "\x01" not in k for k in pages)
    assert [x["name"] for x in public.search_page("云山")["rows"]] == ["云山小区"]


@pytest.mark.django_db
def test_public_card_vote_counts_and_shares_no_personal_data(client, programme):
    r = client.get(f"/public/compounds/{programme['a'].pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    _assert_no_personal(html)
    c = r.context["c"]
    assert c["vote_owners_agreeing"] == 1 and c["vote_owners_total"] == 1
    assert c["vote_owners_share"] == "100.00%"
    assert c["vote_area_share"] == "100.00%"
    assert c["plan_cost"] == 1200000
    assert c["feedback_count"] == 1 and c["satisfaction_count"] == 1
    assert "1,200,000.00" in html
    assert client.get("/public/compounds/999999/").status_code == 404


@pytest.mark.django_db
def test_portal_is_cached(client, programme, django_assert_max_num_queries):
    client.get("/public/")
    with django_assert_max_num_queries(0):
        assert client.get("/public/").status_code == 200


@pytest.mark.django_db
def test_row_keys_are_exactly_the_data_dictionary(programme):
    rows = list(public.rows_iter())
    assert all(list(r) == public.FIELD_NAMES for r in rows)


@pytest.mark.django_db
def test_open_data_csv(client, programme):
    r = client.get("/public/data/compounds.csv")
    assert r.status_code == 200
    text = r.content.decode("utf-8-sig")
    _assert_no_personal(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == public.FIELD_NAMES
    a = next(x for x in rows if x["name"] == "天祥小区")
    assert a["plan_cost"] == "1200000" and a["vote_owners_share"] == "100.00%"


@pytest.mark.django_db
def test_open_data_xlsx(client, programme):
    r = client.get("/public/data/compounds.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][1] == "小区名称"
    assert len(values) == 3
    _assert_no_personal(json.dumps(values, ensure_ascii=False, default=str))


@pytest.mark.django_db
def test_open_data_geojson(client, programme):
    r = client.get("/public/data/compounds.geojson")
    assert r["Content-Type"] == "application/geo+json"
    doc = json.loads(r.content)
    _assert_no_personal(r.content.decode())
    feats = {f["properties"]["name"]: f for f in doc["features"]}
    assert feats["天祥小区"]["geometry"]["coordinates"] == [102.73, 25.07]
    assert feats["云山小区"]["geometry"] is None


@pytest.mark.django_db
def test_open_data_unknown_format_is_404_not_500(client, programme):
    r = client.get("/public/data/compounds.pdf")
    assert r.status_code == 404


@pytest.mark.django_db
def test_data_dictionary_page(client, programme):
    r = client.get("/public/data/")
    html = r.content.decode()
    for name in public.FIELD_NAMES:
        assert f"<code>{name}</code>" in html


@pytest.mark.django_db
def test_portal_card_shows_works_progress_and_photos_without_people(
    client, programme, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from gaizao.works.models import Milestone, WorksPhoto

    settings.MEDIA_ROOT = tmp_path
    w = programme["works"]
    m = Milestone.objects.get(works=w, stage="start")
    m.responsible_person = None
    m.note = "张三丰负责"
    m.save()
    photo = WorksPhoto(works=w, phase="after", caption="张三丰家门口")
    photo.image.save("after.jpg", ContentFile(b"\xff\xd8\xff\xe0JFIF"), save=True)
    r = client.get(f"/public/compounds/{programme['a'].pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "2024-06-10" in html and "改造后" in html
    assert f"/public/photos/{photo.pk}/" in html
    _assert_no_personal(html)
    assert "张三丰家门口" not in html and "张三丰负责" not in html
    img = client.get(f"/public/photos/{photo.pk}/")
    assert img.status_code == 200 and img["Content-Type"] == "image/jpeg"
    assert client.get("/public/photos/999999/").status_code == 404


@pytest.mark.django_db
def test_cached_portal_page_shows_a_change_after_the_next_write(client, programme, cast):
    """The rendered page is cached for visitors, keyed by the kept summary's
    version: a write that changes a figure makes the next visit fresh."""
    from gaizao.inventory.models import Survey

    r = client.get("/public/", {"q": "云山"})
    assert "<td>已摸底调查</td>" in r.content.decode()
    again = client.get("/public/", {"q": "云山"})
    assert again.context.get("rows") is None  # the body came from the cache
    assert "<td>已摸底调查</td>" in again.content.decode()
    Survey.objects.filter(compound=cast["compound_b"]).delete()
    after = client.get("/public/", {"q": "云山"}).content.decode()
    assert "<td>已摸底调查</td>" not in after and "云山小区" in after


@pytest.mark.django_db
def test_portal_pages_through_the_database_not_a_cached_list(
    client, programme, django_assert_max_num_queries
):
    """A portal page reads one page of rows: the query count does not depend
    on the number of compounds (the cache is cleared by the autouse fixture);
    the funding reads the kept per-street money and the clusters' shared
    plans (one query more than the plain sum)."""
    with django_assert_max_num_queries(13):
        r = client.get("/public/", {"page": "999"})
    assert r.status_code == 200


def _country_of_two_provinces(areas):
    """The fixture's 云南 tree under a country, beside 四川 with one compound."""
    from gaizao.regions.models import Area
    from gaizao.testing import make_compound

    def mk(code, name, level, parent=None):
        return Area.objects.create(code=code, name=name, level=level, parent=parent)

    country = mk("000000000000", "全国", "country")
    yunnan = mk("530000000000", "云南省", "province", country)
    Area.objects.filter(pk=areas["city"].pk).update(parent=yunnan)
    sichuan = mk("510000000000", "四川省", "province", country)
    chengdu = mk("510100000000", "成都市", "city", sichuan)
    jinjiang = mk("510104000000", "锦江区", "district", chengdu)
    street = mk("510104001000", "督院街街道", "street", jinjiang)
    make_compound(street, "锦江小区")
    return country, yunnan, sichuan


@pytest.mark.django_db
def test_portal_table_is_one_level_below_the_area_shown(client, programme, areas):
    country, yunnan, sichuan = _country_of_two_provinces(areas)
    # The whole country: one row per province, never a row per street.
    r = client.get("/public/")
    rows = r.context["summary"]["areas"]
    assert [(a["area_name"], a["total"]) for a in rows] == [("四川省", 1), ("云南省", 2)]
    html = r.content.decode()
    assert f"?area={yunnan.pk}" in html and "金辰街道</a>" not in html
    assert "督院街街道" not in [a["area_name"] for a in rows]
    # Drill down to 云南: its cities; the figures and the list are 云南's.
    r = client.get("/public/", {"area": yunnan.pk})
    assert [a["area_name"] for a in r.context["summary"]["areas"]] == ["昆明市"]
    assert {s["key"]: s["n"] for s in r.context["summary"]["funnel"]}["all"] == 2
    assert sorted(x["name"] for x in r.context["rows"]) == ["云山小区", "天祥小区"]
    assert f"?area={country.pk}" in r.content.decode()  # up one level
    # The district: its streets; a street: its communities.
    r = client.get("/public/", {"area": areas["district"].pk})
    assert [a["area_name"] for a in r.context["summary"]["areas"]] == ["金辰街道", "青云街道"]
    r = client.get("/public/", {"area": areas["jinchen"].pk, "q": "天祥"})
    assert [x["name"] for x in r.context["rows"]] == ["天祥小区"]
    assert {a["area_name"] for a in r.context["summary"]["areas"]} <= {
        "天祥社区居委会",
        "青龙山社区居委会",
        None,
    }
    # The programme's batch counts only the area's entries.
    r = client.get("/public/", {"area": sichuan.pk})
    assert [a["area_name"] for a in r.context["summary"]["areas"]] == ["成都市"]
    assert [x["name"] for x in r.context["rows"]] == ["锦江小区"]
    (b,) = r.context["summary"]["batches"]
    assert (b["n"], b["started"]) == (0, 0)
    _assert_no_personal(r.content.decode())


@pytest.mark.django_db
def test_portal_unknown_area_is_a_clear_404(client, programme):
    for bad in ("999999", "abc"):
        r = client.get("/public/", {"area": bad})
        assert r.status_code == 404
        assert "没有这个地区" in r.content.decode()


@pytest.mark.django_db
def test_portal_lists_no_street_names_and_no_personal_data(client, programme):
    html = client.get("/public/").content.decode()
    assert '<select name="street"' not in html
    _assert_no_personal(html)
    html = client.get("/public/", {"area": programme["a"].street_id}).content.decode()
    _assert_no_personal(html)


@pytest.mark.django_db
def test_programme_public_agrees_with_the_targets_and_sends_no_id_list(
    programme, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gaizao.disclosure import progress as prog
    from gaizao.disclosure import selectors as sel
    from gaizao.programme.models import Programme

    with CaptureQueriesContext(connection) as ctx:
        _p, rows = public.programme_public()
    assert len(ctx.captured_queries) == 3
    assert all(" IN (" not in q["sql"] for q in ctx.captured_queries)
    p = Programme.objects.order_by("-created_at", "-id").first()
    expected = prog.targets(p, sel.Scope())
    keys = ("n", "households", "area", "started", "completed", "started_households", "rate_n")
    assert [{k: r[k] for k in keys} for r in rows] == [{k: t[k] for k in keys} for t in expected]
