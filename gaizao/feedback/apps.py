from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gaizao.core.media import register_file_checker


class FeedbackConfig(AppConfig):
    name = "gaizao.feedback"
    verbose_name = _("居民反馈")

    def ready(self):
        # permissions imports models: only once the app registry is ready.
        # Protected media (core, below this app) asks each app whether a user
        # may see one of its files; feedback answers for the "feedback/" folder.
        # Django's own hook for wiring an app at start-up, not a dodged cycle.
        from .permissions import may_see_file

        register_file_checker("feedback/", may_see_file)
