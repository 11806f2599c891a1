"""core's own URL: the health check. The home page and the audit log are
pages of `site`, composed into the same `core:` namespace by gaizao/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
