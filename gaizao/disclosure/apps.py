from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    """信息公开: the leadership dashboard, the public portal, open data,
    notices and the statistical report (issue 11). Reads only; writes nothing."""

    name = "gaizao.disclosure"
    label = "disclosure"
    verbose_name = "信息公开"
