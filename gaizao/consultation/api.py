"""consultation API: one router made of the sub-domain routers."""

from ninja import Router

from .api_feedback import router as feedback_router
from .api_participation import router as participation_router

router = Router(tags=["consultation"])
router.add_router("/", participation_router)
router.add_router("/", feedback_router)
