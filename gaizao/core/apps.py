from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gaizao.core"
    verbose_name = _("基础")

    def ready(self):
        # Background jobs register who may fetch their files ("jobs/") with
        # the protected-media registry; the module needs the models loaded.
        from . import jobs  # noqa: F401
