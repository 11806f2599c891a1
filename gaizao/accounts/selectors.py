"""accounts reads."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import ApiToken, LoginSession, User


def live_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked=False).order_by("-created_at")


def get_own_token(user: User, pk: int) -> ApiToken:
    """A token of this user (another user's: 404)."""
    return get_object_or_404(ApiToken, user=user, pk=pk)


def household_accounts(unit_id: int) -> list[User]:
    return list(User.objects.filter(unit_id=unit_id).order_by("id"))


def household_devices(unit_id: int) -> QuerySet[LoginSession]:
    """Signed-in devices of a household's accounts, live first."""
    return (
        LoginSession.objects.filter(user__unit_id=unit_id)
        .select_related("user")
        .order_by("ended_at", "-last_seen_at")[:50]
    )


def household_tokens(unit_id: int) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user__unit_id=unit_id, revoked=False).select_related("user")


def get_household_device(unit_id: int, pk: int) -> LoginSession:
    return get_object_or_404(
        LoginSession.objects.select_related("user"), user__unit_id=unit_id, pk=pk
    )


def households_with_accounts(unit_ids) -> list[int]:
    """Which of these units have any account bound to them."""
    if not unit_ids:
        return []
    return sorted(set(User.objects.filter(unit_id__in=unit_ids).values_list("unit_id", flat=True)))
