from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    # Written with the change it belongs to; delivered at next_attempt_at or later.
    PENDING = "pending", _("Wachtend")
    # Done: the mail went out, the row was processed.
    DELIVERED = "delivered", _("Afgeleverd")
    # Nothing left to do when its turn came (e.g. the request was withdrawn before its mail).
    SKIPPED = "skipped", _("Niet meer nodig")
    # Refused for good, or still failing after the last attempt; last_error says why.
    FAILED = "failed", _("Mislukt")


class OutboxMessage(models.Model):
    """A side effect of a change (a mail, a step of a bulk request), written in the same
    transaction as the change and delivered by a worker from here (outbox/services.py)."""

    kind = models.CharField(_("soort"), max_length=60)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    payload = models.JSONField(_("gegevens"), default=dict, blank=True)
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), default=timezone.now)
    # When it was last handed to the broker, and last taken by a worker (its attempt counted):
    # the sweep tells a lost message from one still waiting in the queue by these.
    dispatched_at = models.DateTimeField(_("aangeboden op"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("opgepakt op"), null=True, blank=True)
    last_error = models.TextField(_("laatste fout"), blank=True)
    # The request that wrote it (its log lines and the delivery's share it).
    request_id = models.CharField(_("verzoek-ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    finished_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)

    class Meta:
        verbose_name = _("verzending")
        verbose_name_plural = _("verzendingen")
        ordering = ["-pk"]
        indexes = [
            # The sweep reads only what waits, oldest due first.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=Q(state=State.PENDING),
            ),
            models.Index(fields=["target_type", "target_id"], name="outbox_target"),
            models.Index(fields=["state", "created_at"], name="outbox_state"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.get_state_display()})"
