from django.apps import AppConfig

from gaizao.core.media import register_file_checker


class EligibilityConfig(AppConfig):
    name = "gaizao.eligibility"

    def ready(self):
        # permissions imports models: only once the app registry is ready.
        from .permissions import evidence_visible

        register_file_checker("eligibility/", evidence_visible)
