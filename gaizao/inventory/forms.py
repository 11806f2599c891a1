from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gaizao.regions.models import Organisation
from gaizao.regions.selectors import resolve_street, street_list

from . import selectors
from .facilities import FACILITIES
from .models import Compound, ManagementStatus, Rating
from .services import EDITABLE_FIELDS


class _StreetBox(forms.TextInput):
    """The typed street of a wide scope; shows the resolved street's name
    (a link or the map may carry its id)."""

    shown = None

    def format_value(self, value):
        return self.shown or super().format_value(value)


class StreetField(forms.ModelChoiceField):
    """A street picked from the list, or typed by name or 12-digit code when
    the scope has too many streets for a list (regions.selectors)."""

    def to_python(self, value):
        street, problem = resolve_street(self.queryset, value)
        if problem:
            raise forms.ValidationError(problem)
        return street

    def has_changed(self, initial, data):
        """Compared by the street resolved, so a typed name of the same
        street is no change (the audit trail records none)."""
        try:
            street = self.to_python(data)
        except forms.ValidationError:
            return True
        before = getattr(initial, "pk", initial)
        return str(before or "") != str(street.pk if street else "")


def type_streets_if_many(field: StreetField, streets, street=None) -> None:
    """Sets the field's streets; a scope with too many for a list gets a
    typed box instead of the drop-down (STYLE.md habit 18)."""
    field.queryset = streets
    if street_list(streets) is None:
        box = _StreetBox(attrs={"placeholder": _("街道名称或12位代码"), "size": 14})
        box.shown = street.name if street else None
        field.widget = box


class CompoundFilterForm(forms.Form):
    """The filters of the list page and the map. Invalid values are reported
    and ignored, never a 500."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("小区名称或地址")}),
    )
    street = StreetField(label=_("街道"), queryset=None, required=False, empty_label=_("全部街道"))
    community = forms.ModelChoiceField(
        label=_("社区"), queryset=None, required=False, empty_label=_("全部社区")
    )
    built_from = forms.IntegerField(
        label=_("建成年份 从"), required=False, min_value=1900, max_value=2100
    )
    built_to = forms.IntegerField(label=_("至"), required=False, min_value=1900, max_value=2100)
    management_status = forms.ChoiceField(
        label=_("管理状况"),
        required=False,
        choices=[("", _("全部"))] + list(ManagementStatus.choices),
    )
    grade = forms.ChoiceField(
        label=_("状况等级"), required=False, choices=[("", _("全部"))] + selectors.GRADE_CHOICES
    )
    order = forms.ChoiceField(
        label=_("排序"), required=False, choices=[(k, v[0]) for k, v in selectors.ORDERINGS.items()]
    )

    def __init__(self, data, *, user):
        streets, communities = selectors.filter_areas(user)
        # Cascading choice: the community list follows the chosen street
        # (htmx swaps the options; the server narrows them too). A community
        # left over from another street is dropped, not reported. A scope
        # with more streets than a list holds types the street instead.
        street, _problem = resolve_street(streets, (data or {}).get("street"))
        communities = selectors.communities_of_street(
            communities,
            street.pk if street else selectors.sole_street_id(user),
            (data or {}).get("community"),
        )
        community = (data or {}).get("community")
        if (
            community
            and not communities.filter(pk=community if str(community).isdigit() else None).exists()
        ):
            data = data.copy()
            data.pop("community")
        super().__init__(data)
        type_streets_if_many(self.fields["street"], streets, street)
        self.fields["community"].queryset = communities
        self.fields["street"].widget.attrs.update(
            {
                "hx-get": reverse("inventory:filter_communities"),
                "hx-target": "#id_community",
                "hx-swap": "innerHTML",
                "hx-trigger": "change",
            }
        )

    def clean(self):
        data = super().clean()
        lo, hi = data.get("built_from"), data.get("built_to")
        if lo is not None and hi is not None and lo > hi:
            self.add_error(
                "built_to",
                gettext("截止年份 %(hi)s 早于起始年份 %(lo)s,请对调") % {"hi": hi, "lo": lo},
            )
        return data

    def filters(self) -> selectors.CompoundFilters:
        if self.is_bound:
            self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        return selectors.CompoundFilters.from_data(data)

    def error_summary(self) -> list[str]:
        return [
            f"{self.fields[n].label}:{e}"
            for n, errs in self.errors.items()
            if n in self.fields
            for e in errs
        ]


class CompoundForm(forms.ModelForm):
    class Meta:
        model = Compound
        fields = EDITABLE_FIELDS
        widgets = {
            "built_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
            "address": forms.TextInput(attrs={"style": "width:100%"}),
        }
        field_classes = {"street": StreetField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        streets, communities = selectors.filter_areas(user)
        # A district picks from its streets; a wider scope (a city, the
        # country) types the street, by name or 12-digit code, resolved in
        # its scope (STYLE.md habit 18).
        if self.is_bound:
            street = resolve_street(streets, self.data.get("street"))[0]
        else:
            street = self.instance.street if self.instance.street_id else None
        type_streets_if_many(self.fields["street"], streets, street)
        # Cascading: the communities of the chosen street (the posted one, else
        # the compound's), never every community of the jurisdiction
        # (STYLE.md habit 18). After a street change the re-shown form offers
        # the new street's communities.
        # Any community in scope is accepted, so that one of another street
        # gets clean()'s message rather than "not a valid choice".
        street_id = street.pk if street else None
        field = self.fields["community"]
        field.queryset = communities.select_related("parent")
        field.widget.choices = [("", field.empty_label)] + [
            (c.pk, field.label_from_instance(c)) for c in field.queryset.filter(parent_id=street_id)
        ]
        # The database's check constraints, said as field limits with a message.
        self.fields["built_year"].validators += [MinValueValidator(1900), MaxValueValidator(2100)]
        self.fields["self_built_area"].validators.append(MinValueValidator(0))
        for name, kind in [
            ("property_company", Organisation.Kind.PROPERTY_COMPANY),
            ("property_rights_unit", Organisation.Kind.PROPERTY_RIGHTS_UNIT),
            ("owners_committee", Organisation.Kind.OWNERS_COMMITTEE),
        ]:
            self.fields[name].queryset = Organisation.objects.filter(kind=kind).order_by("name")

    def clean(self):
        data = super().clean()
        street, community = data.get("street"), data.get("community")
        if street and community and not community.prefix.startswith(street.prefix):
            self.add_error(
                "community",
                gettext("社区“%(community)s”不属于街道“%(street)s”")
                % {"community": community, "street": street},
            )
        return data

    def changes(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.changed_data if k in EDITABLE_FIELDS}


GROUP_LABELS = {"basic": _("基础项目"), "enhancement": _("提升项目")}


class SurveyForm(forms.Form):
    """One block per facility: rating (radio), note, photos (files are read
    from request.FILES by the view: p_<code>)."""

    surveyed_on = forms.DateField(
        label=_("调查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("总体情况"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("surveyed_on", timezone.localdate())
        for fac in FACILITIES:
            name = {"name": gettext(fac.name)}
            self.fields[f"r_{fac.code}"] = forms.ChoiceField(
                label=name["name"],
                choices=Rating.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": gettext("请选择“%(name)s”的状况") % name,
                    "invalid_choice": gettext("“%(name)s”的状况无效") % name,
                },
            )
            self.fields[f"n_{fac.code}"] = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"placeholder": _("说明(可选)")}),
            )

    def clean_surveyed_on(self):
        d = self.cleaned_data["surveyed_on"]
        if d > timezone.localdate():
            raise forms.ValidationError(_("调查日期不能晚于今天"))
        return d

    def groups(self, photo_errors: dict | None = None) -> list[dict]:
        photo_errors = photo_errors or {}
        out: dict[str, dict] = {}
        for fac in FACILITIES:
            g = out.setdefault(
                fac.group, {"label": GROUP_LABELS.get(fac.group, fac.group), "items": []}
            )
            g["items"].append(
                {
                    "facility": fac,
                    "rating": self[f"r_{fac.code}"],
                    "note": self[f"n_{fac.code}"],
                    "photo_name": f"p_{fac.code}",
                    "photo_errors": photo_errors.get(fac.code, []),
                }
            )
        return list(out.values())

    def ratings(self) -> dict:
        return {
            f.code: (
                self.cleaned_data.get(f"r_{f.code}", ""),
                self.cleaned_data.get(f"n_{f.code}", ""),
            )
            for f in FACILITIES
        }

    def add_domain_errors(self, errors) -> dict:
        """Puts service errors on their fields; returns photo errors by facility."""
        photo_errors: dict[str, list[str]] = {}
        for e in errors:
            f = e.field or ""
            code, _, part = f.partition(".")
            if part == "photos":
                photo_errors.setdefault(code, []).append(e.message)
            elif part == "rating" and f"r_{code}" in self.fields:
                if f"r_{code}" not in self.errors:
                    self.add_error(f"r_{code}", e.message)
            elif part == "note" and f"n_{code}" in self.fields:
                self.add_error(f"n_{code}", e.message)
            elif f in ("surveyed_on", "note"):
                self.add_error(f, e.message)
            else:
                self.add_error(None, e.message)
        return photo_errors
