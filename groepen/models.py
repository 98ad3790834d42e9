from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation
from catalogue.models import Scope


class Groep(Scope):
    """A uniquely named set of gebruikers of one organisation and the diensten they may use.

    The inherited scope is the groep's toegestane diensten: Algemene bevoegdheid, or the
    diensten and whole dienstverleners chosen under "Beperk toegestane diensten".
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="groepen")
    name = models.CharField(_("naam"), max_length=100)
    members = models.ManyToManyField(
        Membership, blank=True, related_name="groepen", verbose_name=_("gebruikers")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("groep")
        verbose_name_plural = _("groepen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="groep_name_unique_per_organisation"
            ),
        ]

    def __str__(self):
        return self.name
