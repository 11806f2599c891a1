"""Receivers that name and end device rows (accounts.LoginSession) when Django
logs a user in or out; the work is in services.py."""

from . import services


def logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        services.session_started(request=request, user=user)


def logged_out(sender, request, user, **kwargs):
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        services.session_ended(session_key=key, reason="logout")
