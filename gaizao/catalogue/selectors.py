"""catalogue reads: the catalogue that applies to a compound or an area, and
the item menu (居民点单) offered to a compound's residents with its price."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from gaizao.inventory.models import Unit
from gaizao.regions.models import Area
from gaizao.regions.scope import ancestor_prefixes

from . import drafting
from .models import TIER_ORDER, CatalogItem


def compound_prefixes(compound) -> list[str]:
    area = compound.community if compound.community_id else compound.street
    return ancestor_prefixes(area)


def _effective_items(prefixes: list[str], year: int) -> list[int]:
    """Pick one CatalogItem per code: the deepest jurisdiction wins, and in a
    jurisdiction a year-specific item beats an all-years item."""
    rows = (
        CatalogItem.objects.filter(
            Q(jurisdiction__isnull=True) | Q(jurisdiction__prefix__in=prefixes)
        )
        .filter(Q(year__isnull=True) | Q(year=year))
        .values_list("pk", "code", "jurisdiction__prefix", "year", "active")
    )
    best: dict[str, tuple] = {}
    for pk, code, prefix, yr, active in rows:
        rank = (len(prefix or ""), 1 if yr is not None else 0)
        if code not in best or rank > best[code][0]:
            best[code] = (rank, pk, active)
    return [pk for _rank, pk, active in best.values() if active]


def _tier_ordered(qs):
    return qs.annotate(
        tier_rank=Case(
            *[When(tier=t, then=Value(i)) for i, t in enumerate(TIER_ORDER)],
            default=Value(99),
            output_field=IntegerField(),
        )
    ).order_by("tier_rank", "code")


def catalogue_for_compound(compound, year: int | None = None):
    """QuerySet[CatalogItem]: the items a plan for `compound` may use in `year`
    (default this year), one per code, ordered by tier then code.

    Stable interface: the item menu (居民点单) and the plans app use it."""
    year = year or timezone.localdate().year
    ids = _effective_items(compound_prefixes(compound), year)
    return _tier_ordered(CatalogItem.objects.filter(pk__in=ids))


def catalogue_for_area(area: Area | None, year: int | None = None):
    year = year or timezone.localdate().year
    return _tier_ordered(
        CatalogItem.objects.filter(pk__in=_effective_items(ancestor_prefixes(area), year))
    )


MENU_TIERS = ("improvement", "enhancement")
TIER_LABELS = {
    "basic": gettext_noop("基础类"),
    "safety": gettext_noop("安全类"),
    "improvement": gettext_noop("完善类"),
    "enhancement": gettext_noop("提升类"),
}


def menu_items(compound) -> list[dict]:
    """The item menu (居民点单) of a compound: the improvement and enhancement
    items of its catalogue, each with its unit cost and, where a quantity can
    be estimated for the compound (drafting.py), the estimated cost and the
    share per household."""
    households = (
        compound.households
        or Unit.objects.filter(building__compound_id=compound.pk).count()
        or None
    )
    facts = drafting.CompoundFacts(
        name=compound.name,
        floor_area=compound.floor_area,
        building_count=compound.building_count,
        households=households,
    )
    out = []
    for item in catalogue_for_compound(compound):
        if item.tier not in MENU_TIERS:
            continue
        d = {
            "id": item.pk,
            "code": item.code,
            "name": item.name,
            # What the resident reads: the English name when the page is in English.
            "label": (item.name_en if get_language() == "en" and item.name_en else item.name),
            "tier": item.tier,
            "tier_label": _(TIER_LABELS[item.tier]) if item.tier in TIER_LABELS else item.tier,
            "unit": item.unit,
            "unit_cost": item.unit_cost,
            "quantity": None,
            "estimate": None,
            "per_household": None,
            "description": getattr(item, "description", ""),
        }
        try:
            est = drafting.estimate(
                drafting.CatalogEntry(
                    code=item.code,
                    name=item.name,
                    unit=item.unit,
                    tier=item.tier,
                    facility=item.facility,
                    basis=item.estimate_basis,
                    factor=item.estimate_factor,
                ),
                facts,
            )
        except Exception:  # an estimate is a courtesy; the menu works without it
            est = None
        if est is not None:
            qty = est[0]
            cost = (Decimal(qty) * item.unit_cost).quantize(Decimal("0.01"), ROUND_HALF_UP)
            d.update(quantity=qty, estimate=cost)
            if households:
                d["per_household"] = (cost / households).quantize(Decimal("0.01"), ROUND_HALF_UP)
        out.append(d)
    return out
