from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "gaizao.inventory"
    verbose_name = _("小区台账与摸底调查")
