"""Language selection: zh-Hans for everyone until they choose otherwise.

gaizao is a Chinese district government's system; its default language is
zh-Hans whatever the browser's Accept-Language says (an English-language
browser in a street office must not switch a shared terminal to English).
A visitor who picks a language in the header (django.views.i18n.set_language)
gets the language cookie, and from then on LocaleMiddleware honours it.
"""

from django.conf import settings


class DefaultLanguageMiddleware:
    """Drop Accept-Language unless the language cookie is set, so that
    LocaleMiddleware (which must come right after this) falls back to
    LANGUAGE_CODE for a visitor who has not chosen a language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
