"""API clients (dienstverleners, brokers), their keys, and the log of every check."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.models import Dienst, Dienstverlener
from ketenmachtigingen.models import Ketenmachtiging
from ketenmachtigingen.selectors import Reason


class ApiClient(models.Model):
    """A party that asks the authorization API, e.g. a dienstverlener or a broker."""

    name = models.CharField(_("naam"), max_length=200, unique=True)
    active = models.BooleanField(_("actief"), default=True)
    dienstverleners = models.ManyToManyField(
        Dienstverlener,
        blank=True,
        related_name="api_clients",
        verbose_name=_("dienstverleners"),
        help_text=_("De client mag alleen vragen naar diensten van deze dienstverleners."),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("API-client")
        verbose_name_plural = _("API-clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """A client's key. Only its SHA-256 hash is stored; the key itself is shown once."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="keys", verbose_name=_("API-client")
    )
    name = models.CharField(_("omschrijving"), max_length=100, blank=True)
    # The first characters of the key, to recognise it; not secret, not enough to use it.
    prefix = models.CharField(_("begin van de sleutel"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")
        ordering = ["client__name", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.client})"


class RelatieType(models.TextChoices):
    """The identifier types of eHerkenning's EntityConcernedID that name a relatie."""

    KVK = "urn:etoegang:1.9:EntityConcernedID:KvKnr", _("KVK-nummer")
    RSIN = "urn:etoegang:1.9:EntityConcernedID:RSIN", _("RSIN")


class CheckLog(models.Model):
    """One answered check: who asked what, and the answer. Written for every 200 answer."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, related_name="+", verbose_name=_("API-client")
    )
    intermediair_kvk = models.CharField(_("KVK-nummer intermediair"), max_length=8)
    pseudonym = models.CharField(_("pseudoniem"), max_length=64)
    relatie_type = models.CharField(_("soort nummer relatie"), max_length=50, choices=RelatieType)
    relatie_value = models.CharField(_("nummer relatie"), max_length=9)
    # As asked (ServiceUUID or ServiceID); `dienst` is empty when it named no known dienst.
    dienst_identifier = models.CharField(_("dienst zoals gevraagd"), max_length=100)
    dienst = models.ForeignKey(
        Dienst,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dienst"),
    )
    loa = models.PositiveSmallIntegerField(_("gevraagd EH-niveau"))
    allowed = models.BooleanField(_("toegestaan"))
    reason = models.CharField(_("reden"), max_length=30)
    ketenmachtiging = models.ForeignKey(
        Ketenmachtiging,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ketenmachtiging"),
    )
    created_at = models.DateTimeField(_("tijdstip"), auto_now_add=True)

    class Meta:
        verbose_name = _("autorisatiecontrole")
        verbose_name_plural = _("autorisatiecontroles")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        answer = Reason.ALLOWED.value if self.allowed else self.reason
        return f"{self.client_id} {self.pseudonym} {self.relatie_value}: {answer}"
