"""stewardship forms: the management arrangement as the page posts it.

The form collects and normalises the fields; the rules (which manager fits
which model, the fee range, rules adopted before a date is given) live in
services.arrangement_save, so the API and the command line get the same
checks and the same messages."""

from django import forms


class ArrangementForm(forms.Form):
    model = forms.CharField(required=False)
    manager = forms.CharField(required=False)
    manager_name = forms.CharField(required=False)
    rules_adopted = forms.BooleanField(required=False)
    rules_adopted_on = forms.CharField(required=False)
    fee_per_m2_month = forms.CharField(required=False)
    starts_on = forms.CharField(required=False)
    note = forms.CharField(required=False)
    next = forms.CharField(required=False)

    def arrangement_data(self) -> dict:
        """What services.arrangement_save takes (after is_valid())."""
        d = dict(self.cleaned_data)
        d.pop("next", None)
        d["manager"] = d.get("manager") or None
        return d
