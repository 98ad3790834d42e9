"""The check log is kept for API_CHECK_LOG_RETENTION_DAYS."""

import datetime

import pytest
from django.utils import timezone

from api import retention
from api.models import CheckLog
from api.prepared import insert

from .factories import ApiClientFactory

pytestmark = pytest.mark.django_db


def _logged(client, when):
    return insert(
        CheckLog,
        client_id=client.pk,
        intermediair_kvk="12345678",
        pseudonym="p",
        relatie_type="urn:etoegang:1.9:EntityConcernedID:KvKnr",
        relatie_value="87654321",
        dienst_identifier="x",
        loa=30,
        allowed=False,
        reason="unknown_dienst",
        created_at=when,
    )


def test_rows_older_than_the_retention_period_are_deleted(settings, monkeypatch):
    settings.API_CHECK_LOG_RETENTION_DAYS = 180
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)  # more than one batch
    client = ApiClientFactory()
    now = timezone.now()
    old = [_logged(client, now - datetime.timedelta(days=181, minutes=i)) for i in range(5)]
    kept = [
        _logged(client, now - datetime.timedelta(days=179)),
        _logged(client, now - datetime.timedelta(days=1)),
    ]

    assert retention.prune_check_log(now=now) == len(old)

    assert sorted(CheckLog.objects.values_list("pk", flat=True)) == sorted(kept)
    assert retention.prune_check_log(now=now) == 0


def test_the_pruning_is_a_nightly_beat_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["prune-check-log"]
    assert entry["task"] == "api.tasks.prune_check_log_task"
    from api.tasks import prune_check_log_task

    assert prune_check_log_task.name == entry["task"]
