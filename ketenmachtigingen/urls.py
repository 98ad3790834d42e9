from django.urls import path

from .views import bulk, overview, request

app_name = "ketenmachtigingen"

urlpatterns = [
    path("van-relaties/", overview.overview, name="overview"),
    path("van-relaties/export/", overview.export, name="export"),
    path("van-relaties/verlengen/", overview.renew, name="renew"),
    path(
        "van-relaties/<int:ketenmachtiging_id>/gebruikers/<int:membership_id>/verwijderen/",
        overview.remove_gebruiker,
        name="remove_gebruiker",
    ),
    path(
        "van-relaties/<int:ketenmachtiging_id>/groepen/<int:groep_id>/verwijderen/",
        overview.remove_groep,
        name="remove_groep",
    ),
    path(
        "van-relaties/<int:ketenmachtiging_id>/gebruikers/toevoegen/",
        overview.add_gebruikers,
        name="add_gebruikers_to",
    ),
    path("van-relaties/<int:ketenmachtiging_id>/intrekken/", overview.withdraw, name="withdraw"),
    path(
        "van-relaties/<int:ketenmachtiging_id>/ketenmachtiging-intrekken/",
        overview.revoke,
        name="revoke",
    ),
    path(
        "van-relaties/<int:ketenmachtiging_id>/opnieuw-aanvragen/",
        overview.reapply,
        name="reapply",
    ),
    path(
        "van-relaties/<int:ketenmachtiging_id>/opnieuw-aanvragen/vervang/",
        overview.reapply_replacing_draft,
        name="reapply_replacing_draft",
    ),
    path(
        "van-relaties/<int:ketenmachtiging_id>/verwijder-uit-overzicht/",
        overview.remove_from_overview,
        name="remove_from_overview",
    ),
    path("van-relaties/relatie/<int:relatie_id>/", overview.relatie, name="relatie"),
    path(
        "van-relaties/relatie/<int:relatie_id>/verwijderen/",
        overview.revoke_relatie,
        name="revoke_relatie",
    ),
    path("van-relaties/toevoegen/", request.add, name="add"),
    path("van-relaties/toevoegen/opnieuw/", request.restart, name="add_restart"),
    path("van-relaties/toevoegen/diensten/", request.choose_diensten, name="add_diensten"),
    path("van-relaties/toevoegen/gebruikers/", request.choose_gebruikers, name="add_gebruikers"),
    path("van-relaties/toevoegen/duur/", request.choose_duration, name="add_duration"),
    path("van-relaties/toevoegen/verzenden/", request.send, name="add_send"),
    path("van-relaties/toevoegen/goedgekeurd/", request.approved, name="add_approved"),
    path("van-relaties/toevoegen/meerdere/", bulk.add_bulk, name="add_bulk"),
    path(
        "van-relaties/toevoegen/meerdere/excel-formulier/",
        bulk.download_template,
        name="bulk_template",
    ),
    path("van-relaties/toevoegen/meerdere/<int:bulk_id>/", bulk.detail, name="bulk_detail"),
    path(
        "van-relaties/toevoegen/meerdere/<int:bulk_id>/controle/",
        bulk.review,
        name="bulk_review",
    ),
    path(
        "van-relaties/toevoegen/meerdere/<int:bulk_id>/doorgaan/",
        bulk.accept,
        name="bulk_accept",
    ),
    path(
        "van-relaties/toevoegen/meerdere/<int:bulk_id>/verwijderen/",
        bulk.delete,
        name="bulk_delete",
    ),
    path(
        "van-relaties/toevoegen/meerdere/<int:bulk_id>/verzenden/",
        bulk.send,
        name="bulk_send",
    ),
    path(
        "van-relaties/toevoegen/meerdere/<int:bulk_id>/goedgekeurd/",
        bulk.approved,
        name="bulk_approved",
    ),
    path(
        "van-relaties/toevoegen/meerdere/<int:bulk_id>/voortgang/",
        bulk.progress,
        name="bulk_progress",
    ),
    path(
        "van-relaties/toevoegen/meerdere/<int:bulk_id>/opnieuw/",
        bulk.retry,
        name="bulk_retry",
    ),
    path("afgegeven/", overview.afgegeven, name="afgegeven"),
]
