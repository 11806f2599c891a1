"""Spreadsheet import pages: upload → preview (every row, every error,
nothing written) → confirm (re-validated, one transaction; a sheet of more
than GAIZAO_SYNC_IMPORT_MAX rows is committed by a background job). Thin
views over inventory.importing.services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gaizao.core import jobs
from gaizao.core.errors import DomainError
from gaizao.core.masking import mask_id_number, mask_name, mask_phone
from gaizao.core.xlsx import download

from . import exporting, selectors
from .forms_import import ImportConfirmForm, ImportForm
from .importing import services, stash
from .importing.compounds import COMPOUND_FIELDS
from .importing.units import UNIT_FIELDS
from .models import ManagementStatus
from .permissions import can_do, get_compound_for_user, sees_personal_data
from .tasks import import_commit_task, import_done_url, import_targets

ROWS_PER_PAGE = 500


def _check(request):
    try:
        services.check_may_import(request.user)
    except PermissionDenied:
        raise PermissionDenied(
            _("您的角色无权导入台账(仅领导小组办公室、住建局和街道办事处可以导入)")
        )


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    _check(request)
    user = request.user
    initial = {}
    if request.GET.get("compound"):
        initial = {"kind": "units", "compound": request.GET["compound"]}
    form = ImportForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            token = stash.save(
                d["file"],
                user_id=user.pk,
                kind=d["kind"],
                street_id=d["street"].pk if d["street"] else None,
                compound_id=d["compound"].pk if d["compound"] else None,
            )
        except DomainError as e:
            form.add_error("file", e.message)
        else:
            return redirect("inventory:import_preview", token=token)
    return render(
        request,
        "inventory/import.html",
        {
            "form": form,
            "compound_fields": COMPOUND_FIELDS,
            "unit_fields": UNIT_FIELDS,
        },
    )


def _mask(name: str) -> str:
    return name if name == "—" else mask_name(name)


def _masked_rows(rows, kind, user):
    if kind != "units" or sees_personal_data(user):
        return rows
    out = []
    for r in rows:
        r = dict(r)
        r["owner_name"] = mask_name(r["owner_name"])
        r["phone"] = mask_phone(r["phone"]) if r["phone"] else ""
        r["id_number"] = mask_id_number(r["id_number"]) if r["id_number"] else ""
        r["changes"] = [
            dict(c, old=_mask(c["old"]), new=_mask(c["new"])) if c["field"] == "owner_name" else c
            for c in r.get("changes", [])
        ]
        out.append(r)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, token):
    _check(request)
    user = request.user
    found = stash.load(token, user_id=user.pk)
    if found is None:
        raise Http404(_("导入文件不存在或已过期,请重新上传"))
    path, meta = found
    kind = meta["kind"]
    commit_error = None
    try:
        street, compound = import_targets(user, meta)
        if request.method == "POST":
            confirm = ImportConfirmForm(request.POST)
            if confirm.cancelled:
                stash.discard(token)
                messages.info(request, _("已取消导入,没有写入任何数据"))
                return redirect("inventory:import")
            if (meta.get("rows") or 0) > settings.GAIZAO_SYNC_IMPORT_MAX:
                # Many rows: committed by the worker, still in one
                # transaction (docs/import.md "Large imports"); the stash is
                # kept until the job has written it. A second click while
                # the job waits or runs shows that job, not a second import.
                pending = jobs.pending(user, meta.get("job_id"))
                if pending is not None:
                    return redirect("core:job", pk=pending.pk)
                job = jobs.start(
                    user=user,
                    kind="inventory.import",
                    title=_("导入%(kind)s:%(file)s")
                    % {"kind": _(services.KINDS.get(kind, kind)), "file": meta["filename"]},
                    task=import_commit_task,
                    user_id=user.pk,
                    token=token,
                    accept_warnings=confirm.warnings_accepted,
                )
                stash.remember(token, job_id=job.pk)
                return redirect("core:job", pk=job.pk)
            result = services.commit(
                kind,
                path,
                user=user,
                filename=meta["filename"],
                street=street,
                compound=compound,
                source="import",
                accept_warnings=confirm.warnings_accepted,
            )
            stash.discard(token)
            messages.success(request, result.summary())
            return redirect(import_done_url(kind, compound))
        pv = services.preview(
            kind, path, user=user, filename=meta["filename"], street=street, compound=compound
        )
        if meta.get("rows") != len(pv.rows):
            stash.remember(token, rows=len(pv.rows))
    except DomainError as e:
        commit_error = e
        if request.method != "POST" or not e.errors:
            return render(
                request, "inventory/import_failed.html", {"error": e, "meta": meta}, status=400
            )
        pv = services.preview(
            kind, path, user=user, filename=meta["filename"], street=street, compound=compound
        )
    page = Paginator(pv.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    by_row = pv.errors_by_row()
    warnings = pv.warnings_by_row()
    labels = dict(ManagementStatus.choices)
    rows = [
        dict(
            r,
            row_errors=by_row.get(r["row"], []),
            row_warnings=warnings.get(r["row"], []),
            management_label=labels.get(r.get("management_status"), ""),
        )
        for r in _masked_rows(page.object_list, kind, user)
    ]
    return render(
        request,
        "inventory/import_preview.html",
        {
            "pv": pv,
            "page": page,
            "rows": rows,
            "kind": kind,
            "meta": meta,
            "token": token,
            "kind_label": _(services.KINDS[kind]) if kind in services.KINDS else kind,
            "commit_error": commit_error,
            "in_background": len(pv.rows) > settings.GAIZAO_SYNC_IMPORT_MAX,
            "general_errors": by_row.get(None, []),
        },
        status=400 if commit_error else 200,
    )


@login_required
def import_template(request, kind):
    _check(request)
    if kind == "compounds":
        data, name = exporting.compound_template_xlsx(), _("小区台账导入模板.xlsx")
    elif kind == "units":
        data, name = exporting.unit_template_xlsx(), _("房屋及业主清册导入模板.xlsx")
    else:
        raise Http404(_("没有这种模板"))
    return download(data, name)


@login_required
def export_units(request, pk):
    """All units and owners of one compound; personal data masked unless the
    role may see it (个人信息保护法)."""
    compound = get_compound_for_user(request.user, pk)
    if not can_do(request.user, "owner.list"):
        raise PermissionDenied(_("您的角色无权查看业主名册"))
    data = exporting.export_units_xlsx(
        selectors.units_of_compound(compound),
        mask_personal=not sees_personal_data(request.user),
    )
    return download(data, _("%(name)s-房屋及业主.xlsx") % {"name": compound.name})
