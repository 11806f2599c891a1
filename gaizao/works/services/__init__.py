"""works writes, `<entity>_<verb>(*, actor, ...)`, each in one transaction
with an audit record (gaizao.core.audit)."""

from .acceptance import (  # noqa: F401
    defect_fix,
    defect_report,
    handover_record,
    item_accept,
    signoff_record,
)
from .works import (  # noqa: F401
    change_order_decide,
    change_order_propose,
    cost_record,
    final_account_record,
    inspection_record,
    inspection_reinspect,
    milestone_done,
    milestone_plan,
    photos_add,
    progress_report,
    works_create,
)
