"""Demo: the built-in policies, and every demo compound evaluated under its
jurisdiction's default (Panlong 2020). Consultation is seeded before this
app (the order of STEPS in gaizao/site/demo.py), so the willingness results are counted."""

from gaizao.regions.models import Area

from . import services


def _evaluate_all(ctx) -> None:
    for area in Area.objects.filter(level=Area.Level.DISTRICT, parent__isnull=False).filter(
        code="530103000000"
    ):
        result = services.evaluate_area(actor=None, area=area, source="demo")
        ctx.say(f"  改造范围:{area.name}{result.summary}")


def seed(ctx):
    services.ensure_builtin_policies()
    _evaluate_all(ctx)


def logins(ctx):
    pass
