"""Forms of the site pages."""

from django import forms


class NoticeReadForm(forms.Form):
    """The inbox's 标为已读 buttons: one notice, or all."""

    notice = forms.IntegerField(required=False, min_value=1)
    all = forms.BooleanField(required=False)
