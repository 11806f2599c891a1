"""Export of the batch lists (.xlsx) and the progress against targets page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from gaizao.core import pagecache
from gaizao.core.xlsx import xlsx_response

from . import progress, selectors
from .permissions import get_programme_for_user


@login_required
def export_xlsx(request, pk):
    programme = get_programme_for_user(request.user, pk)
    headers = [
        _("批次"),
        _("小区"),
        _("街道"),
        _("社区"),
        _("建筑面积(㎡)"),
        _("户数"),
        _("费用(元)"),
        _("费用依据"),
        _("优先级得分"),
        _("扩展范围"),
        _("锁定"),
    ]
    rows = (
        [
            e.batch.name if e.batch else _("未入选"),
            e.compound.name,
            e.compound.street.name,
            e.compound.community.name if e.compound.community_id else "",
            e.area_m2,
            e.households,
            e.cost_yuan,
            _("按单价估算") if e.cost_estimated else _("改造方案"),
            e.score,
            _("是") if e.extension else "",
            _("是") if e.locked else "",
        ]
        for e in selectors.export_rows(request.user, programme).iterator(chunk_size=2000)
    )
    return xlsx_response(f"programme-{programme.pk}.xlsx", programme.name, headers, rows)


@login_required
def progress_page(request, pk):
    programme = get_programme_for_user(request.user, pk)

    def build():
        return "programme/partials/_progress_body.html", {
            "programme": programme,
            **progress.against_targets(request.user, programme),
        }

    # Grouped over every entry of the programme in the user's scope (1 s cold for
    # a national user at 220,000 compounds, bench/national.py): the body is kept
    # per user, query, language, day and data version (core.pagecache); the
    # access check above runs on every request.
    body = pagecache.cached_body(request, f"programme.progress.{programme.pk}", build)
    return render(request, "programme/progress.html", {"programme": programme, "body": body})
