from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "gaizao.inventory"
    verbose_name = _("小区台账与摸底调查")

    def ready(self):
        from gaizao.core.media import register_file_checker

        from .permissions import survey_photo_visible

        register_file_checker("surveys/", survey_photo_visible)
