"""The latest condition score kept on each compound (issue 14, STYLE.md
habit 18): lists sort and filter by it, the map colours by it and the
programme weighs it, over whole jurisdictions, so it is a column with an
index rather than a subquery per compound. Every survey saved or deleted
through the ORM re-derives its compound's value (signals connected in
InventoryConfig.ready); bulk writes call `refresh` themselves."""

from django.db.models import DecimalField, OuterRef, Subquery
from django.db.models.signals import post_delete, post_save

from gaizao.core import summaries

from .models import Compound, Survey


def latest_score_subquery() -> Subquery:
    """The score of the compound's latest survey (by date, then id)."""
    return Subquery(
        Survey.objects.filter(compound=OuterRef("pk"))
        .order_by("-surveyed_on", "-id")
        .values("score")[:1],
        output_field=DecimalField(max_digits=5, decimal_places=1),
    )


def refresh(compound_ids=None, chunk: int = 2000) -> None:
    """Re-derives `Compound.latest_score` for these compounds (all when None),
    one UPDATE per chunk of ids."""
    if compound_ids is None:
        last = 0
        while True:
            ids = list(
                Compound.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:chunk]
            )
            if not ids:
                break
            Compound.objects.filter(pk__in=ids).update(latest_score=latest_score_subquery())
            last = ids[-1]
        summaries.bump_version()
        return
    ids = sorted({i for i in compound_ids if i is not None})
    for start in range(0, len(ids), chunk):
        Compound.objects.filter(pk__in=ids[start : start + chunk]).update(
            latest_score=latest_score_subquery()
        )
    summaries.bump_version()


def _on_survey(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh([instance.compound_id])


def connect() -> None:
    post_save.connect(_on_survey, sender=Survey, dispatch_uid="latest-score-save")
    post_delete.connect(_on_survey, sender=Survey, dispatch_uid="latest-score-delete")
