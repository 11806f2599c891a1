"""Issue 9 #9: the OpenAPI document names every schema once and documents
every answer an operation can give, so that clients (and schemathesis in
.ci/run, scripts/fuzz_api.sh) can rely on it."""

import typing

import pydantic

from gaizao.api import SHARED_ERRORS, api


def _routers(router):
    yield router
    for _prefix, child, *_rest in router._routers:
        yield from _routers(child)


def _operations():
    for _prefix, top, *_rest in api._routers:
        for router in _routers(top):
            for path_view in router.path_operations.values():
                yield from path_view.operations


def test_every_schema_name_is_unique():
    names: dict[str, set[str]] = {}
    done: set = set()

    def walk(t):
        if isinstance(t, type) and issubclass(t, pydantic.BaseModel):
            if t in done:
                return
            done.add(t)
            if t.__module__.startswith("gaizao"):
                names.setdefault(t.__name__, set()).add(f"{t.__module__}.{t.__qualname__}")
            for f in t.model_fields.values():
                walk(f.annotation)
        for arg in typing.get_args(t):
            walk(arg)

    ops = list(_operations())
    assert len(ops) > 90
    for op in ops:
        for model in op.response_models.values():
            walk(model)
        for model in op.models:
            walk(model)
    twice = {k: sorted(v) for k, v in names.items() if len(v) > 1}
    assert twice == {}


def test_every_operation_documents_the_shared_error_answers():
    doc = api.get_openapi_schema()
    assert "Error" in doc["components"]["schemas"]
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            missing = set(SHARED_ERRORS) - set(op["responses"])
            assert not missing, (method, path, missing)
            assert op["responses"]["422"]["content"]["application/json"]


def test_a_body_that_is_not_json_is_a_422_in_chinese(users, client_for):
    r = client_for(users["street_jinchen"]).post(
        "/api/v1/satisfaction", data=b"\x00", content_type="application/json"
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "JSON 格式有误"


def test_bodies_of_the_wrong_json_type_are_a_422_and_change_nothing(cast, client_for):
    """An array (or a number, a string) where an object is required: 422
    naming the problem in Chinese, never applied (issue 9 #9: a feedback
    transition once went through from `[[false]]`)."""
    from gaizao.feedback.models import Feedback
    from gaizao.feedback.services import feedback as svc

    fb = svc.feedback_create(actor=cast["users"]["resident_a"], category="other", text="漏水")
    staff = client_for(cast["users"]["district"])
    a = cast["compound_a"]
    before = Feedback.objects.get(pk=fb.pk).status
    for body in ("[[false]]", "[]", "7", '"x"', "true"):
        for url, method in (
            (f"/api/v1/feedback/{fb.pk}/accept", staff.post),
            (f"/api/v1/compounds/{a.pk}", staff.patch),
        ):
            r = method(url, data=body, content_type="application/json")
            assert r.status_code == 422, (url, body, r.status_code, r.content)
            assert r.json() == {
                "error": "请求数据有误",
                "errors": [{"field": "", "message": "应为对象"}],
            }
    assert Feedback.objects.get(pk=fb.pk).status == before
    # core/middleware.py: null stays allowed (it is the optional body of the
    # feedback transitions); it changes nothing
