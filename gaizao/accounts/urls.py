from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views, views_reset

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        views.PasswordChangeView.as_view(
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("tokens/", views.tokens, name="tokens"),
    path("reset/", views_reset.reset_request, name="reset_request"),
    path("reset/<uidb64>/<token>/", views_reset.ResetConfirmView.as_view(), name="reset_confirm"),
    path("users/", views_reset.admin_users, name="reset_admin"),
    path("users/<int:pk>/reset-link/", views_reset.admin_issue, name="reset_issue"),
]
