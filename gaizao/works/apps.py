from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorksConfig(AppConfig):
    name = "gaizao.works"
    verbose_name = _("施工项目")

    def ready(self):
        # Protected media asks each app whether a user may see one of its
        # files; works answers for "works/" (Django's start-up hook).
        from gaizao.core.media import register_file_checker

        from .permissions import may_see_file

        register_file_checker("works/", may_see_file)
