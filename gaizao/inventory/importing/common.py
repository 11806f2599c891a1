"""What every import shares: the preview and result records, who may import where, name matching."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gaizao.accounts.models import Role
from gaizao.core.errors import DomainError, ErrorDetail
from gaizao.regions.models import Area
from gaizao.regions.scope import areas_within

from ..models import Compound
from ..permissions import can_do, compounds_for_user
from .cells import nfkc
from .sheet import ParsedSheet

# zh-Hans labels; pages translate them at display.
KINDS = {"compounds": gettext_noop("小区台账"), "units": gettext_noop("房屋及业主清册")}
DEVELOPER_NAME = "开发建设单位(未售房屋)"
BATCH = 2000


@dataclass
class ImportPreview:
    kind: str
    filename: str
    rows: list[dict]  # parsed rows, each with "action": create | update | unchanged | error
    errors: list[ErrorDetail]
    skipped: list[dict]
    header_row: int | None
    columns: dict[str, str]
    ignored_columns: list[str]
    warnings: list[ErrorDetail] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    target: object = None  # the street (compounds default) or compound (units)
    # Resolved objects for commit, keyed by row number.
    resolved: dict = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_row(self) -> dict:
        out: dict = {}
        for e in self.errors:
            out.setdefault(e.row, []).append(e)
        return out

    def warnings_by_row(self) -> dict:
        out: dict = {}
        for e in self.warnings:
            out.setdefault(e.row, []).append(e)
        return out

    def report(self) -> list[dict]:
        """Per row, what the preview shows and `gaizao import --json` prints:
        the action, each changed field old → new, whether the compound moves
        between communities, the warnings to confirm and the errors."""
        errors, warnings = self.errors_by_row(), self.warnings_by_row()

        def issues(lst):
            return [{"column": e.column, "message": e.message} for e in lst]

        return [
            {
                "row": r["row"],
                "action": r.get("action"),
                "changes": r.get("changes", []),
                "moves": r.get("moves", False),
                "warnings": issues(warnings.get(r["row"], [])),
                "errors": issues(errors.get(r["row"], [])),
            }
            for r in self.rows
        ]


@dataclass
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    extra: dict = field(default_factory=dict)

    def summary(self) -> str:
        n = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if self.kind == "compounds":
            s = _("导入完成:新增小区%(created)s个,更新%(updated)s个,未变化%(unchanged)s个") % n
        else:
            s = _("导入完成:新增房屋%(created)s个,更新%(updated)s个,未变化%(unchanged)s个") % n
        if self.extra.get("owners_created"):
            s += _(",新增业主%(n)s个") % {"n": self.extra["owners_created"]}
        if self.extra.get("buildings_created"):
            s += _(",新增楼栋%(n)s个") % {"n": self.extra["buildings_created"]}
        if self.skipped:
            s += _(",跳过%(n)s行(合计、说明等)") % {"n": self.skipped}
        return s


# ---------------------------------------------------------------- access


def check_may_import(user) -> None:
    """Command-line runs without --user act as the operator (user None)."""
    if user is not None and not can_do(user, "compound.import"):
        raise PermissionDenied(_("您的角色无权导入台账"))


def streets_in_scope(user):
    qs = Area.objects.filter(level=Area.Level.STREET)
    if user is None or user.is_superuser:
        return qs
    area = user.area
    if user.role not in (Role.LEADERSHIP, Role.HOUSING_BUREAU, Role.STREET_OFFICE) or area is None:
        return qs.none()
    return areas_within(area, qs)


def street_for_user(user, code_or_pk) -> Area:
    """The --street / form choice, checked against the user's jurisdiction."""
    if code_or_pk in (None, ""):
        return None
    s = str(code_or_pk).strip()
    lookup = {"code": s} if len(s) == 12 else {"pk": s} if s.isdigit() else {"name": s}
    street = Area.objects.filter(level=Area.Level.STREET, **lookup).first()
    if street is None:
        raise DomainError(_("未找到街道“%(street)s”") % {"street": s})
    if not streets_in_scope(user).filter(pk=street.pk).exists():
        raise DomainError(_("街道“%(street)s”不在您的辖区内") % {"street": street.name})
    return street


def compound_for_import(user, pk) -> Compound:
    qs = Compound.objects.all() if user is None else compounds_for_user(user)
    try:
        return qs.select_related("street").get(pk=pk)
    except (Compound.DoesNotExist, ValueError, TypeError):
        raise DomainError(_("小区(编号 %(pk)s)不存在或不在您的辖区内") % {"pk": pk})


# ---------------------------------------------------------------- names


def street_key(name: str) -> str:
    s = nfkc(name).replace(" ", "")
    for suffix in ("街道办事处", "街道办", "街道", "办事处", "镇人民政府", "乡人民政府"):
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s


def community_key(name: str) -> str:
    s = nfkc(name).replace(" ", "")
    for suffix in (
        "社区居民委员会",
        "社区居委会",
        "居民委员会",
        "社区居委",
        "居委会",
        "社区",
        "村民委员会",
        "村委会",
    ):
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s


def _parsed_preview(kind, parsed: ParsedSheet, filename, target) -> ImportPreview:
    return ImportPreview(
        kind=kind,
        filename=filename,
        rows=parsed.rows,  # the caller's own parse: annotated in place, not copied
        errors=list(parsed.errors),
        skipped=parsed.skipped,
        header_row=parsed.header_row,
        columns=parsed.columns,
        ignored_columns=parsed.ignored_columns,
        warnings=list(parsed.warnings),
        target=target,
    )


def raise_if_unconfirmed(pv: ImportPreview, accept_warnings: bool) -> None:
    if pv.warnings and not accept_warnings:
        raise DomainError(
            _("导入未执行:有%(n)s条提醒需要核对,请确认后再导入(没有写入任何数据)")
            % {"n": len(pv.warnings)},
            errors=pv.warnings,
            code="import_unconfirmed",
        )


def display(value) -> str:
    """A value as the preview shows it in old → new."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def raise_if_errors(pv: ImportPreview) -> None:
    if pv.errors:
        raise DomainError(
            _("导入未执行:发现%(n)s处错误,请修改表格后重新导入(没有写入任何数据)")
            % {"n": len(pv.errors)},
            errors=pv.errors,
            code="import_invalid",
        )
