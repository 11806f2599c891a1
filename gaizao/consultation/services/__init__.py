"""Writes for resident participation (STYLE.md habit 2): household access
codes, willingness surveys and item menus, votes and ballots. Every write is
validated, runs in a transaction and is audited; errors are DomainError with a
Chinese message.

One module per sub-domain; everything public is re-exported here."""

from ._common import DuplicateBallot  # noqa: F401
from .access import (  # noqa: F401
    ALPHABET,
    ATTEMPT_LIMIT,
    ATTEMPT_WINDOW,
    CODE_LENGTH,
    PHONE_RE,
    PIN_RE,
    TOO_MANY,
    access_code_redeem,
    access_code_revoke,
    access_codes_issue,
    generate_code,
    hash_code,
    normalize_code,
    resident_phone_login,
    resident_set_login,
    resident_user_for_unit,
)
from .ballots import ballot_cast, conflict_resolve  # noqa: F401
from .meeting_rules import meeting_rules_set  # noqa: F401
from .objections import (  # noqa: F401
    REPLY_STATES,
    VOID,
    objection_add,
    objection_reply,
    vote_overturn,
    vote_retally,
)
from .votes import (  # noqa: F401
    freeze_register,
    vote_cancel,
    vote_close,
    vote_create,
    vote_open,
    vote_publish,
    vote_update,
)
from .willingness import consultation_create, consultation_respond  # noqa: F401
