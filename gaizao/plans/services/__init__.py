"""plans writes (STYLE.md habit 1): validated, in one transaction, audited.
Every failure is a DomainError with a Chinese message and nothing written.

One module per sub-domain; everything is re-exported here."""

from ._base import (  # noqa: F401
    BASIC_FACILITIES,
    MAX_QUANTITY,
    catalog_entries,
    compound_facts,
    plan_cost_summary,
    plan_funding_facts,
    plan_rule,
    rules_of,
)
from .drafting import plan_draft_for_cluster, plan_draft_from_survey, plan_suggestions  # noqa: F401
from .items import (  # noqa: F401
    plan_add_menu_results,
    plan_funding_recompute,
    plan_funding_set,
    plan_item_add,
    plan_item_remove,
    plan_item_set,
    plan_update,
)
from .setup import (  # noqa: F401
    CATALOGUE_FIELDS,
    catalogue_item_save,
    cluster_create,
    funding_rule_save,
    item_cost_of,
)
from .workflow import (  # noqa: F401
    approval_blockers,
    plan_approve,
    plan_mark_consulted,
    plan_revise,
    plan_vote_reuse_confirm,
    plan_vote_start,
    plans_withdraw_for_vote,
)
