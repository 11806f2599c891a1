from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.forms.forms import NON_FIELD_ERRORS
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gaizao.core.errors import DomainError

from . import selectors, services
from .forms import LoginForm, TokenCreateForm, TokenRevokeForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """A password change ends the user's other sessions and every API token."""

    template_name = "accounts/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session (update_session_auth_hash)
        services.password_changed(
            user=self.request.user, keep_session=self.request.session.session_key
        )
        return response


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """API tokens: create (shown once) and revoke."""
    new_raw = None
    form = TokenCreateForm()
    if request.method == "POST":
        if "revoke" in request.POST:
            revoke = TokenRevokeForm(request.POST)
            if revoke.is_valid():
                tok = selectors.get_own_token(request.user, revoke.cleaned_data["revoke"])
                services.api_token_revoke(actor=request.user, token=tok)
                messages.success(request, _("令牌已作废"))
            else:
                messages.error(request, _("请选择要作废的令牌"))
            return redirect("accounts:tokens")
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            try:
                _tok, new_raw = services.api_token_create(
                    user=request.user, name=form.cleaned_data["name"]
                )
            except DomainError as e:
                form.add_error("name", e.message)
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": selectors.live_tokens(request.user),
            "new_raw": new_raw,
            "form": form,
            "days": settings.GAIZAO_API_TOKEN_DAYS,
        },
    )
