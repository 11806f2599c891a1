from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "gaizao.catalogue"
    verbose_name = _("改造内容")
