from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gaizao.accounts"
    verbose_name = _("用户与权限")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from . import signals

        user_logged_in.connect(signals.logged_in, dispatch_uid="gaizao.accounts.logged_in")
        user_logged_out.connect(signals.logged_out, dispatch_uid="gaizao.accounts.logged_out")
