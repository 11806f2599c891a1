from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gaizao.core"
    verbose_name = _("基础")

    def ready(self):
        # The deploy checks register themselves; background jobs register who
        # may fetch their files ("jobs/") with the protected-media registry.
        # Both need the models loaded.
        from . import checks, jobs, pagecache  # noqa: F401

        pagecache.connect()
