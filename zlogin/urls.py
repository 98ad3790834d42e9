from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from two_factor.admin import AdminSiteOTPRequired

from accounts.urls import auth_urlpatterns

from . import errors, health, metrics, views

# Z login staff need a verified second factor for the admin as well.
admin.site.__class__ = AdminSiteOTPRequired
admin.site.site_header = _("Z login beheer")
admin.site.site_title = _("Z login beheer")


def _not_built(route, title, menu):
    return path(route, views.not_built, {"title": title, "menu": menu}, name=menu)


urlpatterns = [
    path("", views.home, name="home"),
    # For the load balancer and the orchestrator: no login, no session, never slow.
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
    # For Prometheus: not public (zlogin/metrics.py).
    path("metrics", metrics.view, name="metrics"),
    # Before the portal's pages: the check is the most frequent request and resolves first.
    path("api/", include("api.urls")),
    path("", include("accounts.urls")),
    *auth_urlpatterns,
    path("ketenmachtigingen/", include("ketenmachtigingen.urls")),
    _not_built("machtigingen/", _("Machtigingen"), "machtigingen"),
    path("groepen/", include("groepen.urls")),
    _not_built("overige-wijzigingen/", _("Overige wijzigingen"), "overige_wijzigingen"),
    path("berichtenbox/", include("berichtenbox.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# Error pages in the portal's look (zlogin/errors.py).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
