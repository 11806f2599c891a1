from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core import throttle


class LoginForm(AuthenticationForm):
    """Staff login, throttled per account and per client address (issue 9 #8):
    every attempt counts, the lockout ends with the window."""

    error_messages = {
        "invalid_login": gettext_lazy("用户名或密码不正确。请注意区分大小写。"),
        "inactive": gettext_lazy("该账号已停用,请联系管理员。"),
    }
    username = forms.CharField(
        label=gettext_lazy("用户名"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=gettext_lazy("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        if self.request is not None:
            username = (self.cleaned_data.get("username") or "").strip().lower()
            counted = [
                (
                    "login.client",
                    throttle.client_ip(self.request),
                    settings.GAIZAO_LOGIN_RATE_CLIENT,
                )
            ]
            if username:
                counted.append(("login.account", username, settings.GAIZAO_LOGIN_RATE_ACCOUNT))
            for group, value, rate in counted:
                usage = throttle.hit(group, value, rate)
                if usage.over:
                    raise forms.ValidationError(
                        _(
                            "登录失败次数过多,该账号或本机已暂时锁定,请 %(n)s 分钟后再试;忘记密码请联系管理员。"
                        )
                        % {"n": throttle.minutes_left(usage)},
                        code="throttled",
                    )
        return super().clean()


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=64, required=False)


class TokenRevokeForm(forms.Form):
    revoke = forms.IntegerField(min_value=1, max_value=2**63 - 1)
