from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import LoginForm
from .models import ApiToken


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """API tokens: create (shown once) and revoke."""
    new_raw = None
    if request.method == "POST":
        if "revoke" in request.POST:
            ApiToken.objects.filter(user=request.user, pk=request.POST.get("revoke")).update(
                revoked=True
            )
            messages.success(request, _("令牌已作废"))
            return redirect("accounts:tokens")
        name = (request.POST.get("name") or "api").strip()[:64]
        _token, new_raw = ApiToken.issue(request.user, name)
    toks = ApiToken.objects.filter(user=request.user, revoked=False).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"tokens": toks, "new_raw": new_raw})
