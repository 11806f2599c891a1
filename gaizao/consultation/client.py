"""What the household-access pages and the participation API share: the
login backend a redeemed code or a phone login uses, and the caller's
address for the rate limit."""

BACKEND = "django.contrib.auth.backends.ModelBackend"


def client_ip(request) -> str:
    # The direct peer only: a reverse proxy in front must set REMOTE_ADDR
    # (X-Forwarded-For is client-controlled and would defeat the rate limit).
    return request.META.get("REMOTE_ADDR", "") or "?"
