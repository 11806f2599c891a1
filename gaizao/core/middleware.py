"""Request middleware: the default language, and one error shape under /api/.

Language selection: zh-Hans for everyone until they choose otherwise.

gaizao is a Chinese district government's system; its default language is
zh-Hans whatever the browser's Accept-Language says (an English-language
browser in a street office must not switch a shared terminal to English).
A visitor who picks a language in the header (django.views.i18n.set_language)
gets the language cookie, and from then on LocaleMiddleware honours it.
"""

import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import audit

logger = logging.getLogger("gaizao.api")


class DefaultLanguageMiddleware:
    """Drop Accept-Language unless the language cookie is set, so that
    LocaleMiddleware (which must come right after this) falls back to
    LANGUAGE_CODE for a visitor who has not chosen a language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A program calling /api/ asks for its language on purpose
        # (Accept-Language: en): no shared-terminal concern there.
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and not request.path.startswith(
            "/api/"
        ):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class ApiErrorMiddleware:
    """Every answer under /api/ with status >= 400 is JSON {"error": "…"}
    (STYLE.md habit 8, docs/api.md "Errors").

    django-ninja's own handlers (gaizao/api.py) already answer in that shape;
    this catches what never reaches them: an unknown path (Django's HTML 404),
    a method the route does not accept (ninja's text/html 405) and an
    unhandled exception (Django's HTML 500, or ninja's plain-text traceback
    with DEBUG on, which must not reach an API client either). It sits right
    after LocaleMiddleware so that the messages are in the caller's language.
    """

    PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not request.path_info.startswith(self.PREFIX):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return self._json(request, response.status_code, source=response)

    def process_exception(self, request, exception):
        if not request.path_info.startswith(self.PREFIX):
            return None
        logger.error(
            "Unhandled exception in API request %s %s",
            request.method,
            request.path,
            exc_info=exception,
        )
        return self._json(request, 500)

    def _json(self, request, status, *, source=None):
        if status == 404:
            message = _("接口不存在")
        elif status == 405:
            message = _("不支持的请求方法:%(method)s") % {"method": request.method}
        elif status >= 500:
            # A write runs in one transaction (services.py), so a crash
            # leaves nothing behind: say so, the user need not check.
            message = _("服务器内部错误,请稍后重试;您提交的内容没有被部分保存")
        else:
            message = _("请求无法处理(HTTP %(status)s)") % {"status": status}
        response = JsonResponse(
            {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
        )
        if source is not None and source.has_header("Allow"):
            response["Allow"] = source["Allow"]  # RFC 9110 §15.5.6: a 405 names the methods
        return response


class ApiChannelMiddleware:
    """Writes made while answering /api/ are audited with the channel "api"
    (gaizao.core.audit.channel), whatever the service's default says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            with audit.channel("api"):
                return self.get_response(request)
        return self.get_response(request)


DB_INT_MAX = 2**63 - 1  # PostgreSQL bigint; SQLite's INTEGER has the same range


def out_of_range_fields(query, kwargs, body) -> list[str]:
    """Inputs holding an integer beyond the database's range: query and path
    values made only of digits, JSON numbers anywhere in the body."""
    found = []

    def big_text(v):
        return isinstance(v, str) and v.lstrip("-").isdigit() and abs(int(v)) > DB_INT_MAX

    def walk(prefix, value):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > DB_INT_MAX:
            found.append(prefix)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(f"{prefix}.{i}" if prefix else str(i), v)

    for key in query:
        if any(big_text(v) for v in query.getlist(key)):
            found.append(key)
    for key, value in (kwargs or {}).items():
        if big_text(str(value)):
            found.append(key)
    walk("", body)
    return found


class ApiIntegerRangeMiddleware:
    """Integers the database cannot hold are refused before the view runs
    (issue 9 #9: ?offset=99999999999999999999 and huge ids answered 500):
    422 naming the field, in the caller's language. So is a JSON body that
    is not an object."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # A NUL character cannot be stored or compared in PostgreSQL's text
        # (psycopg DataError: a search for "a\x00" answered 500): refused
        # with the parameter named, on pages and in the API alike.
        nul = [k for k in request.GET if any("\x00" in v for v in request.GET.getlist(k))]
        if not request.path_info.startswith("/api/"):
            # A page's filters and page numbers likewise (?street=, ?batch=,
            # ?page= of 20 digits answered 500): a 400 page naming them.
            fields = out_of_range_fields(request.GET, view_kwargs, None)
            if not fields and not nul:
                return None
            if nul:
                message = _("条件“%(fields)s”含有不允许的控制字符(NUL)") % {
                    "fields": "、".join(nul)
                }
            else:
                message = _("条件“%(fields)s”超出允许的范围(整数的绝对值不能超过 %(max)s)") % {
                    "fields": "、".join(fields),
                    "max": DB_INT_MAX,
                }
            return render(request, "400.html", {"message": message}, status=400)
        if nul:
            return _refuse([{"field": f, "message": _("含有不允许的控制字符(NUL)")} for f in nul])
        body = None
        if request.content_type == "application/json" and request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                body = None  # not JSON: django-ninja answers 422 (gaizao/api.py)
            if isinstance(body, (list, str, int, float, bool)):
                # Every JSON body of this API is an object (null where the
                # body is optional); an array once applied a feedback
                # transition from `[[false]]` (issue 9 #9).
                return _refuse([{"field": "", "message": _("应为对象")}])
        fields = out_of_range_fields(request.GET, view_kwargs, body)
        if not fields:
            return None
        message = _("超出允许的范围(整数的绝对值不能超过 %(max)s)") % {"max": DB_INT_MAX}
        return _refuse([{"field": f, "message": message} for f in fields])


def _refuse(errors: list[dict]) -> JsonResponse:
    return JsonResponse(
        {"error": _("请求数据有误"), "errors": errors},
        status=422,
        json_dumps_params={"ensure_ascii": False},
    )
