from django.urls import path
from django.utils.translation import gettext_lazy as _

from zlogin.views import not_built

from .views import overview, request

app_name = "ketenmachtigingen"

urlpatterns = [
    path("van-relaties/", overview.overview, name="overview"),
    path("van-relaties/toevoegen/", request.add, name="add"),
    path("van-relaties/toevoegen/opnieuw/", request.restart, name="add_restart"),
    path("van-relaties/toevoegen/diensten/", request.choose_diensten, name="add_diensten"),
    path("van-relaties/toevoegen/gebruikers/", request.choose_gebruikers, name="add_gebruikers"),
    path("van-relaties/toevoegen/duur/", request.choose_duration, name="add_duration"),
    path("van-relaties/toevoegen/verzenden/", request.send, name="add_send"),
    path("van-relaties/toevoegen/goedgekeurd/", request.approved, name="add_approved"),
    path(
        "afgegeven/",
        not_built,
        {"title": _("Ketenmachtigingen afgegeven"), "menu": "afgegeven"},
        name="afgegeven",
    ),
]
