"""Choosing one compound without a list of every compound (STYLE.md habit 18).

A form asks for a compound typed by name ("街道·名称" when two share a name),
with suggestions as the user types from one small JSON endpoint
(`inventory:compound_suggest`, at most SUGGEST_LIMIT matches within the
user's scope) filled into a `<datalist>` by gaizao/static/gaizao/app.js.
The value is looked up among the compounds the page may offer, so a forged
or out-of-scope value is refused with a message and never trusted. Used by
the import page, the feedback and satisfaction forms and the meeting form
(works.organisation), which is why it sits here, below them all."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core.errors import DomainError
from gaizao.core.picking import SEP, pick_named

from .models import Compound

SUGGEST_LIMIT = 20


def compound_label(c: Compound) -> str:
    """What a suggestion shows and what the form takes back: 街道·名称."""
    return f"{c.street.name}{SEP}{c.name}"


def pick_compound(qs, value, label):
    """The compound `value` names within `qs` (name, 街道·名称, or id), None
    when blank; DomainError with a Chinese message when it is not there or
    is ambiguous."""
    return pick_named(
        qs,
        value,
        label,
        parent_name="street__name",
        ambiguous=_("%(label)s“%(v)s”有同名小区,请写成“街道·小区名”,如“%(e)s”"),
        label=compound_label,
    )


def suggest_compounds(qs, text: str, limit: int = SUGGEST_LIMIT) -> list[dict]:
    """At most `limit` compounds of `qs` whose name contains `text` (or, for
    "街道·名称", whose street and name contain the two parts): names that
    start with it first."""
    text = (text or "").strip()[:100]
    if not text:
        return []
    street, _sep, name = text.rpartition(SEP)
    found = qs.filter(name__contains=name.strip()) if name.strip() else qs
    if street.strip():
        found = found.filter(street__name__contains=street.strip())
    found = found.select_related("street").only("name", "street__name")
    rows = list(found.filter(name__startswith=name.strip()).order_by("name", "pk")[:limit])
    if len(rows) < limit:
        seen = [c.pk for c in rows]
        rows += list(found.exclude(pk__in=seen).order_by("name", "pk")[: limit - len(rows)])
    return [{"id": c.pk, "label": compound_label(c)} for c in rows]


class CompoundInput(forms.TextInput):
    """A text box with a `<datalist>` that app.js fills from the suggestion
    endpoint as the user types."""

    template_name = "inventory/widgets/compound_input.html"

    def __init__(self, attrs=None):
        base = {
            "autocomplete": "off",
            "maxlength": "200",
            "placeholder": gettext_lazy("输入小区名称,从提示中选择"),
            "data-suggest": reverse_lazy("inventory:compound_suggest"),
        }
        super().__init__({**base, **(attrs or {})})

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        ctx["widget"]["attrs"].setdefault("id", f"id_{name}")
        ctx["widget"]["attrs"]["list"] = ctx["widget"]["attrs"]["id"] + "-list"
        return ctx

    def format_value(self, value):
        if isinstance(value, Compound):
            return compound_label(value)
        return super().format_value(value)


class CompoundField(forms.CharField):
    """A compound typed by name, resolved within `queryset` (set per user by
    the form) with `pick_compound`; cleaned to a Compound or None."""

    widget = CompoundInput

    def __init__(self, *, queryset=None, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else Compound.objects.none()

    def prepare_value(self, value):
        if isinstance(value, Compound):
            return compound_label(value)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            hit = self.queryset.filter(pk=int(value)).select_related("street").first()
            return compound_label(hit) if hit else ""
        return value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return pick_compound(self.queryset, value, self.label or _("小区"))
        except DomainError as e:
            raise forms.ValidationError(e.message)
