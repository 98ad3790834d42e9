import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.constants import Language
from accounts.models import Membership, Organisation
from accounts.validators import validate_kvk_nummer, validate_rsin
from catalogue.models import Scope

from .constants import (
    DEFAULT_DURATION_YEARS,
    DURATION_CHOICES,
    ActorKind,
    EventKind,
    Leverancier,
    Status,
)

# --- ketenmachtigingen ------------------------------------------------------------------------

REQUEST_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from paper


def new_request_code() -> str:
    """An unguessable code (60 bits) printed on the PDF form, e.g. KM-7XQ2-M9PA-K4TR."""
    chars = "".join(secrets.choice(REQUEST_CODE_ALPHABET) for _ in range(12))
    return f"KM-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


class Ketenmachtiging(Scope):
    """A relatie authorises an intermediair for a scope, for at most 5 years.

    Status and the timestamps that go with it change only through the transition engine
    (services/transitions.py), called by the actions in services/lifecycle.py and the jobs.
    """

    intermediair = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="ketenmachtigingen_van_relaties",
        verbose_name=_("intermediair"),
    )
    relatie = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="ketenmachtigingen_afgegeven",
        verbose_name=_("relatie"),
    )
    gebruikers = models.ManyToManyField(
        Membership, blank=True, related_name="ketenmachtigingen", verbose_name=_("gebruikers")
    )
    groepen = models.ManyToManyField(
        "groepen.Groep", blank=True, related_name="ketenmachtigingen", verbose_name=_("groepen")
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, editable=False, db_index=False
    )
    duration_years = models.PositiveSmallIntegerField(
        _("duur (jaren)"),
        choices=DURATION_CHOICES,
        default=DEFAULT_DURATION_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    start_date = models.DateField(_("ingangsdatum"), null=True, blank=True, editable=False)
    end_date = models.DateField(_("einddatum"), null=True, blank=True, editable=False)
    revocation_date = models.DateField(_("opzeggingsdatum"), null=True, blank=True, editable=False)
    leverancier = models.CharField(
        _("leverancier"), max_length=20, choices=Leverancier.choices, blank=True
    )
    reference = models.CharField(_("referentie"), max_length=100, blank=True)
    request_code = models.CharField(
        _("aanvraagcode"), max_length=20, unique=True, default=new_request_code, editable=False
    )
    renews = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("verlengt"),
    )

    # The contact at the relatie, who receives the invitation.
    contact_initialen = models.CharField(_("initialen"), max_length=20, blank=True)
    contact_tussenvoegsel = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    contact_achternaam = models.CharField(_("achternaam"), max_length=100, blank=True)
    contact_email = models.EmailField(_("e-mailadres"), blank=True)
    contact_telefoon = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    # The intermediair's contact, named in the invitation for questions.
    intermediair_email = models.EmailField(_("e-mailadres intermediair"), blank=True)
    intermediair_telefoon = models.CharField(
        _("telefoonnummer intermediair"), max_length=30, blank=True
    )
    language = models.CharField(
        _("voorkeurstaal ontvangers"), max_length=2, choices=Language.choices, default="nl"
    )
    personal_message = models.TextField(_("persoonlijk bericht"), max_length=1000, blank=True)

    costs_agreed_at = models.DateTimeField(_("akkoord kosten"), null=True, blank=True)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True, editable=False)
    received_at = models.DateTimeField(_("ontvangen op"), null=True, blank=True, editable=False)
    activated_at = models.DateTimeField(_("geactiveerd op"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True, editable=False)
    status_reason = models.TextField(_("toelichting status"), blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(
        _("herinnering verstuurd op"), null=True, blank=True, editable=False
    )
    # When the invitation mail was delivered (the outbox); empty while it is on its way.
    invitation_sent_at = models.DateTimeField(
        _("uitnodiging verstuurd op"), null=True, blank=True, editable=False
    )
    # The wizard draft that made it: a second submit of the same draft makes nothing new.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    # "Verwijder uit overzicht" of an expired one: gone from the Verlopen tab, kept for the trail.
    hidden_at = models.DateTimeField(
        _("verwijderd uit overzicht op"), null=True, blank=True, editable=False
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ketenmachtiging")
        verbose_name_plural = _("ketenmachtigingen")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["intermediair", "status", "end_date"]),
            models.Index(fields=["relatie", "status"]),
            models.Index(fields=["status", "end_date"]),
            models.Index(fields=["status", "sent_at"]),
            models.Index(
                fields=["revocation_date"],
                name="km_due_revocation",
                condition=Q(revocation_date__isnull=False),
            ),
            # The overview counts relaties per tab from this index alone.
            models.Index(fields=["intermediair", "status", "relatie"], name="km_tab_relaties"),
            models.Index(
                fields=["renews", "status"],
                name="km_renewals",
                condition=Q(renews__isnull=False),
            ),
            # The nightly jobs read only the rows that are due. Revoked rows keep their
            # revocation_date and reminded rows their end_date, so without these conditions
            # the history would be scanned every night. The jobs order by (date, id), which
            # only these provide: that keeps PostgreSQL on them (see jobs/due.py).
            models.Index(
                fields=["revocation_date", "id"],
                name="km_nightly_revocation",
                condition=Q(status=Status.ACTIEF, revocation_date__isnull=False),
            ),
            models.Index(
                fields=["end_date", "id"],
                name="km_nightly_reminder",
                condition=Q(
                    status=Status.ACTIEF,
                    reminder_sent_at__isnull=True,
                    revocation_date__isnull=True,
                ),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_years__gte=1, duration_years__lte=5),
                name="km_duration_1_to_5_years",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=False, end_date__gt=models.F("start_date")),
                name="km_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(intermediair=models.F("relatie")), name="km_not_to_itself"
            ),
        ]

    def __str__(self):
        return f"{self.relatie} → {self.intermediair} ({self.get_status_display()})"

    @property
    def contact_name(self) -> str:
        parts = (self.contact_initialen, self.contact_tussenvoegsel, self.contact_achternaam)
        return " ".join(p for p in parts if p)


class KetenmachtigingEvent(models.Model):
    """The audit trail: one row per change of status or assignment, written in the same
    transaction as the change."""

    ketenmachtiging = models.ForeignKey(
        Ketenmachtiging, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("soort"), max_length=30, choices=EventKind.choices)
    actor_kind = models.CharField(_("door"), max_length=10, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("persoon"),
    )
    from_status = models.CharField(_("van"), max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(_("naar"), max_length=30, choices=Status.choices, blank=True)
    note = models.TextField(_("toelichting"), blank=True)
    created_at = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("gebeurtenissen")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.from_status}→{self.to_status}"


# --- the local company register ---------------------------------------------------------------


class RegisterEntry(models.Model):
    """A company in the local register: the embedded stand-in for the KVK Handelsregister."""

    kvk_nummer = models.CharField(
        _("KVK-nummer"), max_length=8, unique=True, validators=[validate_kvk_nummer]
    )
    rsin = models.CharField(
        _("RSIN"), max_length=9, unique=True, null=True, blank=True, validators=[validate_rsin]
    )
    name = models.CharField(_("bedrijfsnaam"), max_length=200)
    straat = models.CharField(_("straat"), max_length=200, blank=True)
    huisnummer = models.CharField(_("huisnummer"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    plaats = models.CharField(_("plaats"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("bedrijf in register")
        verbose_name_plural = _("bedrijvenregister")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.kvk_nummer})"


# --- Meerdere bedrijven: an import of many relaties, sent as one request per row ------------------


class BulkRequestState(models.TextChoices):
    # Imported from the file; the beheerder is still going through Stap 1 to 4.
    DRAFT = "draft", _("Concept")
    # Submitted: one task per row is queued; rows are still waiting.
    SENDING = "sending", _("Wordt verzonden")
    # Every row was sent or failed.
    DONE = "done", _("Verwerkt")


class BulkRowState(models.TextChoices):
    # Not processed yet (before submitting, or queued).
    WAITING = "waiting", _("Wachtend")
    # The ketenmachtiging was requested; its invitation mail is queued.
    SENT = "sent", _("Verstuurd")
    # Refused; `reason` says why. The other rows go on.
    FAILED = "failed", _("Niet verstuurd")


class BulkRequest(Scope):
    """An Excel file of relaties ("Meerdere bedrijven"): the valid rows become one
    ketenmachtiging each, with the scope, gebruikers and duration chosen once for all.

    Rows refused at the import are not stored as rows; their messages are kept in `errors`
    (row, column, message) until the beheerder continues with the valid rows. What is chosen
    in Stap 2 to 4 and on the send page is stored at submit, when the state moves from draft to
    sending (ketenmachtigingen/bulk/services.py, once).
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="bulk_requests",
        verbose_name=_("organisatie"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("geïmporteerd op"), auto_now_add=True)
    filename = models.CharField(_("bestandsnaam"), max_length=255)
    state = models.CharField(
        _("status"),
        max_length=10,
        choices=BulkRequestState.choices,
        default=BulkRequestState.DRAFT,
        editable=False,
    )
    # The import's refused rows: [[row, column, message], ...], and how many rows they are.
    errors = models.JSONField(_("meldingen"), default=list, blank=True, editable=False)
    error_row_count = models.PositiveIntegerField(_("geweigerde rijen"), default=0)
    # Set when the beheerder continued with the valid rows (at once for a file without remarks).
    accepted_at = models.DateTimeField(_("geaccepteerd op"), null=True, blank=True)

    # Chosen in Stap 2 to 4 and on the send page; stored at submit.
    gebruikers = models.ManyToManyField(
        Membership, blank=True, related_name="+", verbose_name=_("gebruikers")
    )
    groepen = models.ManyToManyField(
        "groepen.Groep", blank=True, related_name="+", verbose_name=_("groepen")
    )
    duration_years = models.PositiveSmallIntegerField(
        _("duur (jaren)"),
        choices=DURATION_CHOICES,
        default=DEFAULT_DURATION_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    intermediair_email = models.EmailField(_("e-mailadres intermediair"), blank=True)
    intermediair_telefoon = models.CharField(
        _("telefoonnummer intermediair"), max_length=30, blank=True
    )
    language = models.CharField(
        _("voorkeurstaal ontvangers"), max_length=2, choices=Language.choices, default="nl"
    )
    personal_message = models.TextField(_("persoonlijk bericht"), max_length=1000, blank=True)
    costs_agreed_at = models.DateTimeField(_("akkoord kosten"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("verzonden op"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("verwerkt op"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("import meerdere bedrijven")
        verbose_name_plural = _("imports meerdere bedrijven")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "state", "created_at"])]

    def __str__(self):
        return f"{self.filename} ({self.get_state_display()})"


class BulkRequestRow(models.Model):
    """One company of a BulkRequest: as found in the register, with the contact from the file."""

    bulk_request = models.ForeignKey(BulkRequest, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("rij"))
    kvk_nummer = models.CharField(_("KVK-nummer"), max_length=8)
    # From the register at the import.
    rsin = models.CharField(_("RSIN"), max_length=9, blank=True)
    name = models.CharField(_("bedrijfsnaam"), max_length=200)
    straat = models.CharField(_("straat"), max_length=200, blank=True)
    huisnummer = models.CharField(_("huisnummer"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    plaats = models.CharField(_("plaats"), max_length=100, blank=True)
    # From the file.
    contact_initialen = models.CharField(_("voorletter(s)"), max_length=20)
    contact_tussenvoegsel = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    contact_achternaam = models.CharField(_("achternaam"), max_length=100)
    contact_email = models.EmailField(_("e-mailadres"))
    contact_telefoon = models.CharField(_("telefoonnummer"), max_length=30)
    reference = models.CharField(_("referentie"), max_length=100, blank=True)
    # E.g. the relatie already has a pending or active ketenmachtiging: shown, not refused.
    warning = models.TextField(_("waarschuwing"), blank=True)

    state = models.CharField(
        _("status"),
        max_length=10,
        choices=BulkRowState.choices,
        default=BulkRowState.WAITING,
        editable=False,
    )
    reason = models.TextField(_("reden"), blank=True, editable=False)
    ketenmachtiging = models.ForeignKey(
        Ketenmachtiging,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    processed_at = models.DateTimeField(_("verwerkt op"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("bedrijf in import")
        verbose_name_plural = _("bedrijven in import")
        ordering = ["bulk_request", "row_number"]
        indexes = [models.Index(fields=["bulk_request", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["bulk_request", "row_number"], name="bulk_row_number_unique"
            ),
            models.UniqueConstraint(
                fields=["bulk_request", "kvk_nummer"], name="bulk_row_kvk_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.kvk_nummer})"

    @property
    def contact_name(self) -> str:
        parts = (self.contact_initialen, self.contact_tussenvoegsel, self.contact_achternaam)
        return " ".join(p for p in parts if p)
