from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "gaizao.programme"
    verbose_name = "改造计划"
