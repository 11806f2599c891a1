"""Every answer under /api/ with status >= 400 is JSON {"error": …}: unknown
paths, wrong methods and crashes too (gaizao.core.middleware.ApiErrorMiddleware)."""

import logging

import pytest
from django.test import Client
from django.utils import translation

from gaizao.inventory import selectors


def _error(r, status):
    assert r.status_code == status
    assert r["Content-Type"].startswith("application/json")
    doc = r.json()
    assert set(doc) == {"error"}
    return doc["error"]


def test_unknown_path_is_json_404(client_for, cast):
    c = client_for(cast["users"]["bureau"])
    assert _error(c.get("/api/v1/nonexistent"), 404) == "接口不存在"
    assert _error(c.get("/api/nothing/here"), 404) == "接口不存在"
    # Anonymous callers get the same shape.
    assert _error(client_for(None).post("/api/v1/nonexistent"), 404) == "接口不存在"


def test_wrong_method_is_json_405(client_for, cast):
    c = client_for(cast["users"]["bureau"])
    r = c.delete(f"/api/v1/compounds/{cast['compound_a'].pk}")
    assert _error(r, 405) == "不支持的请求方法:DELETE"
    assert "PATCH" in r["Allow"]


def test_unhandled_exception_is_json_500_and_logged(client_for, cast, monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("selector exploded")

    monkeypatch.setattr(selectors, "compound_list", boom)
    c = client_for(cast["users"]["bureau"])
    c.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="gaizao.api"):
        r = c.get("/api/v1/compounds")
    assert _error(r, 500) == "服务器内部错误,请稍后重试;您提交的内容没有被部分保存"
    assert b"selector exploded" not in r.content and b"Traceback" not in r.content
    assert any(rec.exc_info and rec.exc_info[0] is RuntimeError for rec in caplog.records)


def test_unhandled_exception_with_debug_on_is_json_too(client_for, cast, monkeypatch, settings):
    # With DEBUG on, django-ninja answers a crash with a plain-text traceback.
    settings.DEBUG = True
    monkeypatch.setattr(selectors, "compound_list", lambda *a, **k: 1 / 0)
    c = client_for(cast["users"]["bureau"])
    c.raise_request_exception = False
    r = c.get("/api/v1/compounds")
    assert _error(r, 500).startswith("服务器内部错误")
    assert b"Traceback" not in r.content and b"ZeroDivisionError" not in r.content


def test_existing_json_errors_are_kept(client_for, cast):
    r = client_for(cast["users"]["bureau"]).get("/api/v1/compounds/999999")
    assert r.status_code == 404 and r.json()["error"] != "接口不存在"
    r = Client().get("/api/v1/compounds")
    assert r.status_code == 401 and r.json() == {"error": "需要登录或有效的 API 令牌"}


def test_pages_outside_the_api_are_untouched(client_for, cast):
    r = client_for(cast["users"]["bureau"]).get("/no-such-page/")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")


@pytest.fixture
def _back_to_default_language():
    """LocaleMiddleware leaves the request's language active in the thread."""
    yield
    translation.activate("zh-hans")


@pytest.mark.usefixtures("_back_to_default_language")
def test_messages_follow_the_chosen_language(client_for, cast, settings):
    c = client_for(cast["users"]["bureau"])
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert _error(c.get("/api/v1/nonexistent"), 404) == "No such API endpoint"
    r = c.delete(f"/api/v1/compounds/{cast['compound_a'].pk}")
    assert _error(r, 405) == "Method not allowed: DELETE"


def test_json_is_utf8_not_escaped_and_422_speaks_the_asked_language(client_for, cast):
    import json

    c = client_for(cast["users"]["bureau"])
    r = c.post("/api/v1/eligibility/evaluate", json.dumps({}), content_type="application/json")
    assert r.status_code == 422
    body = r.content.decode()
    assert "\\u" not in body and "请求数据有误" in body
    assert r.json()["errors"][0]["message"] == "必填项"
    try:
        r = c.post(
            "/api/v1/eligibility/evaluate",
            json.dumps({}),
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    finally:
        translation.activate("zh-hans")  # LocaleMiddleware leaves it active in-process
    assert r.json() == {
        "error": "Invalid request data",
        "errors": [{"field": "area_code", "message": "Required"}],
    }


def test_edge_errors_are_readable_utf8(client_for, users):
    """Like every other API answer (issue 13), not \\u-escaped."""
    r = client_for(users["district"]).get("/api/v1/nonexistent")
    assert "接口不存在".encode() in r.content and b"\\u" not in r.content
