from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StewardshipConfig(AppConfig):
    name = "gaizao.stewardship"
    verbose_name = _("长效管理")
