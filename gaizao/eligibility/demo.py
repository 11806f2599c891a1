"""Demo: the built-in policies, and every demo compound evaluated under its
jurisdiction's default (Panlong 2020). Consultation seeds its willingness
surveys after this app (INSTALLED_APPS order), so the evaluation is run
again once the demo transaction commits, to pick them up."""

from django.db import transaction

from gaizao.regions.models import Area

from . import services


def _evaluate_all(ctx, *, again: bool = False) -> None:
    for area in Area.objects.filter(level=Area.Level.DISTRICT, parent__isnull=False).filter(
        code="530103000000"
    ):
        result = services.evaluate_area(actor=None, area=area, source="demo")
        ctx.say(f"  改造范围{'(含意愿征询结果)' if again else ''}:{area.name}{result.summary}")


def seed(ctx):
    services.ensure_builtin_policies()
    _evaluate_all(ctx)
    transaction.on_commit(lambda: _evaluate_all(ctx, again=True))


def logins(ctx):
    pass
