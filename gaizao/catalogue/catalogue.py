"""Loading the built-in catalogue (catalogue_data.ITEMS) as national defaults."""

from decimal import Decimal

from .catalogue_data import ITEMS, SOURCES
from .models import CatalogItem


def ensure_builtin_catalogue(model=None) -> int:
    """Create the national default items that are missing; never overwrite a
    price someone has edited. Idempotent. `model` lets a data migration pass
    its historical CatalogItem. Returns the number of items created."""
    if model is None:
        model = CatalogItem
    existing = set(
        model.objects.filter(jurisdiction__isnull=True, year__isnull=True).values_list(
            "code", flat=True
        )
    )
    # An older migration passes a historical model without `source`.
    has_source = any(f.name == "source" for f in model._meta.get_fields())
    new = []
    for code, name, name_en, tier, unit, cost, facility, sources, basis, factor, desc in ITEMS:
        if code in existing:
            continue
        new.append(
            model(
                code=code,
                name=name,
                name_en=name_en,
                tier=tier,
                unit=unit,
                unit_cost=Decimal(cost),
                facility=facility,
                funding_sources=list(sources),
                estimate_basis=basis,
                estimate_factor=Decimal(factor),
                description=desc,
                **({"source": SOURCES.get(code, "")} if has_source else {}),
            )
        )
    model.objects.bulk_create(new)
    return len(new)
