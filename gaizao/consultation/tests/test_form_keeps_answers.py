"""Forms never lose what a person entered (issue 8, deliver 9): on an error
the page shows it at the top, focuses the field (no script) and keeps every
ticked answer — never the last saved one."""

import re

from django.urls import reverse

from gaizao.consultation.models import ConsultationResponse

from .test_willingness import items, survey  # noqa: F401 (fixtures)


def _checked(page: str) -> set[str]:
    return set(re.findall(r'name="items" value="(\d+)" checked', page))


def test_error_keeps_ticks_and_focuses_the_field(client_for, users, cast, survey, items):  # noqa: F811
    c = client_for(users["resident_a"])
    url = reverse("consultation:survey_fill", args=[survey.pk])
    # saved answer: the shed only
    r = c.post(url, {"willingness": "yes", "items": [items["shed"].pk]})
    assert r.status_code == 302
    # now ticks the door (not the shed) and gives both kinds of contribution
    r = c.post(
        url,
        {
            "willingness": "indifferent",
            "contribution_yuan": "500",
            "contribution_per_m2": "5",
            "note": "希望尽快改造",
            "items": [items["door"].pk],
        },
    )
    page = r.content.decode()
    assert r.status_code == 400
    # the error at the top, before the form, linking to the field
    summary = page.index('id="form-errors"')
    assert summary < page.index('name="willingness"')
    assert "您填写的内容已保留" in page
    assert 'href="#id_contribution_per_m2"' in page and "出资金额请只填一种" in page
    # the field in error is focused (the browser scrolls to it), no inline script
    assert re.search(r'<input[^>]*name="contribution_per_m2"[^>]*autofocus', page)
    assert "<script>" not in page and "onclick" not in page
    # every answer kept: the ticks just posted (door), not the saved ones (shed)
    assert _checked(page) == {str(items["door"].pk)}
    assert 'value="indifferent" required id="id_willingness_1" checked' in page or re.search(
        r'value="indifferent"[^>]*checked', page
    )
    assert "希望尽快改造" in page and 'value="500"' in page
    # nothing was saved
    saved = ConsultationResponse.objects.get()
    assert saved.willingness == "yes"
    assert list(saved.choices.values_list("code", flat=True)) == ["T01"]


def test_domain_error_focuses_the_summary(client_for, users, cast, survey, items):  # noqa: F811
    c = client_for(users["resident_a"])
    url = reverse("consultation:survey_fill", args=[survey.pk])
    # a basic item is refused by the service: no field to blame
    r = c.post(url, {"willingness": "yes", "items": [items["roof"].pk, items["shed"].pk]})
    page = r.content.decode()
    assert r.status_code == 400 and "不在本小区的点单目录" in page
    assert re.search(r'id="form-errors"[^>]*autofocus', page)
    assert _checked(page) == {str(items["shed"].pk)}  # the roof is not on the menu at all


def test_assisted_form_keeps_ticks_too(client_for, users, cast, survey, items):  # noqa: F811
    staff = client_for(users["community_tianxiang"])
    unit = cast["units_a"][1]
    r = staff.post(
        reverse("consultation:survey_assist", args=[survey.pk]),
        {"unit": unit.pk, "items": [items["door"].pk, items["shed"].pk]},
    )
    page = r.content.decode()
    assert r.status_code == 400 and "请选择是否同意改造" in page
    assert 'href="#id_willingness_0"' in page
    assert _checked(page) == {str(items["door"].pk), str(items["shed"].pk)}
