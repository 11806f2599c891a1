"""Clusters (片区), the catalogue and the funding rules."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from gaizao.catalogue.costs import item_cost
from gaizao.catalogue.models import CatalogItem
from gaizao.core import audit
from gaizao.core.errors import DomainError
from gaizao.inventory.models import Compound

from ..models import (
    Cluster,
    ClusterMember,
    FundingRule,
    PlanItem,
)
from ..selectors import (
    current_plan_for_compound,
)

# ---- clusters -------------------------------------------------------------------


def cluster_create(
    *, actor, name: str, compounds: list[Compound], note: str = "", source: str = "web"
) -> Cluster:
    """片区: two or more compounds of one street — or of neighbouring streets of
    one district — planned, built and managed as one."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写片区名称"))
    if len(compounds) < 2:
        raise DomainError(_("片区至少需要两个小区"))
    districts = {c.street.prefix[:6] for c in compounds}
    if len(districts) > 1:
        raise DomainError(_("片区内的小区须在同一区内相邻(同一街道或相邻街道)"))
    streets = {c.street_id for c in compounds}
    with transaction.atomic():
        taken = ClusterMember.objects.filter(compound__in=compounds).select_related(
            "compound", "cluster"
        )
        if taken:
            raise DomainError(
                _("以下小区已属于其他片区:")
                + "、".join(
                    _("%(name)s(片区“%(name2)s”)")
                    % {"name": m.compound.name, "name2": m.cluster.name}
                    for m in taken
                )
            )
        planned = [c.name for c in compounds if current_plan_for_compound(c) is not None]
        if planned:
            raise DomainError(_("以下小区已有单独的改造方案,不能再纳入片区:") + "、".join(planned))
        area = compounds[0].street if len(streets) == 1 else compounds[0].street.parent
        cluster = Cluster.objects.create(
            name=name[:128], area=area, created_by=actor, note=note.strip()
        )
        ClusterMember.objects.bulk_create(
            [ClusterMember(cluster=cluster, compound=c) for c in compounds]
        )
        audit.record(
            actor=actor,
            instance=cluster,
            action="create",
            source=source,
            changes={"members": [None, [c.pk for c in compounds]]},
        )
    return cluster


# ---- catalogue and rules --------------------------------------------------------

CATALOGUE_FIELDS = [
    "name",
    "name_en",
    "tier",
    "unit",
    "unit_cost",
    "facility",
    "funding_sources",
    "estimate_basis",
    "estimate_factor",
    "description",
    "active",
]


def catalogue_item_save(
    *,
    actor,
    base: CatalogItem | None,
    data: dict,
    jurisdiction=None,
    year: int | None = None,
    source: str = "web",
) -> CatalogItem:
    """Save a catalogue item for `jurisdiction` and `year`. Editing an item of
    a wider area (e.g. the national default) creates the override for the
    actor's own jurisdiction instead of changing it for everybody."""
    code = (data.get("code") or (base.code if base else "")).strip()
    if not code:
        raise DomainError(_("请填写项目编码"))
    if Decimal(data.get("unit_cost", 0)) < 0:
        raise DomainError(_("单价不能为负数"))
    with transaction.atomic():
        item = (
            CatalogItem.objects.select_for_update()
            .filter(code=code, jurisdiction=jurisdiction, year=year)
            .first()
        )
        created = item is None
        if item is None:
            item = CatalogItem(code=code, jurisdiction=jurisdiction, year=year)
            if base is not None:
                for f in CATALOGUE_FIELDS:
                    setattr(item, f, getattr(base, f))
        before = {} if created else audit.snapshot(item, CATALOGUE_FIELDS)
        for f in CATALOGUE_FIELDS:
            if f in data:
                setattr(item, f, data[f])
        item.save()
        audit.record(
            actor=actor,
            instance=item,
            action="create" if created else "update",
            source=source,
            changes=audit.diff(before, audit.snapshot(item, CATALOGUE_FIELDS)),
        )
    return item


def funding_rule_save(*, actor, area, year: int, data: dict, source: str = "web") -> FundingRule:
    with transaction.atomic():
        rule, created = FundingRule.objects.select_for_update().get_or_create(area=area, year=year)
        before = {} if created else audit.snapshot(rule)
        for k, v in data.items():
            setattr(rule, k, v)
        rule.save()
        audit.record(
            actor=actor,
            instance=rule,
            action="create" if created else "update",
            source=source,
            changes=audit.diff(before, audit.snapshot(rule)),
        )
    return rule


def item_cost_of(item: PlanItem) -> Decimal:
    return item_cost(item.quantity, item.unit_cost)
