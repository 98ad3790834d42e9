"""The dienstencatalogus and the Scope shared by ketenmachtigingen and groepen."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.constants import EHNiveau


class Dienstverlener(models.Model):
    """A (public) service provider, identified by its OIN."""

    name = models.CharField(_("naam"), max_length=200)
    oin = models.CharField(
        "OIN",
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^\d{20}$", _("Een OIN bestaat uit 20 cijfers."))],
    )
    is_belastingdienst = models.BooleanField(
        _("Belastingdienst"),
        default=False,
        help_text=_(
            "Middelen die alleen bij de Belastingdienst gelden, mogen hier worden gebruikt."
        ),
    )

    class Meta:
        verbose_name = _("dienstverlener")
        verbose_name_plural = _("dienstverleners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Dienst(models.Model):
    """A service of a dienstverlener, as listed in the eHerkenning dienstencatalogus."""

    dienstverlener = models.ForeignKey(
        Dienstverlener, on_delete=models.PROTECT, related_name="diensten"
    )
    name = models.CharField(_("naam"), max_length=200)
    service_uuid = models.UUIDField("ServiceUUID", unique=True)
    # n in the ServiceID urn:etoegang:DV:<OIN>:services:<n>
    service_index = models.PositiveIntegerField(_("dienstnummer"))
    min_eh_niveau = models.PositiveSmallIntegerField(
        _("minimaal EH-niveau"), choices=EHNiveau.choices, default=EHNiveau.EH3
    )
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("dienst")
        verbose_name_plural = _("diensten")
        ordering = ["dienstverlener__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["dienstverlener", "service_index"], name="unique_service_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.dienstverlener.name})"

    @property
    def service_id(self) -> str:
        return f"urn:etoegang:DV:{self.dienstverlener.oin}:services:{self.service_index}"


class Scope(models.Model):
    """Which diensten something covers: all, whole dienstverleners, or single diensten.

    Shared by a ketenmachtiging (what the relatie granted) and a groep (what its members may use).
    """

    algemene_bevoegdheid = models.BooleanField(_("algemene bevoegdheid"), default=False)
    dienstverleners = models.ManyToManyField(
        Dienstverlener, blank=True, related_name="+", verbose_name=_("dienstverleners")
    )
    diensten = models.ManyToManyField(
        Dienst, blank=True, related_name="+", verbose_name=_("diensten")
    )

    class Meta:
        abstract = True

    def covers(self, dienst: Dienst) -> bool:
        """Whether the scope includes the dienst. Uses prefetched relations when present."""
        if self.algemene_bevoegdheid:
            return True
        dienstverlener_ids, dienst_ids = self._scope_ids()
        return dienst.dienstverlener_id in dienstverlener_ids or dienst.pk in dienst_ids

    def _scope_ids(self) -> tuple[frozenset[int], frozenset[int]]:
        # Read once per instance: covers() is asked for every dienst of the catalogue.
        if not hasattr(self, "_scope_ids_cache"):
            self._scope_ids_cache = (
                frozenset(d.pk for d in self.dienstverleners.all()),
                frozenset(d.pk for d in self.diensten.all()),
            )
        return self._scope_ids_cache
