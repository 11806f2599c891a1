"""Pieces every participation service shares."""

from gaizao.core.errors import DomainError

from ..permissions import can_do


class DuplicateBallot(DomainError):
    """A unit already has a ballot in this vote (HTTP 409 at the API edge)."""


def _require(actor, action: str, message: str):
    if not can_do(actor, action):
        raise DomainError(message)
