from django.apps import AppConfig

from gaizao.core.media import register_file_checker


class ConsultationConfig(AppConfig):
    name = "gaizao.consultation"

    def ready(self):
        # permissions imports models: only once the app registry is ready.
        from .permissions import ballot_sheet_visible

        register_file_checker("ballots/", ballot_sheet_visible)
