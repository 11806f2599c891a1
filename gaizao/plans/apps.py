from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "gaizao.plans"

    def ready(self):
        from gaizao.consultation import hooks

        from .services.workflow import plans_withdraw_for_vote

        hooks.on_vote_overturned(plans_withdraw_for_vote)
