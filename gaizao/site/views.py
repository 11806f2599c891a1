"""The pages that join apps: the staff home page (totals of the user's
compounds) and the audit log. They live at the top layer so that core
imports nothing above it; their URL names stay in the `core:` namespace."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from gaizao.accounts.models import Role
from gaizao.consultation import selectors as consultation_selectors
from gaizao.consultation import selectors_feedback
from gaizao.consultation.models import ConsultationResponse, Vote
from gaizao.consultation.views import resident_required
from gaizao.core import audit
from gaizao.core.models import AuditEntry
from gaizao.core.xlsx import xlsx_response
from gaizao.inventory.models import Unit
from gaizao.inventory.permissions import compounds_for_user

from . import selectors as portal_selectors


def home(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.role == Role.RESIDENT:
        return redirect("consultation:portal")
    if user.role in (Role.CONTRACTOR, Role.DESIGNER):
        return redirect("consultation:feedback_queue")
    qs = compounds_for_user(user)
    totals = qs.aggregate(n=Count("id"), area=Sum("floor_area"), households=Sum("households"))
    surveyed = qs.filter(surveys__isnull=False).distinct().count()
    by_street = (
        qs.values("street__name", "street__code")
        .annotate(n=Count("id"), area=Sum("floor_area"))
        .order_by("street__code")
    )
    return render(
        request,
        "site/home.html",
        {
            "totals": totals,
            "surveyed": surveyed,
            "by_street": by_street,
        },
    )


@login_required
def audit_log(request):
    """Recent changes; superusers and district offices only (they answer for the record)."""
    if not (
        request.user.is_superuser or request.user.role in {Role.LEADERSHIP, Role.HOUSING_BUREAU}
    ):
        return render(request, "403.html", status=403)
    qs = AuditEntry.objects.select_related("actor")
    if request.GET.get("model"):
        qs = qs.filter(model=request.GET["model"])
    if request.GET.get("source"):
        qs = qs.filter(source=request.GET["source"])
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(object_repr__icontains=q)
            | Q(actor__username__icontains=q)
            | Q(actor__display_name__icontains=q)
        )
    if request.GET.get("format") == "xlsx":
        rows = (
            (
                localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                str(e.actor or ""),
                str(audit.SOURCE_LABELS.get(e.source, e.source)),
                e.get_action_display(),
                audit.model_label(e.model),
                e.object_pk,
                e.object_repr,
                ";".join(f"{k}: {v}" for k, v in audit.describe(e)),
            )
            for e in qs[:100000]
        )
        return xlsx_response(
            _("操作记录.xlsx"),
            _("操作记录"),
            [
                _("时间"),
                _("操作人"),
                _("来源"),
                _("操作"),
                _("对象类型"),
                _("对象编号"),
                _("对象"),
                _("变更"),
            ],
            rows,
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for e in page:
        e.lines = audit.describe(e)
        e.source_label = audit.SOURCE_LABELS.get(e.source, e.source)
        e.model_label = audit.model_label(e.model)
    models = sorted(
        {
            m: audit.model_label(m)
            for m in AuditEntry.objects.values_list("model", flat=True).distinct()
        }.items(),
        key=lambda kv: kv[1],
    )
    return render(
        request,
        "site/audit_log.html",
        {"page": page, "models": models, "sources": list(audit.SOURCE_LABELS.items()), "q": q},
    )


# --------------------------------------------------------------- portal
# The resident portal joins consultation, the eligibility verdict, the plan
# and feedback, so it lives here; its URL stays consultation:portal.


@resident_required
def portal(request):
    user = request.user
    unit = Unit.objects.select_related(
        "building__compound__street", "building__compound__community"
    ).get(pk=user.unit_id)
    compound = unit.building.compound
    surveys = list(consultation_selectors.open_consultations(compound.pk))
    answered = set(
        ConsultationResponse.objects.filter(consultation__in=surveys, unit=unit).values_list(
            "consultation_id", flat=True
        )
    )
    for s in surveys:
        s.answered = s.pk in answered
    votes = list(consultation_selectors.resident_votes(compound.pk)[:10])
    mine = dict(unit.ballots.filter(vote__in=votes).values_list("vote_id", "choice"))
    for v in votes:
        v.my_choice = mine.get(v.pk)
        v.can_cast = v.accepts_online() and v.my_choice is None
    past = consultation_selectors.latest_consultation(compound.pk)
    return render(
        request,
        "site/portal.html",
        {
            "unit": unit,
            "compound": compound,
            "surveys": surveys,
            "votes": votes,
            "open_votes": [v for v in votes if v.status == Vote.Status.OPEN],
            "latest_survey": past,
            "my_objections": list(consultation_selectors.my_objections(user, compound.pk)[:10]),
            "plan": portal_selectors.plan_summary(compound),
            "verdict": portal_selectors.verdict_summary(compound),
            # "问题解决了吗?" is asked on the feedback list; the portal points there.
            "awaiting_answer": selectors_feedback.awaiting_my_answer(user).count(),
        },
    )
