from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    # The invitation with the PDF form was sent to the relatie; waiting for the signed form.
    AANVRAAG_VERSTUURD = "aanvraag_verstuurd", _("Aanvraag verstuurd")
    # Z login staff registered the signed form; waiting for activation.
    AANVRAAG_ONTVANGEN = "aanvraag_ontvangen", _("Aanvraag ontvangen")
    # The received form misses something; Z login contacts the relatie.
    INCOMPLEET = "incompleet", _("Incompleet")
    # Sending the invitation failed, or the form was signed wrongly.
    FOUT = "fout", _("Fout")
    # In force between start_date (inclusive) and end_date (exclusive).
    ACTIEF = "actief", _("Actief")
    # The end date passed without a renewal.
    VERLOPEN = "verlopen", _("Verlopen")
    # Revoked by the intermediair (now or on a chosen date), or a pending request withdrawn.
    INGETROKKEN = "ingetrokken", _("Ingetrokken")
    # The invitation was not answered within 3 months.
    VERVALLEN = "vervallen", _("Vervallen")


# The only allowed moves. None is a ketenmachtiging that does not exist yet.
TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({Status.AANVRAAG_VERSTUURD, Status.ACTIEF}),
    Status.AANVRAAG_VERSTUURD: frozenset(
        {Status.AANVRAAG_ONTVANGEN, Status.FOUT, Status.VERVALLEN, Status.INGETROKKEN}
    ),
    Status.AANVRAAG_ONTVANGEN: frozenset(
        {Status.ACTIEF, Status.INCOMPLEET, Status.FOUT, Status.INGETROKKEN}
    ),
    Status.INCOMPLEET: frozenset({Status.AANVRAAG_ONTVANGEN, Status.FOUT, Status.INGETROKKEN}),
    Status.FOUT: frozenset({Status.INGETROKKEN}),
    Status.ACTIEF: frozenset({Status.VERLOPEN, Status.INGETROKKEN}),
    Status.VERLOPEN: frozenset(),
    Status.INGETROKKEN: frozenset(),
    Status.VERVALLEN: frozenset(),
}

PENDING_STATUSES = frozenset(
    {Status.AANVRAAG_VERSTUURD, Status.AANVRAAG_ONTVANGEN, Status.INCOMPLEET, Status.FOUT}
)
# Kept for the audit trail, never shown in the overview.
HIDDEN_STATUSES = frozenset({Status.INGETROKKEN, Status.VERVALLEN})


class Tab(models.TextChoices):
    ACTIEF = "actief", _("Actief")
    WACHTEND = "wachtend", _("Wachtend op afhandeling")
    ACTIES = "acties", _("Acties")
    VERLOPEN = "verlopen", _("Verlopen")


class Leverancier(models.TextChoices):
    """eHerkenning suppliers where an already-approved ketenmachtiging can be registered."""

    DIGIDENTITY = "digidentity", "Digidentity"
    KPN = "kpn", "KPN"
    QUOVADIS = "quovadis", "QuoVadis"
    RECONI = "reconi", "Reconi"
    WE_ID = "we-id", "we-ID"
    ZLOGIN = "zlogin", "Z login"


class EventKind(models.TextChoices):
    STATUS = "status", _("Statuswijziging")
    USER_ADDED = "user_added", _("Gebruiker toegevoegd")
    USER_REMOVED = "user_removed", _("Gebruiker verwijderd")
    GROUP_ADDED = "group_added", _("Groep toegevoegd")
    GROUP_REMOVED = "group_removed", _("Groep verwijderd")
    REVOCATION_SCHEDULED = "revocation_scheduled", _("Intrekking gepland")
    REMINDER_SENT = "reminder_sent", _("Herinnering verlenging verstuurd")
    INVITATION_SENT = "invitation_sent", _("Uitnodiging verstuurd")


class ActorKind(models.TextChoices):
    PERSON = "person", _("Beheerder")
    STAFF = "staff", _("Z login medewerker")
    SYSTEM = "system", _("Systeem")


DURATION_CHOICES = [
    (5, _("5 jaar (meest gekozen)")),
    (4, _("4 jaar")),
    (3, _("3 jaar")),
    (2, _("2 jaar")),
    (1, _("1 jaar")),
]
DEFAULT_DURATION_YEARS = 5

# What each status in "Wachtend op afhandeling" means for the beheerder (manual 5.3).
STATUS_EXPLANATIONS = {
    Status.AANVRAAG_VERSTUURD: _(
        "De aanvraag is verstuurd naar uw relatie en hij moet nu de bijgeleverde instructies "
        "volgen om de ketenmachtiging te activeren. Ketenmachtigingen zijn na het versturen van "
        "de uitnodiging 3 maanden geldig."
    ),
    Status.AANVRAAG_ONTVANGEN: _("De overeenkomst is bij Z login binnengekomen."),
    Status.INCOMPLEET: _(
        "Het contract was bij binnenkomst niet compleet. Z login neemt contact op met uw relatie."
    ),
    Status.FOUT: _(
        "Er is iets misgegaan met het versturen van de uitnodiging naar uw relatie. Verwijder "
        "deze ketenmachtiging, bekijk of de ketenmachtiging al bestaat. Zo niet, probeer de "
        "ketenmachtiging nogmaals aan te vragen en controleer of u het juiste KvK-nummer heeft."
    ),
}
