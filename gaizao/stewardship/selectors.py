"""stewardship reads: who may be named as a compound's manager."""

from gaizao.regions.models import LEVEL_DIGITS, Organisation

from .models import MANAGER_KINDS, ManagementArrangement


def arrangement_for_compound(compound) -> ManagementArrangement | None:
    return ManagementArrangement.objects.filter(compound=compound).first()


def arrangements_by_compound(compounds) -> dict:
    """{compound id: arrangement (with its manager)} for the given compounds."""
    return {
        a.compound_id: a
        for a in ManagementArrangement.objects.filter(compound__in=compounds).select_related(
            "manager"
        )
    }


def district_prefix(compound) -> str:
    """The compound's district as a code prefix (530103 for 盘龙区)."""
    return compound.street.code[: LEVEL_DIGITS["district"]]


def manager_kinds() -> list[str]:
    """Every organisation kind that fits at least one management model, in order."""
    out: list[str] = []
    for kinds in MANAGER_KINDS.values():
        out += [k for k in kinds if k not in out]
    return out


def manager_choices(compound):
    """Organisations that may manage `compound`: a fitting kind, registered
    within the compound's district."""
    return (
        Organisation.objects.filter(
            kind__in=manager_kinds(), area__code__startswith=district_prefix(compound)
        )
        .select_related("area")
        .order_by("kind", "name")
    )
