"""The programme on the database as an optimiser instance (the JSON format of
issue 15, read by optimiser.instance_from_dict). The whole programme, not one
user's view of it: the optimiser plans every batch at once."""

from decimal import Decimal

from django.db.models import Sum

from .models import Entry, Programme
from .selectors import batches


def extension_cap(batch, density: Decimal) -> float | None:
    """Households of the extension window a batch may take: its share of the
    household target, or — without one — of the households its area target
    represents at the programme's average households per m²."""
    if batch.extension_cap_share is None:
        return None
    if batch.households_target:
        base = Decimal(batch.households_target)
    elif batch.area_target_m2:
        base = batch.area_target_m2 * density
    else:
        return None
    return float(base * batch.extension_cap_share)


def build(programme: Programme) -> dict:
    bs = batches(programme)
    tot = programme.entries.aggregate(a=Sum("area_m2"), h=Sum("households"))
    density = Decimal(tot["h"] or 0) / Decimal(tot["a"]) if tot["a"] else Decimal(0)
    periods = [
        {
            "id": b.pk,
            "area_target_m2": float(b.area_target_m2) if b.area_target_m2 is not None else None,
            "budget_yuan": float(b.budget_total) if b.budget_total is not None else None,
            "weight": float(b.weight),
            "household_cap_extension": extension_cap(b, density),
        }
        for b in bs
    ]
    compounds = []
    rows = (
        Entry.objects.filter(programme=programme)
        .exclude(locked=True, batch__isnull=True)  # locked out: not offered to the optimiser
        .values_list(
            "pk",
            "area_m2",
            "households",
            "cost_yuan",
            "score",
            "compound__street_id",
            "cluster_id_ref",
            "extension",
            "locked",
            "batch_id",
        )
        .order_by("pk")
    )
    for pk, area, hh, cost, score, street, cluster, ext, locked, batch_id in rows.iterator(
        chunk_size=5000
    ):
        compounds.append(
            {
                "id": pk,
                "area_m2": float(area),
                "households": hh,
                "cost_yuan": float(cost),
                "score": float(score),
                "street": str(street),
                "cluster": cluster,
                "extension": ext,
                "locked_period": batch_id if locked else None,
            }
        )
    return {
        "periods": periods,
        "compounds": compounds,
        "max_concurrent_per_street": programme.max_concurrent_per_street,
    }
