import pytest
from django.utils import translation

from audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _dutch():
    """Descriptions and labels are compared in the product's language."""
    with translation.override("nl"):
        yield


def trail() -> list[tuple]:
    """Every audit event, oldest first: (kind, actor, actor_name, organisation_id, target,
    target_label, before, after)."""
    return [
        (
            e.kind,
            e.actor,
            e.actor_name,
            e.organisation_id,
            (e.target_content_type.model, e.target_id),
            e.target_label,
            e.before,
            e.after,
        )
        for e in AuditEvent.objects.select_related("target_content_type").order_by("pk")
    ]
