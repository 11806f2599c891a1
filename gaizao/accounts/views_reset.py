"""Password reset pages (gaizao.accounts.reset): ask for a link by account,
phone or e-mail; set the new password from the one-time link; an
administrator finds a user and issues a one-time link."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gaizao.core import audit, throttle

from . import reset


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(
        label=gettext_lazy("用户名、手机号或电子邮箱"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )


class UserSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("用户名、姓名或手机号"), max_length=64, required=False)


@require_http_methods(["GET", "POST"])
def reset_request(request):
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reset.reset_request(
                identifier=form.cleaned_data["identifier"],
                absolute=request.build_absolute_uri,
                client=throttle.client_ip(request),
            )
        except throttle.Throttled as e:
            form.add_error(None, e.message)
            return render(request, "accounts/reset_request.html", {"form": form}, status=429)
        # The same answer whether or not the account exists.
        messages.success(
            request,
            _("如果该账号存在并登记了手机号或电子邮箱,重置链接已发送,请查收短信或邮件。"),
        )
        return redirect("accounts:login")
    return render(request, "accounts/reset_request.html", {"form": form})


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            actor=form.user,
            instance=form.user,
            action="update",
            changes={"password": "reset with a one-time link"},
        )
        messages.success(self.request, _("密码已重新设置,请用新密码登录。"))
        return response


@login_required
def admin_users(request):
    """An administrator's list of the users they may issue a link for."""
    if not reset.may_administer(request.user):
        raise PermissionDenied(_("只有领导小组办公室、住建局或系统管理员可以为他人重置密码"))
    form = UserSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "accounts/reset_admin.html",
        {"form": form, "users": reset.search_users(request.user, q)},
    )


@login_required
@require_POST
def admin_issue(request, pk):
    target = reset.get_user_for_admin(request.user, pk)
    path = reset.reset_link_issue(admin=request.user, user=target)
    return render(
        request,
        "accounts/reset_link.html",
        {"target": target, "link": request.build_absolute_uri(path)},
    )
