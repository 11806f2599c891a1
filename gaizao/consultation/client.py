"""What the household-access pages and the participation API share: the
login backend a redeemed code or a phone login uses, and the caller's
address for the rate limit."""

from gaizao.core.throttle import client_ip

__all__ = ["BACKEND", "client_ip"]

BACKEND = "django.contrib.auth.backends.ModelBackend"
# client_ip: the direct peer, or the header the trusted proxy sets
# (GAIZAO_CLIENT_IP_HEADER); never a client-controlled X-Forwarded-For.
