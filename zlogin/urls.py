from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from two_factor.admin import AdminSiteOTPRequired

from accounts.urls import auth_urlpatterns

from . import views

# Z login staff need a verified second factor for the admin as well.
admin.site.__class__ = AdminSiteOTPRequired
admin.site.site_header = _("Z login beheer")
admin.site.site_title = _("Z login beheer")


def _not_built(route, title, menu):
    return path(route, views.not_built, {"title": title, "menu": menu}, name=menu)


urlpatterns = [
    path("", views.home, name="home"),
    path("", include("accounts.urls")),
    *auth_urlpatterns,
    path("ketenmachtigingen/", include("ketenmachtigingen.urls")),
    _not_built("machtigingen/", _("Machtigingen"), "machtigingen"),
    path("groepen/", include("groepen.urls")),
    _not_built("overige-wijzigingen/", _("Overige wijzigingen"), "overige_wijzigingen"),
    path("berichtenbox/", include("berichtenbox.urls")),
    path("api/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
]
