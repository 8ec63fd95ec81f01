from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from preceptorship import views
from preceptorship.forms import SignInForm
from preceptorship.identity import views as identity_views
from programmes import urls as programmes_urls
from programmes.reporting import urls as reporting_urls

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("readyz", views.readyz, name="readyz"),
    path(
        "sign-in/",
        # The organisation sign-in form on this page leads to the providers (preceptorship/identity).
        identity_views.allow_sign_in_at_providers(
            auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True)
        ),
        name="login",
    ),
    # Signs out of the organisation's provider too, after a single sign-on (preceptorship/identity).
    path("sign-out/", identity_views.SignOutView.as_view(), name="logout"),
    path("", include("preceptorship.identity.urls")),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/changed/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("profile/", views.profile, name="profile"),
    path("", include("preceptorship.two_step.urls")),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("staff/", include("preceptorship.imports.urls")),
    path("audit/", include("preceptorship.auditlog.urls")),
    # The reports share the programmes namespace (programmes:dashboard) but sit above the app.
    path("programmes/", include(([*programmes_urls.urlpatterns, *reporting_urls.urlpatterns], "programmes"))),
    path("progression/", include("progression.urls")),
    path("progression/supervision/", include("progression.supervision.urls")),
    path("privacy/", include("programmes.privacy.urls")),
    path("equality/", include("programmes.equality.urls")),
    # The integration API: tokens, not sessions; JSON answers only (programmes/api, docs/api.md).
    path("api/", include("programmes.api.urls")),
    path("admin/", admin.site.urls),
]
