from django import forms
from django.utils.translation import gettext_lazy

from gaizao.inventory.facilities import FACILITIES

from . import rules
from .models import Determination, Policy
from .services import PARAM_FIELDS

STATUS_CHOICES = [(k, gettext_lazy(v)) for k, v in rules.MANAGEMENT_LABELS.items()]
ENV_CHOICES = [(f.code, gettext_lazy(f.name)) for f in FACILITIES if f.group == "enhancement"]


class PolicyForm(forms.ModelForm):
    criteria = forms.MultipleChoiceField(
        label=gettext_lazy("改造需求判断项"),
        choices=[(k, gettext_lazy(v)) for k, v in rules.CONDITION_LABELS.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    neglect_statuses = forms.MultipleChoiceField(
        label=gettext_lazy("失管:管理状况为"),
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    environment_facilities = forms.MultipleChoiceField(
        label=gettext_lazy("环境脏乱差:检查的设施"),
        choices=ENV_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    poor_management_statuses = forms.MultipleChoiceField(
        label=gettext_lazy("管理落后:管理状况为"),
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Not a model field on the form: the one-default-per-area constraint is
    # kept by the service (it clears the old default in the same transaction).
    is_default = forms.BooleanField(label=gettext_lazy("本辖区默认政策"), required=False)
    exclusions = forms.MultipleChoiceField(
        label=gettext_lazy("排除情形"),
        choices=[(k, gettext_lazy(v)) for k, v in rules.EXCLUSION_LABELS.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Policy
        fields = [f for f in PARAM_FIELDS if f != "is_default"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "built_cutoff": forms.DateInput(attrs={"type": "date"}),
            "extension_cutoff": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(PARAM_FIELDS)
        if self.instance.pk and "is_default" not in self.initial:
            self.initial["is_default"] = self.instance.is_default
        if areas is not None:
            self.fields["area"].queryset = areas
        self.fields["area"].required = True
        self.fields["area"].help_text = gettext_lazy("本政策适用的区划(本辖区或下级)")

    def validate_unique(self):
        # The service numbers versions; (area, name, version) is checked there.
        pass


class DeterminationForm(forms.Form):
    """核实 (kind=verify) or a decision of the leadership office (override).
    The service checks the rest (who may, the verdict, the file's bytes)."""

    kind = forms.ChoiceField(choices=Determination.Kind.choices, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=gettext_lazy("结论"),
        choices=Determination.Outcome.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("写明核实了什么、依据哪份材料或文件"),
    )
    evidence = forms.FileField(
        label=gettext_lazy("证明材料(照片或 PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
