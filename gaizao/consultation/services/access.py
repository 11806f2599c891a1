"""Household access codes: issue, revoke, redeem; the resident login by phone and PIN."""

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.accounts.models import Role, User
from gaizao.accounts.services import unit_access_end
from gaizao.core import audit, throttle
from gaizao.core.errors import DomainError
from gaizao.core.sorting import unit_key
from gaizao.inventory.models import Unit

from ..models import (
    AccessAttempt,
    AccessCode,
)
from ..permissions import can_do

# ---------------------------------------------------------------- access codes

# No 0/O, 1/I/L: a code read aloud over the phone or copied from paper by an
# elderly resident must not be ambiguous.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
ATTEMPT_LIMIT = 10
ATTEMPT_WINDOW = timedelta(minutes=15)


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
    qs = building.units.all()
    if units is not None:
        qs = qs.filter(pk__in=[u.pk if hasattr(u, "pk") else u for u in units])
    # the letters print 1-2 before 1-10 (issue 13)
    targets = sorted(qs, key=lambda u: unit_key("", u.entrance, u.number))
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
            # A new code cuts off whoever held the old one (issue 9 #1):
            # sessions, API tokens and the bound PIN of the household end.
            unit_access_end(actor=actor, unit_id=unit.pk, reason="code")
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


def _count_attempt(ip: str, kind: str) -> None:
    """Count this attempt before doing anything (issue 9 #8): increment-first
    in the shared limiter, so concurrent attempts cannot slip past the limit
    between a check and an insert."""
    usage = throttle.hit(f"access.{kind}", ip, settings.GAIZAO_ACCESS_RATE)
    if usage.over:
        throttle.refuse(
            usage,
            _("错误次数过多,请 %(n)s 分钟后再试,或联系社区居委会。")
            % {"n": throttle.minutes_left(usage)},
        )


def _fail(ip: str, kind: str, message: str):
    # Kept as the record of failed entries; the limit itself is the limiter's.
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
    _count_attempt(ip, "code")
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
    _count_attempt(ip, "pin")
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
