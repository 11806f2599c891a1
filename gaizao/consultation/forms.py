"""Forms of the participation pages: they parse and check the shape of the
input; the rules live in services.py."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gaizao.accounts.models import User
from gaizao.core.uploads import check_document

from . import tally as T
from .models import Channel, Choice, Willingness

DT_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows
DT_FORMATS = [DT_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kw):
        super().__init__(format=DT_INPUT, **kw)


def local_input(dt) -> str:
    """An aware datetime as a datetime-local input's value, in local time."""
    return timezone.localtime(dt).strftime(DT_INPUT)


def _please_fill(label) -> str:
    return gettext("请填写%(label)s") % {"label": label}


_required = lazy(_please_fill, str)


def datetime_field(label):
    """A vote's opening or closing time (also the plans' vote form)."""
    return forms.DateTimeField(
        label=label,
        input_formats=DT_FORMATS,
        widget=DateTimeLocal(),
        error_messages={"invalid": _("请输入有效的日期时间"), "required": _required(label)},
    )


def _matter_choices():
    # Evaluated when a form is built, so in the request's language.
    return [
        (k, gettext("第%(k)s项 %(name)s") % {"k": k, "name": gettext(v)})
        for k, v in T.MATTERS.items()
    ]


class _Period(forms.Form):
    def clean(self):
        data = super().clean()
        o, c = data.get("opens_at"), data.get("closes_at")
        if o and c and c <= o:
            self.add_error("closes_at", gettext("截止时间应晚于开始时间"))
        return data


class ConsultationForm(_Period):
    title = forms.CharField(
        label=_("标题"), max_length=200, error_messages={"required": _("请填写标题")}
    )
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea)
    opens_at = datetime_field(_("开始时间"))
    closes_at = datetime_field(_("截止时间"))
    with_menu = forms.BooleanField(
        label=_("同时请居民点单(选择完善类、提升类改造项目)"), required=False, initial=True
    )


class VoteForm(_Period):
    matter = forms.TypedChoiceField(
        label=_("表决事项(民法典第二百七十八条)"),
        coerce=int,
        choices=_matter_choices,
        initial=7,
        error_messages={"invalid_choice": _("请选择第 1–9 项表决事项")},
    )
    title = forms.CharField(
        label=_("标题"), max_length=200, required=False, help_text=_("留空则使用事项名称")
    )
    description = forms.CharField(label=_("表决内容说明"), required=False, widget=forms.Textarea)
    opens_at = datetime_field(_("开始时间"))
    closes_at = datetime_field(_("截止时间"))
    notice_days = forms.IntegerField(
        label=_("公示期(天)"),
        min_value=1,
        max_value=60,
        initial=7,
        error_messages={
            "min_value": _("公示期至少 1 天"),
            "max_value": _("公示期最多 60 天"),
            "invalid": _("公示期应为整数天数"),
        },
    )
    record_past = forms.BooleanField(
        label=_("补录已举行的表决"),
        required=False,
        help_text=_("表决已经举行(如上月的纸质表决),现补录到系统:时间可早于现在,须填写原因"),
    )
    past_reason = forms.CharField(
        label=_("补录原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("补录原因最多 500 字")},
    )

    def clean(self):
        data = super().clean()
        if data.get("record_past") and not (data.get("past_reason") or "").strip():
            self.add_error("past_reason", gettext("补录已举行的表决须填写补录原因"))
        return data


class IdList(forms.Field):
    """The ticked catalogue items of a menu (checkboxes named `items`): ids
    as strings, kept as posted so that a form shown again keeps them."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [str(v) for v in (value or []) if str(v).strip()]


class ResponseForm(forms.Form):
    willingness = forms.ChoiceField(
        label=_("您是否同意本小区进行改造?"),
        choices=Willingness.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择是否同意改造")},
    )
    contribution_yuan = forms.DecimalField(
        label=_("您愿意出资多少元?(可不填)"),
        required=False,
        min_value=0,
        max_value=10_000_000,
        decimal_places=2,
        error_messages={"invalid": _("出资金额应为数字"), "min_value": _("出资金额不能为负数")},
    )
    contribution_per_m2 = forms.DecimalField(
        label=_("或按每平方米出资多少元?(可不填)"),
        required=False,
        min_value=0,
        max_value=100_000,
        decimal_places=2,
        error_messages={"invalid": _("应为数字"), "min_value": _("不能为负数")},
    )
    note = forms.CharField(
        label=_("意见建议(可不填)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    items = IdList(required=False)

    def clean(self):
        data = super().clean()
        if (
            data.get("contribution_yuan") is not None
            and data.get("contribution_per_m2") is not None
        ):
            self.add_error(
                "contribution_per_m2",
                gettext("出资金额请只填一种:按户出资(元)或按每平方米出资(元/㎡)"),
            )
        return data


def photo_problem(f) -> str | None:
    """What is wrong with an uploaded ballot sheet (photo or PDF scan), if
    anything: judged by its first bytes, not its name or the browser's
    content type (services check again and name the file by its real type)."""
    _ext, problem = check_document(f, allow_pdf=True)
    return problem


class BallotEntryForm(forms.Form):
    # The unit is picked from the search results (unit), or resolved from the
    # typed house number (q) within the chosen building.
    building = forms.IntegerField(label=_("楼栋"), required=False)
    q = forms.CharField(label=_("房号"), required=False, max_length=40)
    unit = forms.IntegerField(label=_("房屋"), required=False)
    choice = forms.ChoiceField(
        label=_("表决意见"),
        choices=Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择表决意见(同意/反对/弃权)")},
    )
    channel = forms.ChoiceField(
        label=_("方式"),
        choices=[(Channel.PAPER, _("纸质表决票")), (Channel.ASSISTED, _("代为录入(居民口头表示)"))],
        initial=Channel.PAPER,
        error_messages={"invalid_choice": _("方式应为纸质表决票或代为录入")},
    )
    sheet_photo = forms.FileField(label=_("表决票照片(纸质票必传)"), required=False)
    # Assisted ballots: the username of a second staff member who witnessed.
    witness = forms.CharField(label=_("见证人账号"), required=False, max_length=150)

    def clean_witness(self):
        name = (self.cleaned_data.get("witness") or "").strip()
        if not name:
            return None
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(gettext("见证人账号“%(name)s”不存在") % {"name": name})
        return user

    def clean_sheet_photo(self):
        f = self.cleaned_data.get("sheet_photo")
        if f and (problem := photo_problem(f)):
            raise forms.ValidationError(problem)
        return f

    def clean(self):
        data = super().clean()
        if not data.get("unit") and not (data.get("q") or "").strip():
            self.add_error("q", gettext("请输入房号,如 302 或 1-302(单元-房号)"))
        return data


def now_local_str(delta_days: int = 0) -> str:
    return local_input(timezone.now() + timedelta(days=delta_days))


# ------------------------------------------------------------------ pages
# The forms below only parse the shape of what was posted: the services
# check the values and word the errors (one place for each rule), so the
# fields are lenient here (required=False, not stripped).


def _text(max_length=None):
    return forms.CharField(required=False, strip=False, max_length=max_length)


class CodeForm(forms.Form):
    code = _text()


class PhoneLoginForm(forms.Form):
    phone = _text()
    pin = _text()


class BindPhoneForm(forms.Form):
    phone = _text()
    pin = _text()
    pin2 = _text()

    def clean(self):
        data = super().clean()
        if data.get("pin", "") != data.get("pin2", ""):
            raise forms.ValidationError(gettext("两次输入的密码不一致"))
        return data


class UnitPickForm(forms.Form):
    """One unit id (letters: print one unit's letter; revoke its code)."""

    unit = forms.IntegerField(required=False, min_value=1)


class ChoiceForm(forms.Form):
    choice = _text()


class ConflictResolveForm(forms.Form):
    resolution = _text()
    reason = _text()
    evidence = forms.FileField(required=False)


class ObjectionForm(forms.Form):
    text = _text()


class ObjectionReplyForm(forms.Form):
    reply = _text()
    state = _text()


class OverturnForm(forms.Form):
    reason = _text()


class RetallyForm(forms.Form):
    building = forms.IntegerField(required=False)
    q = _text()
    choice = _text()
    reason = _text()
    sheet_photo = forms.FileField(required=False)

    def clean_building(self):
        # A building that is not a number means "any building", as before.
        return self.cleaned_data.get("building")

    def clean_sheet_photo(self):
        f = self.cleaned_data.get("sheet_photo")
        if f and (problem := photo_problem(f)):
            raise forms.ValidationError(problem)
        return f


class AssistUnitForm(forms.Form):
    """The unit staff fill a survey in for (posted, or picked by a link)."""

    unit = _text()


def _law_choices():
    return [("", gettext("按截止日期确定"))] + [(k, gettext(v)) for k, v in T.LAW_CHOICES]


class SheetTallyForm(forms.Form):
    """Check a paper tally sheet: the tally is shown, nothing is stored."""

    sheet = forms.FileField(
        label=_("表决统计表(.xlsx 或 .csv,每户一行)"),
        error_messages={"required": _("请选择表决统计表文件")},
    )
    law = forms.ChoiceField(
        label=_("适用法律"),
        required=False,
        choices=_law_choices,
    )
    item = forms.IntegerField(
        label=_("表决事项(按适用法律自己的项号)"),
        min_value=1,
        max_value=9,
        help_text=_("民法典第二百七十八条第一款第 1–9 项;物权法第七十六条第一款第 1–7 项"),
        error_messages={
            "required": _("请填写表决事项的项号"),
            "min_value": _("项号应为 1–9"),
            "max_value": _("项号应为 1–9"),
            "invalid": _("项号应为整数"),
        },
    )
    opens = forms.DateField(
        label=_("表决开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效的日期")},
    )
    closes = forms.DateField(
        label=_("表决截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效的日期")},
    )
    developer = forms.CharField(
        label=_("开发建设单位名称(可不填)"),
        required=False,
        max_length=200,
        help_text=_("须与“业主”列中的名称完全一致;表中有“未售”列时可不填"),
    )


class MeetingRulesForm(forms.Form):
    deemed_consent = forms.BooleanField(
        label=_("本小区议事规则规定:未参与表决的业主视为同意"), required=False
    )
    adopted_on = forms.DateField(
        label=_("议事规则通过日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写议事规则通过日期"), "invalid": _("请输入有效的日期")},
    )
    source = forms.CharField(
        label=_("条款出处"),
        max_length=300,
        help_text=_("如《天祥小区业主大会议事规则》第十八条"),
        error_messages={"required": _("请填写条款出处")},
    )


class VoteEditForm(_Period):
    """Edit a draft vote (nothing announced yet): its wording and dates."""

    title = forms.CharField(
        label=_("标题"), max_length=200, error_messages={"required": _("请填写标题")}
    )
    description = forms.CharField(label=_("表决内容说明"), required=False, widget=forms.Textarea)
    opens_at = datetime_field(_("开始时间"))
    closes_at = datetime_field(_("截止时间"))
    notice_days = forms.IntegerField(
        label=_("公示期(天)"),
        min_value=1,
        max_value=60,
        error_messages={
            "min_value": _("公示期至少 1 天"),
            "max_value": _("公示期最多 60 天"),
            "invalid": _("公示期应为整数天数"),
        },
    )


class VoteCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("取消原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写取消原因")},
    )
