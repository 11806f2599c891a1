"""Demo data for resident participation: access codes in a few buildings,
willingness surveys with item menus in three compounds, three votes (one
open, one published and passed, one failed for lack of quorum) and a demo
resident login. Raw access codes are never printed: staff print letters."""

from datetime import timedelta

from django.utils import timezone

from gaizao.accounts.models import Role, User
from gaizao.catalogue import selectors as catalogue_selectors
from gaizao.catalogue.catalogue import ensure_builtin_catalogue
from gaizao.core.demo import DEMO_PASSWORD
from gaizao.inventory.models import Compound, Unit

from . import services
from .models import Ballot, Consultation, ConsultationResponse, MenuChoice, Vote

RESIDENT = "jumin_demo"


def _compounds(ctx):
    tx = ctx.shared.get("demo_committee_compound")
    qs = Compound.objects.filter(buildings__units__isnull=False).distinct()
    if tx is None:
        tx = qs.first()
    if tx is None:
        return []
    others = list(qs.filter(community_id=tx.community_id).exclude(pk=tx.pk).order_by("pk")[:2])
    if len(others) < 2:
        others += list(
            qs.filter(street_id=tx.street_id)
            .exclude(pk__in=[tx.pk, *[o.pk for o in others]])
            .order_by("pk")[: 2 - len(others)]
        )
    return [tx, *others]


def _responses(ctx, c: Consultation, units, share: float):
    rng = ctx.rng
    menu = catalogue_selectors.menu_items(c.compound)
    resp = []
    for u in units:
        if rng.random() > share:
            continue
        w = rng.choices(["yes", "no", "indifferent"], [0.76, 0.09, 0.15])[0]
        yuan = rng.choice([None, None, 200, 500, 1000]) if w == "yes" else None
        resp.append(
            ConsultationResponse(consultation=c, unit=u, willingness=w, contribution_yuan=yuan)
        )
    ConsultationResponse.objects.bulk_create(resp)
    picks = []
    weights = {m["id"]: rng.random() for m in menu}
    for r in resp:
        for m in menu:
            if rng.random() < weights[m["id"]] * (0.8 if r.willingness == "yes" else 0.3):
                picks.append(
                    MenuChoice(
                        response=r,
                        catalog_item_id=m["id"],
                        code=m["code"],
                        name=m["name"],
                        tier=m["tier"],
                        unit=m["unit"],
                        unit_cost=m["unit_cost"],
                    )
                )
    MenuChoice.objects.bulk_create(picks, batch_size=2000)
    return len(resp)


def cast_ballots(ctx, vote, units, share: float, agree: float, staff):
    """Households with a resident account vote online; the others were
    visited by community staff (入户征集), recorded as assisted ballots."""
    rng = ctx.rng
    online = set(
        User.objects.filter(role=Role.RESIDENT, unit__isnull=False).values_list(
            "unit_id", flat=True
        )
    )
    # Assisted ballots carry evidence: a second staff member witnessed.
    witness = (
        User.objects.filter(role__in=[Role.COMMUNITY, Role.STREET_OFFICE])
        .exclude(pk=staff.pk)
        .order_by("pk")
        .first()
    )
    out = []
    for u in units:
        if rng.random() > share:
            continue
        choice = rng.choices(
            ["agree", "oppose", "abstain"], [agree, (1 - agree) * 0.6, (1 - agree) * 0.4]
        )[0]
        channel = "online" if u.pk in online and rng.random() < 0.9 else "assisted"
        out.append(
            Ballot(
                vote=vote,
                unit=u,
                choice=choice,
                channel=channel,
                entered_by=staff if channel != "online" else None,
                assisted_by=staff if channel != "online" else None,
                witness=witness if channel != "online" else None,
                cast_at=min(
                    vote.opens_at + timedelta(hours=rng.randint(1, 100)),
                    timezone.now() - timedelta(minutes=rng.randint(5, 600)),
                ),
            )
        )
    Ballot.objects.bulk_create(out)
    return len(out)


def seed(ctx):
    # The menu residents choose from is the built-in catalogue, which a data
    # migration makes. A flushed database (`gaizao demo --reset`, or any
    # transactional test run before the demo's) has none: the residents'
    # random answers then took fewer draws and came out different from a
    # fresh database's (no compound eligible, no programme). Made here, before
    # it is read, as eligibility's step makes its built-in policies.
    ensure_builtin_catalogue()
    # Residents judge finished renovations after stewardship's demo (it takes
    # the step as a callable: it sits below consultation).
    compounds = _compounds(ctx)
    staff = (
        User.objects.filter(role=Role.COMMUNITY).order_by("pk").first()
        or User.objects.filter(is_superuser=True).first()
    )
    if not compounds or staff is None:
        return
    now = timezone.now()
    tx = compounds[0]
    # Access codes for the first three buildings of the main compound (letters
    # not printed here: staff print them from 居民参与 → 打印通知书).
    issued = 0
    for b in tx.buildings.order_by("number")[:3]:
        pairs = services.access_codes_issue(actor=staff, building=b)
        issued += len(pairs)
        for _unit, raw in pairs[:3]:
            # one address per household: the limiter counts every redemption
            services.access_code_redeem(code=raw, ip=f"demo-{_unit.pk}")
    # The demo resident: a household of the main compound with a password.
    unit = Unit.objects.filter(building__compound=tx).order_by("building__number", "number").first()
    User.objects.create_user(
        RESIDENT,
        password=DEMO_PASSWORD,
        role=Role.RESIDENT,
        unit=unit,
        display_name=f"{unit.building.number}{unit}住户",
    )

    for i, c in enumerate(compounds):
        units = list(Unit.objects.filter(building__compound=c).select_related("owner"))
        s = Consultation.objects.create(
            compound=c,
            title=f"{c.name}改造意愿征询及居民点单",
            created_by=staff,
            opens_at=now - timedelta(days=20 + 30 * i),
            closes_at=now + timedelta(days=10),
            description="请各户填写是否同意改造、愿意出资金额,并选择希望增加的改造项目。",
        )
        n = _responses(ctx, s, [u for u in units if u.pk != unit.pk], 0.55 if i == 0 else 0.8)
        if i:
            Consultation.objects.filter(pk=s.pk).update(closes_at=now - timedelta(days=5 + 30 * i))
        ctx.say(f"  意愿征询 {c.name}: {n} 户答复")

    # Votes: open (main compound), passed and published, failed quorum.
    specs = [
        (tx, 7, "加装电梯及外立面改造方案表决", "open", 0.45, 0.85),
        (
            compounds[1] if len(compounds) > 1 else tx,
            7,
            "老旧小区改造方案(改建附属设施)表决",
            "published",
            0.9,
            0.92,
        ),
        (
            compounds[2] if len(compounds) > 2 else tx,
            8,
            "利用共有部分设置快递柜和充电桩",
            "published",
            0.45,
            0.9,
        ),
    ]
    for c, matter, title, status, share, agree in specs:
        opens = now - timedelta(days=3 if status == "open" else 50)
        closes = now + timedelta(days=10) if status == "open" else now - timedelta(days=40)
        v = services.vote_create(
            actor=staff,
            compound=c,
            matter=matter,
            title=title,
            opens_at=opens,
            closes_at=closes,
            description="按《民法典》第二百七十八条由业主共同决定。",
            # The published ones were held last month: recorded afterwards.
            record_past=status != "open",
            past_reason="" if status == "open" else "演示数据:补录已举行的表决",
            # The running one was announced 20 days ago (15 days' notice).
            now=now - timedelta(days=20),
        )
        services.vote_open(actor=staff, vote=v, record_past=status != "open")
        units = list(Unit.objects.filter(building__compound=c).exclude(pk=unit.pk))
        cast_ballots(ctx, v, units, share, agree, staff)
        if status == "published":
            services.vote_close(actor=staff, vote=v)
            services.vote_publish(actor=staff, vote=v)
            # Held and published last month: the notice period is over.
            Vote.objects.filter(pk=v.pk).update(
                published_at=closes + timedelta(days=1),
                notice_ends_at=closes + timedelta(days=1 + v.notice_days),
            )
            v.refresh_from_db()
            ctx.say(f"  业主表决 {c.name} 第{matter}项: {'通过' if v.passed else '未通过'}")
    ctx.say(f"  入户码 {issued} 个(3 个楼栋)")
    _district_willingness(ctx, staff, exclude={c.pk for c in compounds})
    logins(ctx)


def _district_willingness(ctx, staff, *, exclude):
    """The 2019 district-wide round (全面调查摸底): a closed willingness survey
    in about two thirds of the surveyed compounds, most of them keen."""
    rng = ctx.rng
    now = timezone.now()
    compounds = list(
        Compound.objects.filter(surveys__isnull=False)
        .exclude(pk__in=exclude)
        .distinct()
        .order_by("pk")
    )
    consultations, keen = [], {}
    for c in compounds:
        if rng.random() > 0.65:
            continue
        consultations.append(
            Consultation(
                compound=c,
                title=f"{c.name}改造意愿征询",
                created_by=staff,
                opens_at=now - timedelta(days=400),
                closes_at=now - timedelta(days=370),
                description="全区老旧小区改造意愿摸底。",
            )
        )
        keen[c.pk] = rng.choice([0.92, 0.88, 0.85, 0.8, 0.75, 0.55, 0.4])
    Consultation.objects.bulk_create(consultations)
    by_compound = {c.compound_id: c for c in consultations}
    responses = []
    for u in (
        Unit.objects.filter(building__compound_id__in=by_compound)
        .only("id", "building__compound_id")
        .select_related("building")
    ):
        cid = u.building.compound_id
        if rng.random() > 0.85:
            continue  # no reply
        yes = keen[cid]
        w = rng.choices(["yes", "no", "indifferent"], [yes, (1 - yes) * 0.6, (1 - yes) * 0.4])[0]
        responses.append(ConsultationResponse(consultation=by_compound[cid], unit=u, willingness=w))
    ConsultationResponse.objects.bulk_create(responses, batch_size=5000)
    ctx.say(f"  全区意愿征询: {len(consultations)} 个小区, {len(responses)} 户答复")


def logins(ctx):
    u = User.objects.filter(username=RESIDENT).select_related("unit__building__compound").first()
    if u and u.unit:
        ctx.add_login(
            "居民",
            RESIDENT,
            f"{u.unit.building.compound.name} {u.unit.building.number}"
            f"{u.unit} 住户:意愿征询、点单、表决",
        )
