"""Announcements go through the outbox now: berichten that were read or are older than a day
count as announced; the recent unread ones not yet announced get an announcement message per
organisation (their old task may have been lost with the old task queue)."""

import datetime

from django.db import migrations
from django.db.models import F, Q
from django.utils import timezone


def forwards(apps, schema_editor):
    Bericht = apps.get_model("berichtenbox", "Bericht")
    OutboxMessage = apps.get_model("outbox", "OutboxMessage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    now = timezone.now()
    waiting = Bericht.objects.filter(announced_at__isnull=True)
    waiting.filter(
        Q(read_at__isnull=False) | Q(created_at__lt=now - datetime.timedelta(days=1))
    ).update(announced_at=F("created_at"))
    organisations = sorted(set(waiting.values_list("organisation_id", flat=True)))
    if organisations:
        content_type, _ = ContentType.objects.get_or_create(
            app_label="accounts", model="organisation"
        )
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                kind="berichtenbox.announcement",
                target_type=content_type,
                target_id=pk,
                next_attempt_at=now,
            )
            for pk in organisations
        )


class Migration(migrations.Migration):
    dependencies = [
        ("berichtenbox", "0003_announced_at"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
