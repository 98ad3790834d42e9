"""The hot path's precompiled queries and writes (api/prepared.py)."""

import datetime

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from api.models import ApiKey, CheckLog
from api.prepared import insert, touch
from api.services import create_api_key

from .factories import ApiClientFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements and async commit"
)


def _log(client, **changes):
    values = {
        "client_id": client.pk,
        "intermediair_kvk": "12345678",
        "pseudonym": "p",
        "relatie_type": "urn:etoegang:1.9:EntityConcernedID:KvKnr",
        "relatie_value": "87654321",
        "dienst_identifier": "x",
        "dienst_id": None,
        "loa": 30,
        "allowed": False,
        "reason": "unknown_dienst",
        "ketenmachtiging_id": None,
        "created_at": timezone.now(),
    }
    return {**values, **changes}


@pytest.mark.django_db
@pytest.mark.parametrize("durable", [True, False])
def test_insert_returns_the_pk_of_the_stored_row(durable):
    client = ApiClientFactory()

    pk = insert(CheckLog, durable=durable, **_log(client, pseudonym="abc"))

    assert CheckLog.objects.get(pk=pk).pseudonym == "abc"


@pytest.mark.django_db
def test_touch_sets_a_timestamp_only_when_it_is_older():
    key, _plain = create_api_key(client=ApiClientFactory())
    now = timezone.now()

    touch(ApiKey, key.pk, "last_used_at", now, unless_since=now - datetime.timedelta(minutes=5))
    later = now + datetime.timedelta(minutes=1)
    touch(ApiKey, key.pk, "last_used_at", later, unless_since=later - datetime.timedelta(minutes=5))

    key.refresh_from_db()
    assert key.last_used_at == now


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_undurable_write_does_not_change_the_connections_commit_mode():
    """Outside a test transaction: the statement commits on its own, asynchronously, and the
    connection's next transaction waits for the disk again."""
    client = ApiClientFactory()

    pk = insert(CheckLog, durable=False, **_log(client))

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
    assert CheckLog.objects.filter(pk=pk).exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_checks_queries_are_prepared_on_the_server(api, some_body):
    api.check(some_body)
    api.check(some_body)

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any("api_apikey" in s for s in statements)
    assert any("catalogue_dienst" in s for s in statements)
    assert any("LEFT JOIN LATERAL" in s for s in statements)  # the middel with the rule
    assert any("nextval" in s for s in statements)  # the log rows' ids, taken in blocks


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_read_on_a_connection_the_server_closed_is_made_again(api, some_body):
    """No health-check round trip per request: after a database restart the check's read
    fails once on the old connection and is retried on a new one."""
    before = api.check(some_body).json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    s = connection.settings_dict
    with psycopg.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"],
        autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_terminate_backend(%s)", [pid])

    response = api.check(some_body)

    assert response.status_code == 200
    assert response.json()["reason"] == before["reason"] == "no_ketenmachtiging"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_deallocated_on_the_server_is_prepared_again(api, some_body):
    """A connection pooler or DISCARD ALL can drop the session's prepared statements."""
    before = api.check(some_body).json()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")

    response = api.check(some_body)

    assert response.status_code == 200
    assert response.json()["reason"] == before["reason"] == "no_ketenmachtiging"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%LATERAL%"]
        )
        assert cursor.fetchone() == (1,)
