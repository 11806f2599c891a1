"""Request middleware: the default language, and one error shape under /api/.

Language selection: zh-Hans for everyone until they choose otherwise.

gaizao is a Chinese district government's system; its default language is
zh-Hans whatever the browser's Accept-Language says (an English-language
browser in a street office must not switch a shared terminal to English).
A visitor who picks a language in the header (django.views.i18n.set_language)
gets the language cookie, and from then on LocaleMiddleware honours it.
"""

import logging

from django.conf import settings
from django.http import JsonResponse
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
        response = JsonResponse({"error": message}, status=status)
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
