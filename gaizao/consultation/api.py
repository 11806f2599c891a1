"""consultation API: one router made of the sub-domain routers (the
feedback app's router is added beside it in gaizao/api.py)."""

from ninja import Router

from .api_participation import router as participation_router

router = Router(tags=["consultation"])
router.add_router("/", participation_router)
