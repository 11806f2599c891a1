"""Demo works: every approved plan in the district gets its works, spread
over the stages (some just designed, some building, some accepted, some
handed over and rated for several quarters), with a few late stages so the
responsibility list and `gaizao remind` have something to say. Runs after
stewardship's demo (which approves the plans). Deterministic (ctx.rng);
writes go through the services, dates relative to the day of seeding."""

import struct
import zlib
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from gaizao.accounts.models import Role, User
from gaizao.core.demo import DEMO_PASSWORD
from gaizao.plans.models import Plan, PlanStatus
from gaizao.regions.models import Organisation
from gaizao.stewardship.models import FundEntry, ManagementArrangement
from gaizao.stewardship.services_care import rating_record

from . import demo_organisation
from . import services as svc
from .models import STAGE_ORDER, Milestone, PhotoPhase, WorksPhoto

K = Organisation.Kind
# Stage reached by the n-th approved plan's works (0: nothing done … 6:
# handed over), round robin so a small demo still has one at every stage.
SPREAD = [6, 3, 5, 4, 2, 1, 0]


def _png(rgb: tuple[int, int, int], w: int = 160, h: int = 100) -> bytes:
    """A plain colour PNG (the demo's stand-in for a site photo)."""
    row = b"\x00" + bytes(rgb) * w
    raw = zlib.compress(row * h)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _orgs():
    district = Organisation.objects.filter(kind=K.HOUSING_BUREAU).first()
    area = district.area if district else None
    contractors = list(Organisation.objects.filter(kind=K.CONTRACTOR).order_by("id"))
    for name in ["昆明市政建设集团有限公司", "云南城乡建设工程有限公司"]:
        contractors.append(Organisation.objects.create(name=name, kind=K.CONTRACTOR, area=area))
    designer = Organisation.objects.filter(kind=K.DESIGNER).first() or Organisation.objects.create(
        name="昆明城市更新设计研究院", kind=K.DESIGNER, area=area
    )
    supervisor = Organisation.objects.create(
        name="云岭工程监理有限公司", kind=K.DESIGNER, area=area
    )
    return district, contractors, designer, supervisor


def seed(ctx):
    rng = ctx.rng
    staff = User.objects.filter(role=Role.LEADERSHIP).order_by("id").first()
    if staff is None:
        return
    bureau, contractors, designer, supervisor = _orgs()
    # The contractors' logins: each sees only its own works.
    for i, org in enumerate(contractors[:2]):
        username = ["shigong_works", "shigong_other"][i]
        User.objects.create_user(
            username,
            password=DEMO_PASSWORD,
            display_name=f"{org.name} 项目经理",
            role=Role.CONTRACTOR,
            organisation=org,
        )
    plans = list(
        Plan.objects.filter(status=PlanStatus.APPROVED, compound__isnull=False)
        .select_related("compound__street")
        .order_by("id")
    )
    # The newest approved plan waits for its works: the first step of the
    # walk through (建立施工项目) starts from it.
    if len(plans) > 3:
        plans = plans[:-1]
    today = timezone.localdate()
    streets = {o.area_id: o for o in Organisation.objects.filter(kind=K.STREET_OFFICE)}
    counts = {s: 0 for s in ["none", *STAGE_ORDER]}
    late = 0
    for n, plan in enumerate(plans):
        target = SPREAD[n % len(SPREAD)]
        start = today - timedelta(days=40 * target + rng.randint(20, 40))
        if n % 3 == 1:  # a third of the works run late on their next stage
            start -= timedelta(days=rng.randint(25, 50))
        contractor = contractors[n % 2] if target >= 2 or n % 3 else None
        planned = {s: start + timedelta(days=40 * (i + 1)) for i, s in enumerate(STAGE_ORDER)}
        w = svc.works_create(
            actor=staff,
            plan=plan,
            contractor=contractor,
            designer=designer,
            supervisor=supervisor,
            implementer=streets.get(plan.compound.street_id),
            planned=planned,
            source="demo",
        )
        street_org = streets.get(plan.compound.street_id)
        for m in Milestone.objects.filter(works=w):
            m.responsible_org = {
                "design": designer,
                "tender": street_org,
                "start": contractor or street_org,
                "completion": contractor or street_org,
                "acceptance": bureau,
                "handover": street_org,
            }[m.stage]
            m.save(update_fields=["responsible_org"])
        items = list(w.items.all())
        for it in items:  # before photos for every item
            p = WorksPhoto(works=w, item=it, phase=PhotoPhase.BEFORE, caption="改造前")
            p.image.save(f"w{w.pk}.png", ContentFile(_png((150, 120, 100))), save=True)
        for stage in STAGE_ORDER[: max(0, target)]:
            on = min(today, planned[stage] + timedelta(days=rng.randint(-5, 8)))
            prev = (
                Milestone.objects.filter(works=w, actual_on__isnull=False).order_by("-seq").first()
            )
            if prev and on < prev.actual_on:
                on = prev.actual_on
            if stage == "start" and w.contractor_id is None:
                break
            if stage == "start":
                svc.milestone_done(actor=staff, works=w, stage=stage, on=on, source="demo")
                for it in items:
                    it.percent_done = Decimal(rng.choice([30, 45, 60, 80]))
                    it.save(update_fields=["percent_done"])
                svc.progress_report(
                    actor=staff,
                    works=w,
                    text="管网开挖与屋面防水同步推进,文明施工围挡已设置",
                    percents={it.pk: it.percent_done for it in items},
                    source="demo",
                )
                continue
            if stage == "completion":
                for it in items:
                    it.percent_done = Decimal("100")
                    it.save(update_fields=["percent_done"])
                    p = WorksPhoto(works=w, item=it, phase=PhotoPhase.AFTER, caption="改造后")
                    p.image.save(f"w{w.pk}.png", ContentFile(_png((90, 160, 110))), save=True)
            if stage == "acceptance":
                for it in items:
                    svc.item_accept(actor=staff, item=it, passed=True, source="demo")
                svc.signoff_record(
                    actor=staff,
                    works=w,
                    representative="居民代表 刘阿姨",
                    agrees=True,
                    source="demo",
                )
            if stage == "handover":
                if not ManagementArrangement.objects.filter(compound=plan.compound).exists():
                    break
                svc.handover_record(actor=staff, works=w, on=on, source="demo")
                _after_handover(ctx, staff, w, on)
                continue
            svc.milestone_done(actor=staff, works=w, stage=stage, on=on, source="demo")
        _costs(rng, staff, w, items)
        done = Milestone.objects.filter(works=w, actual_on__isnull=False).count()
        counts[STAGE_ORDER[done - 1] if done else "none"] += 1
        late += Milestone.objects.filter(
            works=w, actual_on__isnull=True, planned_on__lt=today
        ).exists()
    ctx.shared["works_demo"] = True
    ctx.say(f"  施工项目 {len(plans)} 个(各阶段:{counts});有逾期节点的 {late} 个")
    demo_organisation.seed(ctx)
    logins(ctx)


def _costs(rng, staff, w, items):
    if not w.contractor_id:
        return
    for it in items:
        if not it.budget:
            continue
        svc.cost_record(
            actor=staff,
            works=w,
            item_id=it.pk,
            source_key="central_subsidy",
            kind="committed",
            amount=it.budget,
            on=w.created_at.date(),
            source="demo",
        )
        # Progress payments track the work done; one in five runs ahead of it.
        share = it.percent_done / 100 * (Decimal("1.3") if rng.random() < 0.2 else Decimal("0.7"))
        paid = (it.budget * share).quantize(Decimal("0.01"))
        if paid > 0:
            svc.cost_record(
                actor=staff,
                works=w,
                item_id=it.pk,
                source_key="central_subsidy",
                kind="paid",
                amount=paid,
                on=w.created_at.date(),
                source="demo",
            )


def _after_handover(ctx, staff, w, on):
    """Fund entries and quarterly ratings; every other compound slides back."""
    rng = ctx.rng
    compound = w.compound
    FundEntry.objects.create(
        compound=compound, kind="contribution", amount=Decimal(rng.randint(20, 80) * 1000), on=on
    )
    keys = [
        "cleaning",
        "greenery",
        "facilities",
        "parking",
        "security",
        "fees",
        "feedback",
        "rules",
    ]
    slides = w.pk % 2 == 0
    today = timezone.localdate()
    y, q = today.year, (today.month - 1) // 3 + 1
    quarters = []
    for _i in range(3):
        quarters.insert(0, (y, q))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    for i, (year, quarter) in enumerate(quarters):
        k = 8 - (i * 3 if slides else rng.randint(0, 1))
        rating_record(
            actor=staff, compound=compound, year=year, quarter=quarter, checked=keys[:k], src="demo"
        )


def logins(ctx):
    ctx.add_login("施工单位", "shigong_works", "只见本单位承建的施工项目:填报进度、上传照片")
    ctx.add_login("施工单位", "shigong_other", "另一家施工单位:看不到别家的项目")
