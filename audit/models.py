from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import AuditKind
from .descriptions import describe


class AuditEvent(models.Model):
    """One change to something an organisation manages: who, when, what, before and after.

    The trail outlives what it describes: the organisation, the person and the target may be
    deleted and the row stays, with the person's name and the target's label as they were.
    `before` and `after` hold plain values (names, sorted lists of names, booleans, counts); an
    empty side is null (nothing before a creation, nothing after a deletion). Rows are written
    only by audit/services.py, inside the transaction of the change.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # audit_organisation_recent starts with it
        verbose_name=_("organisatie"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("persoon"),
    )
    # The person's name at the time: it stays when the person is deleted.
    actor_name = models.CharField(_("door"), max_length=200, blank=True)
    kind = models.CharField(_("soort"), max_length=40, choices=AuditKind.choices)
    target_content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # audit_target_history starts with it
        verbose_name=_("soort object"),
    )
    target_id = models.PositiveBigIntegerField(_("id van het object"))
    target = GenericForeignKey("target_content_type", "target_id")
    # The target's name at the time (a groep's name, a file name): it stays when it is deleted.
    target_label = models.CharField(_("object"), max_length=255)
    before = models.JSONField(_("voor"), null=True, blank=True)
    after = models.JSONField(_("na"), null=True, blank=True)
    created_at = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("auditgebeurtenis")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The history of one target (a groep's page), newest first.
            models.Index(
                fields=["target_content_type", "target_id", "-created_at", "-id"],
                name="audit_target_history",
            ),
            # An organisation's trail, newest first.
            models.Index(fields=["organisation", "-created_at"], name="audit_organisation_recent"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.target_label}"

    @property
    def description(self) -> list[str]:
        """What changed, in readable lines in the active language (audit/descriptions.py)."""
        return describe(self.kind, self.before, self.after)
