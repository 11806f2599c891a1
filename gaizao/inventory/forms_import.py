"""Forms of the spreadsheet import pages (upload, then confirm or cancel the
preview). The choices come from `inventory.selectors`, scoped by the user's
jurisdiction; the views only read `cleaned_data`."""

import os

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.regions.selectors import resolve_street

from . import selectors
from .forms import StreetField, type_streets_if_many
from .importing import limits, reading
from .importing.cells import CellError
from .picking import CompoundField


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("导入内容"),
        choices=[
            ("compounds", gettext_lazy("小区台账(每行一个小区)")),
            ("units", gettext_lazy("房屋及业主清册(一个小区的每户)")),
        ],
    )
    file = forms.FileField(label=gettext_lazy("表格文件(.xlsx、.xls、.ods、WPS 表格或 .csv)"))
    street = StreetField(
        label=gettext_lazy("所属街道(表中未填街道时使用)"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("按表中“所属街道”列"),
    )
    # Typed with suggestions, not a drop-down of every compound (habit 18).
    compound = CompoundField(label=gettext_lazy("导入到小区(房屋清册必选)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        streets = selectors.import_streets(user)
        shown = self.data.get("street") if self.is_bound else None
        type_streets_if_many(self.fields["street"], streets, resolve_street(streets, shown)[0])
        self.fields["compound"].queryset = selectors.import_compounds(user)

    def clean_file(self):
        f = self.cleaned_data["file"]
        ext = os.path.splitext(f.name.lower())[1]
        if ext not in reading.SUPPORTED:
            raise forms.ValidationError(_("请上传 .xlsx、.xls、.ods、WPS 表格(.et)或 .csv 文件"))
        try:
            limits.check_file_size(f.size)
        except CellError as e:
            raise forms.ValidationError(str(e))
        return f

    def clean(self):
        data = super().clean()
        if data.get("kind") == "units" and not data.get("compound"):
            self.add_error("compound", _("导入房屋及业主清册时必须选择小区"))
        return data


class ImportConfirmForm(forms.Form):
    """The preview page's buttons: 确认导入 (with the warnings acknowledged
    when there are any) or 取消."""

    accept_warnings = forms.BooleanField(required=False)
    cancel = forms.BooleanField(required=False)

    @property
    def cancelled(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data["cancel"])

    @property
    def warnings_accepted(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data["accept_warnings"])
