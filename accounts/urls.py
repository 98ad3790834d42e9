from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from two_factor import views as two_factor_views
from two_factor.urls import plugin_urlpatterns

from .views import certificate, gebruikers, organisation, profile, recovery, settings
from .views.login import PortalLoginView

app_name = "accounts"

urlpatterns = [
    path("organisatie/kiezen/", organisation.switch_organisation, name="switch_organisation"),
    path("mijn-profiel/", profile.profile, name="profile"),
    path("gebruikers/", gebruikers.gebruikers, name="gebruikers"),
    path("instellingen/afzender/", settings.sender_settings, name="sender_settings"),
    path(
        "gebruikers/<int:membership_id>/certificaat/",
        certificate.middel_certificate,
        name="middel_certificate",
    ),
    path(
        "gebruikers/<int:membership_id>/certificaat/intrekken/",
        certificate.revoke_middel_certificate,
        name="revoke_middel_certificate",
    ),
]

# The second-factor pages of django-two-factor-auth, in its namespace, with our login view.
# Disabling the second factor is not offered: no page opens without one.
two_factor_patterns = [
    path("inloggen/", PortalLoginView.as_view(), name="login"),
    path("account/login/", RedirectView.as_view(pattern_name="two_factor:login")),
    path("account/two_factor/setup/", two_factor_views.SetupView.as_view(), name="setup"),
    path("account/two_factor/qrcode/", two_factor_views.QRGeneratorView.as_view(), name="qr"),
    path(
        "account/two_factor/setup/complete/",
        two_factor_views.SetupCompleteView.as_view(),
        name="setup_complete",
    ),
    path(
        "account/two_factor/backup/tokens/",
        two_factor_views.BackupTokensView.as_view(),
        name="backup_tokens",
    ),
    path(
        "account/two_factor/", RedirectView.as_view(pattern_name="accounts:profile"), name="profile"
    ),
    *plugin_urlpatterns,
]

# Un-namespaced names that Django's auth machinery expects.
auth_urlpatterns = [
    path("", include((two_factor_patterns, "two_factor"))),
    path("inloggen/certificaat/", certificate.certificate_login, name="certificate_login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("inloggegevens-vergeten/", recovery.PasswordResetView.as_view(), name="password_reset"),
    path(
        "inloggegevens-vergeten/verstuurd/",
        recovery.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "wachtwoord-instellen/<uidb64>/<token>/",
        recovery.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "wachtwoord-instellen/gelukt/",
        recovery.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "gebruikersnaam-vergeten/",
        recovery.UsernameReminderView.as_view(),
        name="username_reminder",
    ),
    path(
        "gebruikersnaam-vergeten/verstuurd/",
        recovery.UsernameReminderDoneView.as_view(),
        name="username_reminder_done",
    ),
]
