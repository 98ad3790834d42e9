from django.urls import path
from django.utils.translation import gettext_lazy as _

from zlogin.views import not_built

app_name = "ketenmachtigingen"

urlpatterns = [
    path(
        "van-relaties/",
        not_built,
        {"title": _("Ketenmachtigingen van relaties"), "menu": "van_relaties"},
        name="overview",
    ),
    path(
        "afgegeven/",
        not_built,
        {"title": _("Ketenmachtigingen afgegeven"), "menu": "afgegeven"},
        name="afgegeven",
    ),
]
