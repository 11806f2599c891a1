"""The JSON API root: /api/v1/, OpenAPI at /api/v1/openapi.json.

Every app contributes a `router` in its api.py; authentication is a bearer
token (Authorization: Bearer gz_…) or the browser session. Errors always
have one shape: {"error": "…", "errors": [{"row", "column", "field", "message"}]}.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from gaizao.accounts.models import ApiToken
from gaizao.consultation.api import router as consultation
from gaizao.core.errors import DomainError
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


api = NinjaAPI(
    title="gaizao API",
    version="1",
    description="老旧小区改造 — 台账、摸底、改造范围、方案、居民参与。所有数据按用户辖区过滤。",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[TokenAuth(), django_auth],
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=400)


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
    return api.create_response(request, {"error": str(exc)}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    errors = []
    for e in exc.errors:
        loc = [str(x) for x in e.get("loc", []) if x not in ("body", "query", "path", "payload")]
        errors.append({"field": ".".join(loc), "message": e.get("msg", "")})
    return api.create_response(request, {"error": "请求数据有误", "errors": errors}, status=422)


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
