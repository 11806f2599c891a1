"""Inventory writes (STYLE.md habit 2): validate, write inside one
transaction, leave an audit entry. Callers (pages, API, commands) have
already fetched the compound through `permissions.get_compound_for_user`;
the services check the role again so no interface can skip it."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core import uploads
from gaizao.core.audit import diff, record, snapshot
from gaizao.core.errors import DomainError, ErrorDetail, Problems
from gaizao.regions.models import Area, Organisation

from . import permissions
from .facilities import BY_CODE, FACILITIES
from .models import Compound, Condition, ConditionPhoto, Rating, Survey
from .scoring import condition_score, grade_zh

# Fields of a compound a user may change (everything but the timestamps).
EDITABLE_FIELDS = [
    "name",
    "street",
    "community",
    "address",
    "built_year",
    "built_date",
    "built_year_approximate",
    "floor_area",
    "building_count",
    "households",
    "is_single_building",
    "in_main_urban_area",
    "management_status",
    "property_company",
    "property_rights_unit",
    "owners_committee",
    "in_shantytown_plan",
    "demolition_planned",
    "demolition_within_years",
    "self_built_area",
    "is_urban_village",
    "investment_yuan",
    "latitude",
    "longitude",
    "note",
]
# FK field → (model, extra filter, label) for ids coming from the API.
_FK = {
    "street": (Area, {"level": Area.Level.STREET}, gettext_lazy("所属街道")),
    "community": (Area, {"level": Area.Level.COMMUNITY}, gettext_lazy("所属社区")),
    "property_company": (
        Organisation,
        {"kind": Organisation.Kind.PROPERTY_COMPANY},
        gettext_lazy("物业服务企业"),
    ),
    "property_rights_unit": (
        Organisation,
        {"kind": Organisation.Kind.PROPERTY_RIGHTS_UNIT},
        gettext_lazy("产权单位"),
    ),
    "owners_committee": (
        Organisation,
        {"kind": Organisation.Kind.OWNERS_COMMITTEE},
        gettext_lazy("业主委员会"),
    ),
}

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS_PER_FACILITY = 10


def _resolve_fk(name: str, value, problems: Problems):
    model, extra, label = _FK[name]
    if value is None or value == "":
        return None
    if isinstance(value, model):
        ok = all(getattr(value, k) == v for k, v in extra.items())
        obj = value if ok else None
    else:
        try:
            obj = model.objects.filter(pk=int(value), **extra).first()
        except (TypeError, ValueError):
            obj = None
    if obj is None:
        problems.add(_("“%(label)s”不存在或类型不对") % {"label": label}, field=name)
    return obj


# Database check constraints of Compound → (field, message in the user's words).
_CONSTRAINTS = {
    "compound_floor_area_positive": ("floor_area", gettext_lazy("建筑面积必须大于 0")),
    "compound_self_built_area_nonnegative": (
        "self_built_area",
        gettext_lazy("居民自建住房面积不能为负数"),
    ),
    "compound_built_year_plausible": ("built_year", gettext_lazy("建成年份应在 1900 至 2100 之间")),
}


def _validation_problems(exc: ValidationError) -> list[ErrorDetail]:
    out: list[ErrorDetail] = []
    for fname, errs in exc.error_dict.items():
        f = None if fname == "__all__" else fname
        for err in errs:
            # Constraint errors carry their name only inside the message text.
            text = " ".join(err.messages)
            name = next(
                (n for n in [*_CONSTRAINTS, "compound_unique_name_in_street"] if n in text), ""
            )
            if err.code == "unique_together" or name == "compound_unique_name_in_street":
                out.append(ErrorDetail(_("该街道已有同名小区"), field="name"))
            elif name in _CONSTRAINTS:
                field, msg = _CONSTRAINTS[name]
                if not any(e.field == field for e in out) and field not in exc.error_dict:
                    out.append(ErrorDetail(str(msg), field=field))
            else:
                out.append(ErrorDetail(text, field=f))
    return out


def compound_update(*, actor, compound: Compound, data: dict, source: str = "web") -> Compound:
    """Change a compound's facts; one audit entry with the changed fields.

    `data` maps field names of EDITABLE_FIELDS to new values; foreign keys may
    be instances or ids. Raises DomainError listing every problem; nothing is
    saved unless everything is valid."""
    if not permissions.can_do(actor, "compound.edit"):
        raise PermissionDenied(_("您的角色无权修改此小区"))
    problems = Problems()
    for k in data:
        if k not in EDITABLE_FIELDS:
            problems.add(_("字段“%(field)s”不能修改") % {"field": k}, field=k)
    if problems:
        raise DomainError(_("修改内容有误"), errors=problems.items)
    with transaction.atomic():
        # Lock the row: two people editing the same compound must not
        # silently overwrite each other's audit "before" values.
        obj = Compound.objects.select_for_update().get(pk=compound.pk)
        before = snapshot(obj)
        for k, v in data.items():
            if k in _FK:
                v = _resolve_fk(k, v, problems)
            setattr(obj, k, v)
        if (
            obj.community_id
            and obj.street_id
            and obj.community is not None
            and not (obj.community.prefix.startswith(obj.street.prefix))
        ):
            problems.add(
                _("社区“%(community)s”不属于街道“%(street)s”")
                % {"community": obj.community, "street": obj.street},
                field="community",
            )
        if problems:
            raise DomainError(_("修改内容有误"), errors=problems.items)
        try:
            obj.full_clean()
        except ValidationError as e:
            raise DomainError(_("修改内容有误"), errors=_validation_problems(e))
        changes = diff(before, snapshot(obj))
        if not changes:
            return obj
        obj.save()
        # A user may not move a compound out of their own jurisdiction.
        if not permissions.compounds_for_user(actor).filter(pk=obj.pk).exists():
            raise DomainError(
                _("修改后小区将不在您的辖区内,未保存"),
                errors=[ErrorDetail(_("不在您的辖区内"), field="street")],
            )
        record(actor=actor, instance=obj, action="update", changes=changes, source=source)
    return obj


def check_photos(photos: dict | None, problems: Problems) -> dict:
    """Validates uploads; returns {facility: [(file, extension)]}."""
    ok: dict = {}
    for code, files in (photos or {}).items():
        fac = BY_CODE.get(code)
        label = _(fac.name) if fac else code
        files = [f for f in files if f]
        if len(files) > MAX_PHOTOS_PER_FACILITY:
            problems.add(
                _("“%(label)s”最多上传 %(n)s 张照片")
                % {"label": label, "n": MAX_PHOTOS_PER_FACILITY},
                field=f"{code}.photos",
            )
            continue
        for f in files:
            ctype = (getattr(f, "content_type", "") or "").lower()
            if f.size > MAX_PHOTO_BYTES:
                problems.add(
                    _("“%(label)s”的照片“%(file)s”超过 10 MB,请压缩后重新上传")
                    % {"label": label, "file": f.name},
                    field=f"{code}.photos",
                )
                continue
            head = f.read(16)
            f.seek(0)
            ext = uploads.image_extension(head)
            if not ctype.startswith("image/") or ext is None:
                problems.add(
                    _("“%(label)s”的文件“%(file)s”不是照片(只接受 JPG、PNG、HEIC、WebP 图片)")
                    % {"label": label, "file": f.name},
                    field=f"{code}.photos",
                )
                continue
            ok.setdefault(code, []).append((f, ext))
    return ok


def survey_create(
    *,
    actor,
    compound: Compound,
    surveyed_on: date | None,
    note: str,
    ratings: dict,
    photos: dict | None = None,
    source: str = "web",
    keep_good_photos: bool = False,
) -> Survey:
    """Record one condition survey (摸底调查).

    keep_good_photos (the phone form): a photo that is not an image or is too
    big does not refuse the survey; the good photos are saved and the
    rejected ones named in `survey.rejected_photos`, so a surveyor never
    re-selects every photo because of one bad file.

    ratings: {facility code: (rating, note)} — every facility of FACILITIES
    must be rated (不适用 is a rating); photos: {facility code: [UploadedFile]}.
    The score is computed from the ratings (inventory.scoring)."""
    if not permissions.can_do(actor, "survey.record"):
        raise PermissionDenied(_("您的角色无权填写摸底调查"))
    problems = Problems()
    if surveyed_on is None:
        problems.add(_("请填写调查日期"), field="surveyed_on")
    elif surveyed_on > timezone.localdate():
        problems.add(_("调查日期不能晚于今天"), field="surveyed_on")
    elif surveyed_on.year < 1990:
        problems.add(_("调查日期有误"), field="surveyed_on")
    if len(note or "") > 5000:
        problems.add(_("总体情况不能超过 5000 字"), field="note")
    valid = set(Rating.values)
    for code in ratings:
        if code not in BY_CODE:
            problems.add(_("未知的设施代码“%(code)s”") % {"code": code}, field=code)
    clean: dict[str, tuple[str, str]] = {}
    for fac in FACILITIES:
        rating, fnote = ratings.get(fac.code) or ("", "")
        fnote = (fnote or "").strip()
        name = _(fac.name)
        if not rating:
            problems.add(_("请选择“%(name)s”的状况") % {"name": name}, field=f"{fac.code}.rating")
        elif rating not in valid:
            problems.add(
                _("“%(name)s”的状况“%(rating)s”无效") % {"name": name, "rating": rating},
                field=f"{fac.code}.rating",
            )
        if len(fnote) > 500:
            problems.add(
                _("“%(name)s”的说明不能超过 500 字") % {"name": name}, field=f"{fac.code}.note"
            )
        clean[fac.code] = (rating, fnote)
    for code in photos or {}:
        if code not in BY_CODE:
            problems.add(_("未知的设施代码“%(code)s”") % {"code": code}, field=code)
    photo_problems = Problems()
    good_photos = check_photos(
        {k: v for k, v in (photos or {}).items() if k in BY_CODE}, photo_problems
    )
    rejected = [p.message for p in photo_problems.items]
    if not keep_good_photos or problems:
        for p in photo_problems.items:
            problems.add(p.message, field=p.field)
        rejected = []
    if problems:
        raise DomainError(
            _("摸底调查有 %(n)s 处需要更正") % {"n": len(problems.items)}, errors=problems.items
        )

    score = condition_score({code: r for code, (r, _n) in clean.items()})
    saved: list[str] = []
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                compound=compound,
                surveyor=actor if getattr(actor, "is_authenticated", False) else None,
                surveyed_on=surveyed_on,
                note=(note or "").strip(),
                score=score,
            )
            conds = Condition.objects.bulk_create(
                [
                    Condition(survey=survey, facility=code, rating=r, note=n)
                    for code, (r, n) in clean.items()
                ]
            )
            by_code = {c.facility: c for c in conds}
            n_photos = 0
            for code, files in good_photos.items():
                for i, (f, ext) in enumerate(files, start=1):
                    p = ConditionPhoto(condition=by_code[code])
                    p.image.save(f"{survey.pk}-{code}-{i}{ext}", f, save=False)
                    saved.append(p.image.name)
                    p.save()
                    n_photos += 1
            record(
                actor=actor,
                instance=survey,
                action="create",
                source=source,
                changes={
                    "score": str(score) if score is not None else None,
                    "grade": grade_zh(score)[1],  # recorded: zh-Hans whatever the request
                    "conditions": len(conds),
                    "photos": n_photos,
                    **({"photos_rejected": len(rejected)} if rejected else {}),
                },
            )
    except Exception:
        # The rows are rolled back; remove the files written for them too.
        for name in saved:
            try:
                default_storage.delete(name)
            except OSError:
                pass
        raise
    survey.rejected_photos = rejected
    return survey
