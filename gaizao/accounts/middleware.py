"""Session idle timeout (issue 9 #10).

The time of the last activity sits in the session ("_gz_seen", set at
login). A request after more than the idle limit logs the session out; a
request more than a minute after the last write moves the mark forward.
So the session (and the device row) is written at most once a minute, not
on every request: pages keep their query budgets.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

from . import services
from .models import Role

WRITE_EVERY = 60  # seconds between two writes of the last-activity mark


def idle_limit(user) -> int:
    minutes = (
        settings.GAIZAO_IDLE_MINUTES_RESIDENT
        if user.role == Role.RESIDENT
        else settings.GAIZAO_IDLE_MINUTES_STAFF
    )
    return minutes * 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # No session cookie: nothing to time out, and no query to spend.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        user = request.user
        if not user.is_authenticated:
            return
        now = int(time.time())
        seen = request.session.get("_gz_seen")
        if seen is not None and now - seen > idle_limit(user):
            key = request.session.session_key
            logout(request)  # user_logged_out marks the device row ended
            if key:
                services.session_ended(session_key=key, reason="idle")
            if not request.path_info.startswith("/api/"):
                messages.info(request, _("您已长时间未操作,为安全起见已自动退出,请重新登录。"))
            return
        if seen is None or now - seen > WRITE_EVERY:
            request.session["_gz_seen"] = now
            services.session_seen(session_key=request.session.session_key)
