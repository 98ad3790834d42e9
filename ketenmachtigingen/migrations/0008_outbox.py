"""Side effects through the outbox: when the invitation went out, the wizard's submission key,
and outbox messages for what was still to be sent when this version arrived."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.utils import timezone


def forwards(apps, schema_editor):
    Ketenmachtiging = apps.get_model("ketenmachtigingen", "Ketenmachtiging")
    KetenmachtigingEvent = apps.get_model("ketenmachtigingen", "KetenmachtigingEvent")
    BulkRequestRow = apps.get_model("ketenmachtigingen", "BulkRequestRow")
    OutboxMessage = apps.get_model("outbox", "OutboxMessage")
    ContentType = apps.get_model("contenttypes", "ContentType")

    sent = KetenmachtigingEvent.objects.filter(
        ketenmachtiging=OuterRef("pk"), kind="invitation_sent"
    ).order_by("created_at")
    Ketenmachtiging.objects.filter(invitation_sent_at__isnull=True).update(
        invitation_sent_at=Subquery(sent.values("created_at")[:1])
    )

    # Invitations and bulk rows that were queued as Celery tasks before: now outbox messages.
    def outbox(kind, model, ids):
        content_type, _ = ContentType.objects.get_or_create(
            app_label="ketenmachtigingen", model=model
        )
        now = timezone.now()
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                kind=kind, target_type=content_type, target_id=pk, next_attempt_at=now
            )
            for pk in ids
        )

    outbox(
        "ketenmachtigingen.invitation",
        "ketenmachtiging",
        Ketenmachtiging.objects.filter(
            status="aanvraag_verstuurd", invitation_sent_at__isnull=True
        ).values_list("pk", flat=True),
    )
    outbox(
        "ketenmachtigingen.bulk_row",
        "bulkrequestrow",
        BulkRequestRow.objects.filter(
            state="waiting", bulk_request__state="sending"
        ).values_list("pk", flat=True),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("ketenmachtigingen", "0007_nightly_job_indexes_ordered"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ketenmachtiging",
            name="invitation_sent_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="uitnodiging verstuurd op"
            ),
        ),
        migrations.AddField(
            model_name="ketenmachtiging",
            name="submission_key",
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
