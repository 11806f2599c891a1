"""django.contrib.admin with the audited default site (core/admin_site.py).
A module of its own: an AppConfig module must not import models."""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "gaizao.core.admin_site.AuditedAdminSite"
