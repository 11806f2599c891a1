"""Issue 13 (everyday use) on the plans pages."""

from .test_plans import arrange


def test_print_title_keeps_a_space_in_english(plan_a, users, client_for):
    arrange(plan_a.compound)
    c = client_for(users["community_tianxiang"])
    body = c.get(f"/plans/{plan_a.pk}/print/").content.decode()
    assert "天祥小区老旧小区改造方案(公示稿)</h1>" in body
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = c.get(f"/plans/{plan_a.pk}/print/").content.decode()
    assert (
        "天祥小区: old residential compound renovation plan (draft for public notice)</h1>" in body
    )
    assert "<title>天祥小区: old residential" in body
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
