from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: the pages that join apps (home, audit log, resident
    portal), navigation, protected media and the demo's seed steps."""

    name = "gaizao.site"
    label = "site"
