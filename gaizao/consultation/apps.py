from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "gaizao.consultation"

    def ready(self):
        from gaizao.core.media import register_file_checker

        from .permissions import ballot_sheet_visible

        register_file_checker("ballots/", ballot_sheet_visible)
