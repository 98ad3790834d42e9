from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class Bericht(models.Model):
    """A message in an organisation's berichtenbox, optionally for one person."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="berichten"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="berichten",
        verbose_name=_("ontvanger"),
    )
    subject = models.CharField(_("onderwerp"), max_length=200)
    body = models.TextField(_("bericht"))
    # The same bericht in the portal's other languages: {"en": {"subject": …, "body": …}}.
    # Subject and body above are in the portal's own language (Dutch).
    translations = models.JSONField(_("vertalingen"), default=dict, blank=True)
    ketenmachtiging = models.ForeignKey(
        "ketenmachtigingen.Ketenmachtiging",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="berichten",
    )
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)
    # When the beheerders were told by e-mail that the bericht is waiting; once only.
    announced_at = models.DateTimeField(_("aangekondigd op"), null=True, blank=True)
    created_at = models.DateTimeField(_("ontvangen op"), auto_now_add=True)

    class Meta:
        verbose_name = _("bericht")
        verbose_name_plural = _("berichten")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "read_at"])]

    def __str__(self):
        return self.subject

    @property
    def localized_subject(self) -> str:
        return self._in_active_language("subject")

    @property
    def localized_body(self) -> str:
        return self._in_active_language("body")

    def _in_active_language(self, field: str) -> str:
        """The text in the reader's language when it was written in it, else as stored."""
        language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
        return self.translations.get(language, {}).get(field) or getattr(self, field)
