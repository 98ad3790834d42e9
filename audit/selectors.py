"""Public API for reading the audit trail."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent

__all__ = ["history_of"]


def history_of(target: models.Model) -> models.QuerySet[AuditEvent]:
    """The events of one target, newest first (one query; the person's name is on the row).

    A target with an `organisation_id` gets only the events of its own organisation: the
    caller has scoped the target to the active organisation, and the trail follows.
    """
    events = AuditEvent.objects.filter(
        target_content_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )
    organisation_id = getattr(target, "organisation_id", None)
    if organisation_id is not None:
        events = events.filter(organisation_id=organisation_id)
    return events.order_by("-created_at", "-pk")
