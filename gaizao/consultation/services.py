"""Writes for resident participation (STYLE.md habit 2): household access
codes, willingness surveys and item menus, votes and ballots. Every write is
validated, runs in a transaction and is audited; errors are DomainError with a
Chinese message."""

import hashlib
import hmac
import re
import secrets
import unicodedata
import uuid
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.accounts.models import Role, User
from gaizao.core import audit
from gaizao.core.errors import DomainError, ErrorDetail
from gaizao.core.uploads import check_document
from gaizao.inventory.models import Compound, Unit

from . import selectors
from . import tally as T
from .models import (
    AccessAttempt,
    AccessCode,
    Ballot,
    BallotConflict,
    Channel,
    Choice,
    Consultation,
    ConsultationResponse,
    MenuChoice,
    Objection,
    Vote,
    Willingness,
)
from .permissions import can_do

# ---------------------------------------------------------------- access codes

# No 0/O, 1/I/L: a code read aloud over the phone or copied from paper by an
# elderly resident must not be ambiguous.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
ATTEMPT_LIMIT = 10
ATTEMPT_WINDOW = timedelta(minutes=15)


class DuplicateBallot(DomainError):
    """A unit already has a ballot in this vote (HTTP 409 at the API edge)."""


def _pepper() -> bytes:
    return hashlib.sha256(b"gaizao-access-code:" + settings.SECRET_KEY.encode()).digest()


def normalize_code(raw: str) -> str:
    """Full-width letters and digits, spaces, dashes and lower case are accepted."""
    s = unicodedata.normalize("NFKC", raw or "").upper()
    return re.sub(r"[^A-Z0-9]", "", s)


def hash_code(raw: str) -> str:
    return hmac.new(_pepper(), normalize_code(raw).encode(), hashlib.sha256).hexdigest()


def generate_code() -> str:
    s = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
    return f"{s[:4]}-{s[4:]}"


def access_codes_issue(*, actor, building, units=None) -> list[tuple[Unit, str]]:
    """New codes for the units of a building (or the given units of it); each
    unit's earlier unused code is revoked. Returns (unit, raw code) pairs: the
    raw codes exist only in this return value."""
    if not can_do(actor, "access.issue"):
        raise DomainError(_("您的角色无权发放入户码"))
    qs = building.units.all().order_by("entrance", "number")
    if units is not None:
        qs = qs.filter(pk__in=[u.pk if hasattr(u, "pk") else u for u in units])
    targets = list(qs)
    if not targets:
        raise DomainError(_("该楼栋没有登记房屋,无法发放入户码"))
    now = timezone.now()
    out = []
    with transaction.atomic():
        AccessCode.objects.filter(
            unit__in=targets, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        for unit in targets:
            raw = generate_code()
            AccessCode.objects.create(unit=unit, code_hash=hash_code(raw), issued_by=actor)
            out.append((unit, raw))
        audit.record(
            actor=actor,
            instance=building,
            action="update",
            changes={"access_codes_issued": len(out)},
        )
    return out


def access_code_revoke(*, actor, unit) -> int:
    if not can_do(actor, "access.issue"):
        raise DomainError(_("您的角色无权作废入户码"))
    with transaction.atomic():
        n = AccessCode.objects.filter(
            unit=unit, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        audit.record(
            actor=actor, instance=unit, action="update", changes={"access_codes_revoked": n}
        )
    return n


def _too_many_attempts(ip: str, kind: str) -> bool:
    since = timezone.now() - ATTEMPT_WINDOW
    return AccessAttempt.objects.filter(ip=ip, kind=kind, at__gte=since).count() >= ATTEMPT_LIMIT


def _fail(ip: str, kind: str, message: str):
    AccessAttempt.objects.create(ip=ip or "?", kind=kind)
    raise DomainError(message, code="access_denied")


TOO_MANY = gettext_lazy("错误次数过多,请 15 分钟后再试,或联系社区居委会。")


def resident_user_for_unit(unit: Unit) -> User:
    """The household's account: reuse the unit's resident user, else create one."""
    user = User.objects.filter(role=Role.RESIDENT, unit=unit).order_by("id").first()
    if user is None:
        user = User.objects.create_user(
            username=f"hh{unit.pk}",
            password=None,
            role=Role.RESIDENT,
            unit=unit,
            display_name=f"{unit.building.number}{unit}住户",
        )
    elif not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def access_code_redeem(*, code: str, ip: str) -> User:
    """Trade a one-time household code for the household's account."""
    ip = ip or "?"
    if _too_many_attempts(ip, "code"):
        raise DomainError(str(TOO_MANY), code="rate_limited")
    norm = normalize_code(code)
    if len(norm) != CODE_LENGTH:
        _fail(ip, "code", _("入户码应为 8 位字母和数字(如 ABCD-EFGH),请核对通知书上的入户码。"))
    with transaction.atomic():
        ac = (
            AccessCode.objects.select_for_update()
            .select_related("unit__building")
            .filter(code_hash=hash_code(norm))
            .first()
        )
        if ac is not None and ac.state == "live":
            user = resident_user_for_unit(ac.unit)
            ac.used_at = timezone.now()
            ac.used_by = user
            ac.save(update_fields=["used_at", "used_by", "updated_at"])
            audit.record(actor=user, instance=ac, action="update", changes={"used": True})
            return user
    if ac is None:
        _fail(ip, "code", _("入户码不正确,请核对通知书上的入户码。"))
    if ac.state == "used":
        _fail(
            ip, "code", _("此入户码已经使用过。请用绑定的手机号和密码登录,或请社区重新发放入户码。")
        )
    _fail(ip, "code", _("此入户码已作废,请使用社区最新发放的入户码。"))


PHONE_RE = re.compile(r"^1\d{10}$")
PIN_RE = re.compile(r"^\d{6}$")


def resident_set_login(*, user: User, phone: str, pin: str) -> None:
    """Bind a phone number and a 6-digit PIN so the household can sign in again."""
    phone = unicodedata.normalize("NFKC", phone or "").strip().replace(" ", "").replace("-", "")
    pin = unicodedata.normalize("NFKC", pin or "").strip()
    if user.role != Role.RESIDENT or user.unit_id is None:
        raise DomainError(_("只有居民账号可以绑定手机号"))
    if not PHONE_RE.match(phone):
        raise DomainError(_("手机号应为 11 位数字,以 1 开头"))
    if not PIN_RE.match(pin):
        raise DomainError(_("密码应为 6 位数字"))
    if User.objects.filter(role=Role.RESIDENT, phone=phone).exclude(pk=user.pk).exists():
        raise DomainError(_("该手机号已绑定其他房屋。一个手机号只能绑定一户;如需更换请联系社区。"))
    with transaction.atomic():
        user.phone = phone
        user.set_password(pin)
        user.save(update_fields=["phone", "password"])
        audit.record(actor=user, instance=user, action="update", changes={"phone_bound": True})


def resident_phone_login(*, phone: str, pin: str, ip: str) -> User:
    ip = ip or "?"
    if _too_many_attempts(ip, "pin"):
        raise DomainError(str(TOO_MANY), code="rate_limited")
    phone = unicodedata.normalize("NFKC", phone or "").strip().replace(" ", "")
    pin = unicodedata.normalize("NFKC", pin or "").strip()
    user = (
        User.objects.filter(
            role=Role.RESIDENT, phone=phone, is_active=True, unit__isnull=False
        ).first()
        if phone
        else None
    )
    if user is None or not user.check_password(pin):
        _fail(ip, "pin", _("手机号或密码不正确。忘记密码请联系社区重新发放入户码。"))
    return user


# ------------------------------------------------------ surveys and item menu


def _require(actor, action: str, message: str):
    if not can_do(actor, action):
        raise DomainError(message)


def consultation_create(
    *,
    actor,
    compound,
    title: str,
    opens_at,
    closes_at,
    description: str = "",
    with_menu: bool = True,
) -> Consultation:
    _require(actor, "consultation.manage", _("您的角色无权发起意愿征询"))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写征询标题"))
    if not opens_at or not closes_at or closes_at <= opens_at:
        raise DomainError(_("截止时间应晚于开始时间"))
    with transaction.atomic():
        # The compound row lock makes two simultaneous creations queue here,
        # so the second one sees the first.
        Compound.objects.select_for_update().filter(pk=compound.pk).first()
        _refuse_overlapping_consultation(compound, opens_at, closes_at)
        c = Consultation.objects.create(
            compound=compound,
            title=title[:200],
            description=description or "",
            opens_at=opens_at,
            closes_at=closes_at,
            with_menu=with_menu,
            created_by=actor,
        )
        audit.record(actor=actor, instance=c, action="create", changes={"compound": compound.pk})
    return c


def _refuse_overlapping_consultation(compound, opens_at, closes_at) -> None:
    """A second survey while one runs would become the "latest" survey and
    reset the willingness evidence (selectors.latest_consultation) with a few
    early answers. One survey of a compound at a time: refuse a new one whose
    period overlaps one that has not closed yet."""
    now = timezone.now()
    other = (
        Consultation.objects.filter(
            compound=compound, closes_at__gt=max(now, opens_at), opens_at__lt=closes_at
        )
        .order_by("opens_at", "id")
        .first()
    )
    if other is None:
        return
    fmt = {
        "title": other.title,
        "opens": f"{timezone.localtime(other.opens_at):%Y-%m-%d %H:%M}",
        "closes": f"{timezone.localtime(other.closes_at):%Y-%m-%d %H:%M}",
    }
    if other.opens_at <= now:
        raise DomainError(
            _(
                "本小区已有正在进行的意愿征询:“%(title)s”(截止 %(closes)s),"
                "请待其结束后再发起新的征询"
            )
            % fmt
        )
    raise DomainError(
        _("本小区已安排意愿征询:“%(title)s”(%(opens)s 至 %(closes)s),与本次时间重叠,请调整时间")
        % fmt
    )


def _decimal(value, label: str, *, max_value: Decimal) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(unicodedata.normalize("NFKC", str(value)).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(label)s应为数字") % {"label": label})
    if not d.is_finite() or d < 0:
        raise DomainError(_("%(label)s不能为负数") % {"label": label})
    if d > max_value:
        raise DomainError(
            _("%(label)s过大,请核对(最多 %(max_value)s)") % {"label": label, "max_value": max_value}
        )
    return d.quantize(Decimal("0.01"))


def consultation_respond(
    *,
    actor,
    consultation: Consultation,
    unit: Unit,
    willingness: str,
    contribution_yuan=None,
    contribution_per_m2=None,
    item_ids=(),
    note: str = "",
    assisted: bool = False,
) -> ConsultationResponse:
    """One household's answer (create or change while the survey is open).
    assisted: community staff fill it in for a resident who cannot."""
    if assisted:
        _require(actor, "ballot.enter", _("您的角色无权代居民填写"))
    elif actor.role != Role.RESIDENT or actor.unit_id != unit.pk:
        raise DomainError(_("只能为本户填写"))
    if unit.building.compound_id != consultation.compound_id:
        raise DomainError(_("该房屋不属于本次征询的小区"))
    if not consultation.is_open():
        raise DomainError(_("本次征询不在填写时间内(已截止或尚未开始)"))
    if willingness not in Willingness.values:
        raise DomainError(_("请选择是否同意改造"))
    yuan = _decimal(contribution_yuan, _("愿意出资金额"), max_value=Decimal("10000000"))
    per_m2 = _decimal(contribution_per_m2, _("每平方米出资"), max_value=Decimal("100000"))
    if yuan is not None and per_m2 is not None:
        # The form asks for one or the other (元 或 元/㎡): both would be
        # counted twice in the contribution totals.
        raise DomainError(
            _("出资金额请只填一种:按户出资(元)或按每平方米出资(元/㎡)"),
            errors=[ErrorDetail(_("出资金额请只填一种"), field="contribution_per_m2")],
        )
    wanted = []
    try:
        ids = sorted({int(i) for i in item_ids or ()})
    except (TypeError, ValueError):
        raise DomainError(_("点单项目无效"))
    if ids:
        if not consultation.with_menu:
            raise DomainError(_("本次征询不含居民点单"))
        menu = {m["id"]: m for m in selectors.menu_items(consultation.compound)}
        unknown = [i for i in ids if i not in menu]
        if unknown:
            raise DomainError(_("所选项目不在本小区的点单目录中,请刷新页面后重选"))
        wanted = [menu[i] for i in ids]
    with transaction.atomic():
        resp, created = ConsultationResponse.objects.update_or_create(
            consultation=consultation,
            unit=unit,
            defaults={
                "willingness": willingness,
                "contribution_yuan": yuan,
                "contribution_per_m2": per_m2,
                "note": (note or "").strip()[:500],
                "entered_by": actor,
                "assisted_by": actor if assisted else None,
            },
        )
        resp.choices.all().delete()
        MenuChoice.objects.bulk_create(
            [
                MenuChoice(
                    response=resp,
                    catalog_item_id=m["id"],
                    code=m["code"][:32],
                    name=m["name"][:200],
                    tier=m["tier"][:16],
                    unit=(m["unit"] or "")[:16],
                    unit_cost=m["unit_cost"],
                )
                for m in wanted
            ]
        )
        audit.record(
            actor=actor,
            instance=resp,
            action="create" if created else "update",
            changes={"willingness": willingness, "items": ids, "assisted": assisted},
        )
    return resp


# ------------------------------------------------------------------- votes


def vote_create(
    *,
    actor,
    compound,
    matter: int,
    title: str,
    opens_at,
    closes_at,
    description: str = "",
    notice_days: int = 7,
    record_past: bool = False,
    past_reason: str = "",
) -> Vote:
    """A new vote (draft). Its closing time must lie ahead, unless it records
    a vote already held (record_past, with the reason why): otherwise staff
    could open a vote that nobody can take part in, or backdate one."""
    _require(actor, "vote.manage", _("您的角色无权发起业主表决"))
    try:
        matter = int(matter)
    except (TypeError, ValueError):
        raise DomainError(_("请选择表决事项(第 1–9 项)"))
    if matter not in T.MATTERS:
        raise DomainError(_("表决事项应为《民法典》第二百七十八条第一款第 1–9 项之一"))
    title = (title or "").strip() or T.MATTERS[matter]
    if not opens_at or not closes_at or closes_at <= opens_at:
        raise DomainError(_("截止时间应晚于开始时间"))
    past_reason = (past_reason or "").strip()
    if record_past:
        if not past_reason:
            raise DomainError(
                _("补录已举行的表决须填写补录原因"),
                errors=[ErrorDetail(_("请填写补录原因"), field="past_reason")],
            )
        if len(past_reason) > 500:
            raise DomainError(_("补录原因最多 500 字"))
    else:
        past_reason = ""
        if closes_at <= timezone.now():
            raise DomainError(
                _(
                    "截止时间已过,不能发起表决。如是补录已举行的表决,请勾选“补录已举行的表决”并填写原因"
                ),
                errors=[ErrorDetail(_("截止时间应晚于现在"), field="closes_at")],
            )
    if not 1 <= int(notice_days) <= 60:
        raise DomainError(_("公示期应为 1–60 天"))
    law = T.law_for_date(timezone.localtime(opens_at).date())
    with transaction.atomic():
        # One running decision per matter and compound: a second press of
        # "发起表决" (or a second colleague) must not give residents two
        # ballots for one legal decision. The compound row lock serialises it.
        Compound.objects.select_for_update().filter(pk=compound.pk).first()
        running = (
            Vote.objects.filter(compound=compound, matter=matter, status__in=["draft", "open"])
            .order_by("id")
            .first()
        )
        if running is not None:
            raise DomainError(
                _("本小区已有第 %(n)s 项事项尚未结束的表决:“%(title)s”,请勿重复发起")
                % {"n": matter, "title": running.title},
                code="vote_exists",
            )
        v = Vote.objects.create(
            compound=compound,
            matter=matter,
            title=title[:200],
            description=description or "",
            law=law,
            opens_at=opens_at,
            closes_at=closes_at,
            notice_days=notice_days,
            past_reason=past_reason,
            created_by=actor,
        )
        changes = {"matter": matter, "law": law}
        if past_reason:
            changes["past_reason"] = past_reason
        audit.record(actor=actor, instance=v, action="create", changes=changes)
    return v


def _locked(vote_id, *, shared: bool) -> Vote:
    """Lock the vote row. Ballots take a SHARE lock (they may run side by side);
    closing takes an exclusive lock, so that no ballot is inserted into a vote
    after its status was read as open and before the tally is stored."""
    if shared and connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT 1 FROM consultation_vote WHERE id = %s FOR SHARE", [vote_id])
        return Vote.objects.get(pk=vote_id)
    return Vote.objects.select_for_update().get(pk=vote_id)


def vote_open(*, actor, vote: Vote, record_past: bool = False) -> Vote:
    """Open a draft vote. A vote whose closing time has passed opens only as
    the record of a vote already held (created with record_past and a
    reason); record_past here only confirms that the caller means it."""
    _require(actor, "vote.manage", _("您的角色无权开启表决"))
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        if v.status != Vote.Status.DRAFT:
            raise DomainError(_("只有草稿状态的表决可以开启"))
        if record_past and not v.past_reason:
            raise DomainError(_("该表决不是补录的表决(建立时未填写补录原因),不能按补录开启"))
        if v.closes_at <= timezone.now() and not v.past_reason:
            raise DomainError(
                _("表决截止时间(%(closes)s)已过,不能开启。请修改时间后重新建立表决")
                % {"closes": f"{timezone.localtime(v.closes_at):%Y-%m-%d %H:%M}"}
            )
        if not selectors.compound_units(v.compound_id).exists():
            raise DomainError(_("该小区没有登记房屋,无法表决"))
        v.status = Vote.Status.OPEN
        v.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor, instance=v, action="update", changes={"status": ["draft", "open"]}
        )
    return v


def _sheet_file(f):
    """A ballot sheet photo or PDF scan, checked by its first bytes (an HTML
    or SVG file passed off as a photo would be served back from our site)
    and renamed after what it really is; DomainError otherwise."""
    if not f:
        return None
    ext, problem = check_document(f, allow_pdf=True)
    if problem:
        raise DomainError(problem, errors=[ErrorDetail(problem, field="sheet_photo")])
    f.name = f"{uuid.uuid4().hex}{ext}"
    return f


def ballot_cast(
    *,
    actor,
    vote: Vote,
    unit: Unit,
    choice: str,
    channel: str = Channel.ONLINE,
    sheet_photo=None,
    now=None,
) -> Ballot:
    """Record a unit's ballot. Online: the resident of that unit while the vote
    is open. Paper (with the sheet photo) and assisted: staff, while the vote
    is open (also after the closing time, until it is tallied). A second ballot
    for the unit is refused (the database constraint decides, so concurrent
    submissions cannot both count) and kept as a BallotConflict."""
    now = now or timezone.now()
    if choice not in Choice.values:
        raise DomainError(_("请选择 同意、反对 或 弃权"))
    if channel not in Channel.values:
        raise DomainError(_("表决方式无效"))
    if channel == Channel.ONLINE:
        if actor.role != Role.RESIDENT or actor.unit_id != unit.pk:
            raise DomainError(_("只能为本户表决"))
    else:
        _require(actor, "ballot.enter", _("您的角色无权录入表决票"))
        if channel == Channel.PAPER and not sheet_photo:
            raise DomainError(_("录入纸质表决票须上传表决票照片"))
    sheet_photo = _sheet_file(sheet_photo)
    if unit.building.compound_id != vote.compound_id:
        raise DomainError(_("该房屋不属于本次表决的小区"))
    with transaction.atomic():
        v = _locked(vote.pk, shared=True)
        if v.status != Vote.Status.OPEN:
            raise DomainError(_("表决未开启或已结束计票,不能再投票"))
        if channel == Channel.ONLINE and not v.accepts_online(now):
            raise DomainError(_("不在线上表决时间内(已截止或尚未开始)"))
        try:
            with transaction.atomic():
                b = Ballot.objects.create(
                    vote=v,
                    unit=unit,
                    choice=choice,
                    channel=channel,
                    entered_by=actor,
                    assisted_by=actor if channel == Channel.ASSISTED else None,
                    sheet_photo=sheet_photo or "",
                    cast_at=now,
                )
        except IntegrityError:
            b = None
        if b is None:
            BallotConflict.objects.create(
                vote=v,
                unit=unit,
                attempted_choice=choice,
                channel=channel,
                attempted_by=actor,
                sheet_photo=sheet_photo or "",
                attempted_at=now,
            )
    if b is None:
        # Raised after the transaction committed, so the conflict record stays.
        if channel == Channel.ONLINE:
            raise DuplicateBallot(
                _("%(building)s%(unit)s 已经投过票,不能重复表决。如需更正,请联系社区工作人员处理。")
                % {"building": unit.building.number, "unit": unit},
                code="duplicate",
            )
        # Staff entering a sheet are the ones who resolve it: say what the
        # first ballot was and where the second one went.
        first = Ballot.objects.filter(vote_id=vote.pk, unit=unit).first()
        raise DuplicateBallot(
            _(
                "%(building)s%(unit)s 该户已有表决票(%(choice)s,%(channel)s,%(at)s),"
                "本张已记为冲突待处理,请在“重复表决票”中选择保留或替换"
            )
            % {
                "building": unit.building.number,
                "unit": unit,
                "choice": first.get_choice_display() if first else "—",
                "channel": first.get_channel_display() if first else "—",
                "at": f"{timezone.localtime(first.cast_at):%Y-%m-%d %H:%M}" if first else "—",
            },
            code="duplicate",
        )
    return b


def conflict_resolve(*, actor, conflict: BallotConflict, resolution: str) -> BallotConflict:
    _require(actor, "vote.manage", _("您的角色无权处理重复表决票"))
    if resolution not in BallotConflict.Resolution.values:
        raise DomainError(_("请选择处理方式"))
    with transaction.atomic():
        v = _locked(conflict.vote_id, shared=False)
        c = BallotConflict.objects.select_for_update().get(pk=conflict.pk)
        if c.resolution:
            raise DomainError(_("该重复表决票已处理"))
        if v.status != Vote.Status.OPEN:
            raise DomainError(_("表决已计票,不能再处理重复表决票"))
        changes = {"resolution": resolution}
        if resolution == BallotConflict.Resolution.REPLACE:
            b = Ballot.objects.select_for_update().get(vote=v, unit_id=c.unit_id)
            before = audit.snapshot(b, ["choice", "channel", "entered_by", "assisted_by"])
            b.choice, b.channel, b.entered_by = c.attempted_choice, c.channel, c.attempted_by
            b.assisted_by = c.attempted_by if c.channel == Channel.ASSISTED else None
            b.sheet_photo = c.sheet_photo
            b.cast_at = c.attempted_at
            b.save()
            changes["ballot"] = audit.diff(
                before, audit.snapshot(b, ["choice", "channel", "entered_by", "assisted_by"])
            )
        c.resolution, c.resolved_by, c.resolved_at = resolution, actor, timezone.now()
        c.save(update_fields=["resolution", "resolved_by", "resolved_at"])
        audit.record(actor=actor, instance=c, action="update", changes=changes)
    return c


def _tally_data(v: Vote) -> tuple[dict, bool]:
    """The stored result of a vote: the tally of its ballots now, with the
    displayed shares and the ballot count (no personal data)."""
    result = selectors.vote_tally(v)
    base_participating = T.RULE_SETS[v.law].base == "participating"
    data = result.as_dict()
    data["rule"] = result.rule
    data["shares"] = {
        "area_participating": T.percent(result.area_participating, result.area_total),
        "owners_participating": T.percent(result.owners_participating, result.owners_total),
        "area_agreeing": T.percent(
            result.area_agreeing,
            result.area_participating if base_participating else result.area_total,
        ),
        "owners_agreeing": T.percent(
            result.owners_agreeing,
            result.owners_participating if base_participating else result.owners_total,
        ),
    }
    data["ballots"] = Ballot.objects.filter(vote=v).count()
    return data, result.passed


def vote_close(*, actor, vote: Vote, now=None) -> Vote:
    """Stop the vote and store the tally (under the law the vote was held under)."""
    _require(actor, "vote.manage", _("您的角色无权计票"))
    now = now or timezone.now()
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        if v.status != Vote.Status.OPEN:
            raise DomainError(_("只有表决中的表决可以计票"))
        if now < v.closes_at:
            raise DomainError(_("表决截止时间未到,不能计票"))
        n = BallotConflict.objects.filter(vote=v, resolution="").count()
        if n:
            raise DomainError(_("还有 %(n)s 张重复表决票未处理,请先处理再计票") % {"n": n})
        data, passed = _tally_data(v)
        v.result, v.passed = data, passed
        v.status, v.closed_at = Vote.Status.CLOSED, now
        v.save(update_fields=["result", "passed", "status", "closed_at", "updated_at"])
        audit.record(
            actor=actor,
            instance=v,
            action="update",
            changes={"status": ["open", "closed"], "passed": passed},
        )
    return v


def vote_publish(*, actor, vote: Vote) -> Vote:
    _require(actor, "vote.manage", _("您的角色无权公示表决结果"))
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        if v.status != Vote.Status.CLOSED:
            raise DomainError(_("只有已计票的表决可以公示"))
        now = timezone.now()
        v.status, v.published_at = Vote.Status.PUBLISHED, now
        v.notice_ends_at = now + timedelta(days=v.notice_days)
        v.save(update_fields=["status", "published_at", "notice_ends_at", "updated_at"])
        audit.record(
            actor=actor, instance=v, action="update", changes={"status": ["closed", "published"]}
        )
    return v


def objection_add(*, actor, vote: Vote, text: str) -> Objection:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写异议内容"))
    if len(text) > 2000:
        raise DomainError(_("异议内容最多 2000 字"))
    if not (actor.role == Role.RESIDENT or can_do(actor, "vote.follow")):
        raise DomainError(_("您的角色无权提出异议"))
    if vote.overturned:
        raise DomainError(_("该表决结果已撤销,不再受理异议"))
    if not vote.in_notice_period:
        if vote.status == Vote.Status.PUBLISHED and vote.notice_ends_at:
            end = timezone.localtime(vote.notice_ends_at)
            raise DomainError(
                _("公示期已于 %(end)s 结束,不再受理异议。如有争议,请联系街道办事处。")
                % {"end": f"{end:%Y-%m-%d %H:%M}"}
            )
        raise DomainError(_("只能在结果公示期内提出异议"))
    with transaction.atomic():
        o = Objection.objects.create(vote=vote, text=text, raised_by=actor)
        audit.record(actor=actor, instance=o, action="create", changes={"vote": vote.pk})
    return o


REPLY_STATES = {
    Objection.State.REPLIED,
    Objection.State.UPHELD,
    Objection.State.REJECTED,
}


def objection_reply(*, actor, objection: Objection, reply: str, state: str) -> Objection:
    """Answer an objection once: 已答复 (explained), 成立 (upheld) or 不成立.
    The answer is part of the public record of the vote, so it is not edited
    afterwards; a wrong answer is corrected by a new objection."""
    _require(actor, "objection.reply", _("您的角色无权答复异议"))
    reply = (reply or "").strip()
    if state not in REPLY_STATES:
        raise DomainError(_("请选择答复结论:已答复、成立 或 不成立"))
    if not reply:
        raise DomainError(_("请填写答复内容"))
    if len(reply) > 2000:
        raise DomainError(_("答复内容最多 2000 字"))
    with transaction.atomic():
        o = Objection.objects.select_for_update().get(pk=objection.pk)
        if o.state != Objection.State.PENDING:
            raise DomainError(_("该异议已答复,不能重复答复"))
        o.reply, o.state = reply, state
        o.replied_by, o.replied_at = actor, timezone.now()
        o.save(update_fields=["reply", "state", "replied_by", "replied_at"])
        audit.record(
            actor=actor,
            instance=o,
            action="update",
            changes={"state": ["pending", state], "vote": o.vote_id},
        )
    return o


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写原因"))
    if len(reason) > 500:
        raise DomainError(_("原因最多 500 字"))
    return reason


def _require_upheld(v: Vote) -> None:
    if v.status != Vote.Status.PUBLISHED:
        raise DomainError(_("只有已公示的表决可以撤销或重新计票"))
    if v.overturned:
        raise DomainError(_("该表决结果已撤销"))
    if not Objection.objects.filter(vote=v, state=Objection.State.UPHELD).exists():
        raise DomainError(_("没有答复为“成立”的异议,不能撤销表决结果或重新计票"))


def vote_overturn(*, actor, vote: Vote, reason: str) -> Vote:
    """Set a published result aside after an upheld objection. The plans
    approval gate (selectors.compound_vote_passed) no longer counts it."""
    _require(actor, "vote.overturn", _("您的角色无权撤销表决结果"))
    reason = _reason(reason)
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        _require_upheld(v)
        v.overturned, v.overturned_reason = True, reason
        v.overturned_at, v.overturned_by = timezone.now(), actor
        v.save(
            update_fields=[
                "overturned",
                "overturned_reason",
                "overturned_at",
                "overturned_by",
                "updated_at",
            ]
        )
        audit.record(
            actor=actor,
            instance=v,
            action="update",
            changes={"overturned": [False, True], "reason": reason, "passed": v.passed},
        )
    return v


VOID = "void"


def vote_retally(
    *, actor, vote: Vote, unit: Unit, choice: str, reason: str, sheet_photo=None
) -> Vote:
    """After an upheld objection: correct one unit's ballot (a new choice,
    VOID to strike it, or a paper sheet left out of the count, with its
    photo) and tally again. The new result is published afresh
    with a new notice period; the previous result is kept in the result's
    "corrections" and in the audit trail."""
    _require(actor, "vote.overturn", _("您的角色无权更正表决票"))
    reason = _reason(reason)
    if choice not in (*Choice.values, VOID):
        raise DomainError(_("请选择更正后的意见:同意、反对、弃权 或 作废"))
    if unit.building.compound_id != vote.compound_id:
        raise DomainError(_("该房屋不属于本次表决的小区"))
    sheet_photo = _sheet_file(sheet_photo)
    label = f"{unit.building.number}{unit}"
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        _require_upheld(v)
        b = Ballot.objects.select_for_update().filter(vote=v, unit=unit).first()
        before = b.choice if b else None
        if choice == VOID:
            if b is None:
                raise DomainError(_("%(label)s 没有表决票,无需作废") % {"label": label})
            b.delete()
        elif b is None:
            # A valid paper sheet that was left out of the count.
            if not sheet_photo:
                raise DomainError(
                    _("%(label)s 没有表决票;补计漏计的纸质票须上传表决票照片") % {"label": label}
                )
            Ballot.objects.create(
                vote=v,
                unit=unit,
                choice=choice,
                channel=Channel.PAPER,
                entered_by=actor,
                sheet_photo=sheet_photo,
            )
        else:
            if b.choice == choice:
                raise DomainError(
                    _("%(label)s 的表决票已是“%(label2)s”,无需更正")
                    % {"label": label, "label2": Choice(choice).label}
                )
            b.choice = choice
            b.save(update_fields=["choice"])
        previous = {k: v.result.get(k) for k in ("passed", "owners_agreeing", "area_agreeing")}
        corrections = list(v.result.get("corrections", []))
        data, passed = _tally_data(v)
        now = timezone.now()
        corrections.append(
            {
                "unit": label,
                "from": before,
                "to": None if choice == VOID else choice,
                "reason": reason,
                "at": now.isoformat(),
                "previous": previous,
            }
        )
        data["corrections"] = corrections
        was = v.passed
        v.result, v.passed = data, passed
        v.published_at, v.notice_ends_at = now, now + timedelta(days=v.notice_days)
        v.save(update_fields=["result", "passed", "published_at", "notice_ends_at", "updated_at"])
        audit.record(
            actor=actor,
            instance=v,
            action="update",
            changes={
                "retally": {"unit": unit.pk, "ballot": [before, choice], "reason": reason},
                "passed": [was, passed],
            },
        )
    return v
