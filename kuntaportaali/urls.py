from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import two_factor_views, views

urlpatterns = [
    path("", views.public_home, name="public-home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/two-factor/", two_factor_views.verify, name="two-factor-verify"),
    path("accounts/two-factor/set-up/", two_factor_views.set_up, name="two-factor-set-up"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/two-factor/", two_factor_views.settings_page, name="two-factor"),
    path("staff/two-factor/recovery-codes/", two_factor_views.recovery_codes, name="two-factor-recovery-codes"),
    path("staff/system/", views.system_status, name="system-status"),
    path("staff/surveys/", include("surveys.urls")),
    path("staff/hr/", include("hrreports.urls")),
    path("telephony/", include("surveys.webhook_urls")),
    path("admin/", admin.site.urls),
]

# The residents' pages carry their language in the address, so a link can be shared in Swedish.
urlpatterns += i18n_patterns(path("", include("surveys.public_urls")))
