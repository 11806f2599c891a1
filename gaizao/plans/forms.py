"""plans forms: a catalogue item edited for the user's area. Fields are
declared in the order the page lists its errors; every message is the one
the page showed before (zh-Hans, translated at display time)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.catalogue.models import EstimateBasis, ItemUnit, Tier
from gaizao.consultation.forms import datetime_field
from gaizao.inventory import facilities

from .funding import SOURCE_LABELS, TIER_LABELS


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


# ---- funding rules (资金筹措规则) ------------------------------------------------

RULE_DECIMALS = [
    ("subsidy_cap_share", gettext_lazy("补助占该类造价上限(0–1)")),
    ("resident_per_m2", gettext_lazy("居民出资(元/㎡)")),
    ("resident_per_household", gettext_lazy("居民出资(元/户)")),
    ("resident_cap_share", gettext_lazy("居民出资上限(占适用类别造价,0–1)")),
    ("maintenance_fund_share", gettext_lazy("维修资金可用比例(0–1)")),
    ("property_unit_share", gettext_lazy("产权单位分担比例(0–1)")),
    ("utility_share", gettext_lazy("专营单位承担其管线比例(0–1)")),
    ("social_capital_share", gettext_lazy("社会资本承担比例(0–1)")),
]
PER_M2_KEYS = ("central_per_m2", "provincial_per_m2")


class FundingRuleForm(forms.Form):
    """A jurisdiction's funding rule for a year. Shares lie in 0–1, amounts
    are non-negative; per-tier subsidies per m² are optional. `errors_list()`
    gives the page's messages in field order."""

    year = forms.CharField(required=False)
    note = forms.CharField(required=False)
    vote_required = forms.BooleanField(required=False)
    resident_tiers = forms.MultipleChoiceField(required=False, choices=Tier.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, _label in RULE_DECIMALS:
            self.fields[key] = forms.CharField(required=False)
        for key in PER_M2_KEYS:
            for t in Tier.values:
                self.fields[f"{key}_{t}"] = forms.CharField(required=False)

    def clean_year(self):
        try:
            return int(self.cleaned_data["year"])
        except (TypeError, ValueError):
            raise forms.ValidationError(_("年度无效")) from None

    def clean_resident_tiers(self):
        return [t for t in self.cleaned_data["resident_tiers"] if t in Tier.values]

    def clean(self):
        data = super().clean()
        for key, label in RULE_DECIMALS:
            raw = (self.data.get(key) or "").strip() or "0"
            try:
                v = Decimal(raw)
                if not v.is_finite() or v < 0 or (key.endswith("share") and v > 1):
                    raise InvalidOperation
                data[key] = v
            except (InvalidOperation, ValueError):
                self.add_error(key, _("%(label)s“%(raw)s”无效") % {"label": label, "raw": raw})
        for key in PER_M2_KEYS:
            data[key] = {}
            for t in Tier.values:
                raw = (self.data.get(f"{key}_{t}") or "").strip()
                if not raw:
                    continue
                try:
                    v = Decimal(raw)
                    if not v.is_finite() or v < 0:
                        raise InvalidOperation
                    data[key][t] = str(v)
                except (InvalidOperation, ValueError):
                    self.add_error(
                        f"{key}_{t}",
                        _("%(value)s补助“%(raw)s”无效") % {"value": _(TIER_LABELS[t]), "raw": raw},
                    )
        data["note"] = (data.get("note") or "").strip()[:300]
        return data

    def rule_data(self) -> dict:
        """What services.funding_rule_save takes (after is_valid())."""
        keys = [k for k, _ in RULE_DECIMALS] + list(PER_M2_KEYS)
        out = {k: self.cleaned_data[k] for k in keys}
        out["resident_tiers"] = self.cleaned_data["resident_tiers"]
        out["vote_required"] = self.cleaned_data["vote_required"]
        out["note"] = self.cleaned_data["note"]
        return out

    def errors_list(self) -> list[str]:
        return [str(m) for msgs in self.errors.values() for m in msgs]


# ---- clusters (片区) ----------------------------------------------------------------


class ClusterForm(forms.Form):
    """A new cluster: a name, a note and the picked compounds (ids; which of
    them the user may see is the view's chokepoint check)."""

    name = forms.CharField(required=False)
    note = forms.CharField(required=False)
    street = forms.CharField(required=False)

    def __init__(self, data=None, *, picked_from=None):
        super().__init__(data)
        src = picked_from if picked_from is not None else data
        raw = src.getlist("compounds") if src is not None else []
        self.picked = [int(x) for x in raw if str(x).isdigit()]


class PlanVoteForm(forms.Form):
    """Put a plan version to the owners (民法典第二百七十八条第一款第七项)."""

    opens_at = datetime_field(gettext_lazy("开始时间"))
    closes_at = datetime_field(gettext_lazy("截止时间"))
    notice_days = forms.IntegerField(
        label=gettext_lazy("结果公示期(天)"),
        min_value=1,
        max_value=60,
        initial=7,
        error_messages={"invalid": gettext_lazy("公示期应为整数天数")},
    )

    def clean(self):
        data = super().clean()
        o, c = data.get("opens_at"), data.get("closes_at")
        if o and c and c <= o:
            self.add_error("closes_at", _("截止时间应晚于开始时间"))
        return data


class VoteReuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("沿用理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写沿用上一版业主表决的理由")},
    )
