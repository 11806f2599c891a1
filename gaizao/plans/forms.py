"""plans forms: a catalogue item edited for the user's area. Fields are
declared in the order the page lists its errors; every message is the one
the page showed before (zh-Hans, translated at display time)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _

from gaizao.catalogue.models import EstimateBasis, ItemUnit, Tier
from gaizao.inventory import facilities

from .funding import SOURCE_LABELS


def _nonnegative(raw: str, label: str, places: str) -> Decimal:
    try:
        v = Decimal(raw)
        if not v.is_finite() or v < 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise forms.ValidationError(
            _("%(label)s“%(raw)s”须为不小于 0 的数字") % {"label": label, "raw": raw}
        ) from None
    return v.quantize(Decimal(places))


class CatalogItemForm(forms.Form):
    """The item's fields; `code` only when a new item is created (new=True)."""

    name = forms.CharField(required=False)
    name_en = forms.CharField(required=False)
    tier = forms.CharField(required=False)
    unit = forms.CharField(required=False)
    facility = forms.CharField(required=False)
    estimate_basis = forms.CharField(required=False)
    unit_cost = forms.CharField(required=False, strip=True)
    estimate_factor = forms.CharField(required=False, strip=True)
    year = forms.CharField(required=False, strip=True)
    code = forms.CharField(required=False)
    description = forms.CharField(required=False)
    active = forms.BooleanField(required=False)
    funding_sources = forms.MultipleChoiceField(required=False, choices=())

    def __init__(self, *args, new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.new = new
        if not new:
            del self.fields["code"]

    def clean_name(self):
        if not self.cleaned_data["name"]:
            raise forms.ValidationError(_("请填写名称"))
        return self.cleaned_data["name"]

    def clean_tier(self):
        if self.cleaned_data["tier"] not in Tier.values:
            raise forms.ValidationError(_("请选择类别"))
        return self.cleaned_data["tier"]

    def clean_unit(self):
        if self.cleaned_data["unit"] not in ItemUnit.values:
            raise forms.ValidationError(_("请选择计量单位"))
        return self.cleaned_data["unit"]

    def clean_facility(self):
        value = self.cleaned_data["facility"] or None
        if value and value not in facilities.BY_CODE:
            raise forms.ValidationError(_("对应设施无效"))
        return value

    def clean_estimate_basis(self):
        if self.cleaned_data["estimate_basis"] not in EstimateBasis.values:
            raise forms.ValidationError(_("估算依据无效"))
        return self.cleaned_data["estimate_basis"]

    def clean_unit_cost(self):
        return _nonnegative(self.cleaned_data["unit_cost"], _("单价"), "0.01")

    def clean_estimate_factor(self):
        return _nonnegative(self.cleaned_data["estimate_factor"], _("估算系数"), "0.0001")

    def clean_year(self):
        raw = self.cleaned_data["year"]
        if not raw:
            return None
        try:
            year = int(raw)
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            raise forms.ValidationError(
                _("适用年度“%(year_raw)s”无效") % {"year_raw": raw}
            ) from None
        return year

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not code or not code.replace("_", "").isalnum():
            raise forms.ValidationError(_("编码须为字母、数字或下划线"))
        return code

    def clean_funding_sources(self):
        # Unknown sources are dropped, as before, rather than refused.
        return [s for s in self.data.getlist("funding_sources") if s in SOURCE_LABELS]

    def full_clean(self):
        self.fields["funding_sources"].choices = (
            [(s, s) for s in self.data.getlist("funding_sources")] if self.is_bound else []
        )
        super().full_clean()

    def error_list(self) -> list[str]:
        return [str(e) for errs in self.errors.values() for e in errs]

    def item_data(self) -> dict:
        """What services.catalogue_item_save takes (without year)."""
        d = dict(self.cleaned_data)
        d.pop("year", None)
        return d
