from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("organisatie/kiezen/", views.switch_organisation, name="switch_organisation"),
]

# Un-namespaced names Django's auth machinery expects.
auth_urlpatterns = [
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("wachtwoord-vergeten/", auth_views.PasswordResetView.as_view(), name="password_reset"),
]
