"""The JSON API root: /api/v1/, OpenAPI at /api/v1/openapi.json.

Every app contributes a `router` in its api.py; authentication is a bearer
token (Authorization: Bearer gz_…) or the browser session. Errors always
have one shape: {"error": "…", "errors": [{"row", "column", "field", "message"}]}.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, django_auth

from gaizao.accounts.models import ApiToken
from gaizao.consultation.api import router as consultation
from gaizao.core.apikit import CursorInvalid, Error
from gaizao.core.errors import DomainError
from gaizao.core.throttle import Throttled
from gaizao.eligibility.api import router as eligibility
from gaizao.feedback.api import router as feedback
from gaizao.inventory.api import router as inventory
from gaizao.plans.api import router as plans
from gaizao.programme.api import router as programme
from gaizao.regions.api import router as regions
from gaizao.site.api import router as site
from gaizao.stewardship.api import router as stewardship
from gaizao.works.api import router as works


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        tok = ApiToken.lookup(token)
        if tok is None:
            return None
        if tok.last_used_at is None or (timezone.now() - tok.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=tok.pk).update(last_used_at=timezone.now())
        request.user = tok.user
        return tok.user


class UnicodeJSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not \\uXXXX escapes: readable with curl and in logs."""

    json_dumps_params = {"ensure_ascii": False}


def _validation_message(err: dict) -> str:
    """pydantic's message in the language the request asked for (Accept-Language
    or the user's choice); pydantic itself only speaks English."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    messages = {
        "missing": _("必填项"),
        "int_parsing": _("应为整数"),
        "int_type": _("应为整数"),
        "float_parsing": _("应为数字"),
        "float_type": _("应为数字"),
        "decimal_parsing": _("应为数字"),
        "decimal_type": _("应为数字"),
        "bool_parsing": _("应为是/否(true/false)"),
        "bool_type": _("应为是/否(true/false)"),
        "string_type": _("应为文本"),
        "date_parsing": _("应为日期(YYYY-MM-DD)"),
        "date_from_datetime_parsing": _("应为日期(YYYY-MM-DD)"),
        "datetime_parsing": _("应为日期时间(YYYY-MM-DDTHH:MM)"),
        "datetime_from_date_parsing": _("应为日期时间(YYYY-MM-DDTHH:MM)"),
        "list_type": _("应为列表"),
        "dict_type": _("应为对象"),
        "model_attributes_type": _("应为对象"),
        "json_invalid": _("JSON 格式有误"),
        "enum": _("取值不在允许范围内"),
        "literal_error": _("取值不在允许范围内"),
        "extra_forbidden": _("不允许的字段"),
        "uuid_parsing": _("应为 UUID"),
    }
    if kind in ("string_too_short", "too_short"):
        return _("太短(至少 %(n)s)") % {"n": ctx.get("min_length", "?")}
    if kind in ("string_too_long", "too_long"):
        return _("太长(最多 %(n)s)") % {"n": ctx.get("max_length", "?")}
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), "?")
        sign = {
            "greater_than": ">",
            "greater_than_equal": "≥",
            "less_than": "<",
            "less_than_equal": "≤",
        }
        return _("应 %(sign)s %(bound)s") % {"sign": sign[kind], "bound": bound}
    return messages.get(kind) or str(err.get("msg", ""))


# Answers any operation may give through the shared handlers below (and the
# edge middleware): documented on every operation so that clients and the
# fuzzer (scripts/fuzz_api.sh) know them. 409 is documented only by the
# operations that can give it (a ballot that conflicts).
SHARED_ERRORS = {
    "400": "业务规则不允许(DomainError);errors 列出各字段",
    "401": "未登录或令牌无效",
    "403": "对象可见,但您的角色无权执行此操作",
    "404": "对象不存在或不在您的辖区内",
    "422": "请求数据与接口定义不符(类型、取值范围、JSON 格式、翻页游标)",
    "429": "请求过于频繁,已暂时锁定(Retry-After 给出秒数)",
}


class GaizaoAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("Error", Error.model_json_schema())
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for methods in schema.get("paths", {}).values():
            for op in methods.values():
                responses = op.setdefault("responses", {})
                for code, text in SHARED_ERRORS.items():
                    if code not in responses:
                        responses[code] = {"description": text, **ref}
        return schema


api = GaizaoAPI(
    title="gaizao API",
    version="1",
    description="老旧小区改造 — 台账、摸底、改造范围、方案、居民参与。所有数据按用户辖区过滤。",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[TokenAuth(), django_auth],
    renderer=UnicodeJSONRenderer(),
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=400)


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    response = api.create_response(request, exc.as_dict(), status=429)
    response["Retry-After"] = str(exc.minutes * 60)
    return response


@api.exception_handler(CursorInvalid)
def _bad_cursor(request, exc: CursorInvalid):
    return api.create_response(request, exc.as_dict(), status=422)


@api.exception_handler(Http404)
def _not_found(request, exc):
    msg = str(exc) or "对象不存在或不在您的辖区内"
    return api.create_response(request, {"error": msg}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"error": str(exc) or "无权执行此操作"}, status=403)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"error": "需要登录或有效的 API 令牌"}, status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        # django-ninja's own refusal of a body that is not JSON: the same 422
        # as every other malformed request, in the caller's language
        return api.create_response(
            request,
            {"error": _("请求数据有误"), "errors": [{"field": "", "message": _("JSON 格式有误")}]},
            status=422,
        )
    return api.create_response(request, {"error": str(exc)}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    errors = []
    for e in exc.errors:
        loc = [str(x) for x in e.get("loc", []) if x not in ("body", "query", "path", "payload")]
        errors.append({"field": ".".join(loc), "message": _validation_message(e)})
    return api.create_response(request, {"error": _("请求数据有误"), "errors": errors}, status=422)


api.add_router("/", regions)
api.add_router("/", inventory)
api.add_router("/", eligibility)
api.add_router("/", plans)
api.add_router("/", consultation)
api.add_router("/", feedback)
api.add_router("/", stewardship)
api.add_router("/", programme)
api.add_router("/", site)
api.add_router("/", works)
