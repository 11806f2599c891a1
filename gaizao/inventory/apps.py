from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gaizao.core.media import register_file_checker


class InventoryConfig(AppConfig):
    name = "gaizao.inventory"
    verbose_name = _("小区台账与摸底调查")

    def ready(self):
        # permissions imports models: only once the app registry is ready.
        from . import latest
        from .permissions import survey_photo_visible

        register_file_checker("surveys/", survey_photo_visible)
        latest.connect()
