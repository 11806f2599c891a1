"""Forms for feedback and satisfaction. They only shape input; the rules
(what may be reported, photo checks, stars 1–5) live in services.py."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gaizao.inventory.picking import CompoundField
from gaizao.regions.models import Organisation

from .models import SATISFACTION_ASPECTS, FeedbackCategory, ResponsibleParty


class FeedbackForm(forms.Form):
    category = forms.ChoiceField(
        label=_("问题类别"),
        choices=FeedbackCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择问题类别"), "invalid_choice": _("请选择问题类别")},
    )
    text = forms.CharField(
        label=_("遇到了什么问题"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("例如:3栋门口的沟盖板翘起,老人容易绊倒")}
        ),
        error_messages={
            "required": _("请写明遇到的问题"),
            "max_length": _("问题描述不能超过 2000 字"),
        },
    )
    place = forms.CharField(
        label=_("在哪里(楼栋、位置)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如:3栋2单元门口")}),
    )


class AssistedFeedbackForm(FeedbackForm):
    """Staff recording for a resident (phone call, visit)."""

    # Typed with suggestions, not a drop-down of every compound (habit 18).
    compound = CompoundField(label=_("小区"), error_messages={"required": _("请选择小区")})
    reporter_name = forms.CharField(
        label=_("反映人姓名"), max_length=64, error_messages={"required": _("请填写反映人姓名")}
    )
    reporter_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)

    field_order = ["compound", "reporter_name", "reporter_phone", "category", "text", "place"]

    def __init__(self, *args, compounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if compounds is not None:
            self.fields["compound"].queryset = compounds
        self.fields["category"].widget = forms.Select()
        self.fields["category"].choices = [("", _("请选择"))] + list(FeedbackCategory.choices)


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Staff recording a resident's answer: which household gave it.
    unit = forms.IntegerField(required=False, min_value=1)


_stars = lazy(lambda n: gettext("%(n)s 星") % {"n": n}, str)
STAR_CHOICES = [(i, _stars(i)) for i in range(1, 6)]


class SatisfactionForm(forms.Form):
    comment = forms.CharField(
        label=_("意见建议(可不填)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label in [("overall", _("总体评价"))] + SATISFACTION_ASPECTS:
            self.fields[field] = forms.TypedChoiceField(
                label=label,
                choices=STAR_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": gettext("请为“%(label)s”打星") % {"label": label},
                    "invalid_choice": gettext("请为“%(label)s”打 1–5 星") % {"label": label},
                },
            )
        self.order_fields(["overall"] + [f for f, _label in SATISFACTION_ASPECTS] + ["comment"])

    def star_fields(self):
        return [self[f] for f in ["overall"] + [f for f, _label in SATISFACTION_ASPECTS]]


class OpenEvaluationForm(forms.Form):
    # Typed with suggestions, not a drop-down of every compound (habit 18).
    compound = CompoundField(label=_("小区"), error_messages={"required": _("请选择小区")})
    title = forms.CharField(
        label=_("标题"),
        max_length=128,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("默认:某某小区改造满意度评价")}),
    )

    def __init__(self, *args, compounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if compounds is not None:
            self.fields["compound"].queryset = compounds


class ResponsiblePartyForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=ResponsibleParty.Kind.choices)
    organisation = forms.ModelChoiceField(
        label=_("责任单位"),
        required=False,
        queryset=Organisation.objects.filter(kind__in=["contractor", "utility"]).order_by(
            "kind", "name"
        ),
        empty_label=_("(不指定,由社区受理)"),
    )
