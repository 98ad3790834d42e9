"""The check log written in batches (api/checklog.py): on PostgreSQL, with real commits, a real
writing thread and a real gunicorn server."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from api import checklog
from api.models import ApiKey, CheckLog
from api.services import create_api_key
from ketenmachtigingen.models import Ketenmachtiging

from .conftest import CHECK_URL, check_body
from .factories import ApiClientFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="batches need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def batched(settings):
    """Rows are written when a batch is full or when asked: not while a test looks."""
    settings.API_CHECK_LOG_FLUSH_SECONDS = 60


@pytest.fixture
def allowed(world):
    km = world.in_force(gebruikers=[world.middel])
    return km, check_body(world.middel, world.relatie, world.dienst)


def eventually(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


def test_a_check_is_answered_with_the_id_its_log_row_gets(api, allowed, batched):
    km, body = allowed

    answer = api.check(body).json()

    assert answer["allowed"] is True
    assert not CheckLog.objects.exists()  # waiting in the process
    assert checklog.writer.flush() == 1
    log = CheckLog.objects.get()
    assert (log.pk, log.allowed, log.ketenmachtiging_id) == (answer["check_id"], True, km.pk)
    # Every field as the client sent it (choices stored as their values, not their names).
    assert (log.intermediair_kvk, log.pseudonym, log.relatie_type, log.relatie_value) == (
        body["intermediair"],
        body["pseudonym"],
        body["relatie"]["type"],
        body["relatie"]["value"],
    )
    assert (log.dienst_identifier, log.loa, log.reason) == (body["dienst"], 30, "allowed")
    assert log.created_at is not None and log.created_at.tzinfo is not None
    km.refresh_from_db()
    assert km.last_used_at is not None


def test_a_full_batch_is_written_by_the_thread(api, allowed, batched, monkeypatch):
    monkeypatch.setattr(checklog, "MAX_BATCH", 3)
    _km, body = allowed

    ids = {api.check(body).json()["check_id"] for _ in range(3)}

    eventually(lambda: set(CheckLog.objects.values_list("pk", flat=True)) == ids)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_writing_thread_that_died_is_replaced(api, allowed, batched, monkeypatch):
    monkeypatch.setattr(checklog, "MAX_BATCH", 2)
    _km, body = allowed
    checklog.writer.stop()
    with monkeypatch.context() as broken:
        broken.setattr(checklog.writer, "_run", lambda stopping: 1 / 0)  # an unexpected error
        first = api.check(body).json()["check_id"]
        eventually(lambda: not checklog.writer._thread.is_alive())

    second = api.check(body).json()["check_id"]  # a full batch, for a new thread

    eventually(lambda: set(CheckLog.objects.values_list("pk", flat=True)) == {first, second})


def test_rows_wait_while_the_database_cannot_be_written(api, allowed, batched, caplog):
    _km, body = allowed
    ids = {api.check(body).json()["check_id"] for _ in range(2)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with psycopg.connect(**_connect_kwargs(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])

    assert checklog.writer.flush() == 0  # its connection was closed by the server
    assert "Writing 2 check log rows failed" in caplog.text
    assert checklog.writer.flush() == 2  # on a new connection
    assert set(CheckLog.objects.values_list("pk", flat=True)) == ids


def test_a_ketenmachtiging_deleted_before_the_write_is_not_referred_to(api, allowed, batched):
    km, body = allowed
    answer = api.check(body).json()
    Ketenmachtiging.objects.filter(pk=km.pk).delete()

    assert checklog.writer.flush() == 1
    log = CheckLog.objects.get()
    assert (log.pk, log.allowed, log.ketenmachtiging_id) == (answer["check_id"], True, None)


def test_a_stopped_server_writes_every_answered_check(allowed, api_key):
    """gunicorn's workers stop on SIGTERM; what they hold is written on their way out."""
    _km, body = allowed
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "zlogin.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
        ],  # fmt: skip
        cwd=ROOT,
        env={**os.environ, **_server_settings()},
        start_new_session=True,
    )
    try:
        eventually(lambda: _get(port, "/api/health") == 200, seconds=30)
        ids = set()
        for _ in range(20):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request(
                "POST",
                CHECK_URL,
                json.dumps(body),
                {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
            )
            ids.add(json.loads(conn.getresponse().read())["check_id"])
            conn.close()
        assert not CheckLog.objects.exists()  # every row still waits in a worker
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    assert set(CheckLog.objects.values_list("pk", flat=True)) == ids


def _connect_kwargs() -> dict:
    s = connection.settings_dict
    return {
        "dbname": s["NAME"],
        "user": s["USER"],
        "password": s["PASSWORD"],
        "host": s["HOST"],
        "port": s["PORT"],
    }


def _server_settings() -> dict:
    """Production settings against the test database; the log written only at the stop."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return {
        "DATABASE_URL": (
            f"postgres://{s['USER']}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}"
            f"/{s['NAME']}"
        ),
        "DEBUG": "false",
        "SECRET_KEY": "test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "CACHE_URL": "locmemcache://",
        "API_CHECK_LOG_FLUSH_SECONDS": "600",
        "LOG_LEVEL": "WARNING",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None


def test_rows_of_a_deleted_client_do_not_hold_back_the_others(
    api, world, allowed, batched, api_client_row, caplog
):
    """PROTECT only sees rows already written: a client deleted while its checks wait."""
    _km, body = allowed
    theirs = api.check(body).json()["check_id"]
    ApiKey.objects.filter(client=api_client_row).delete()
    api_client_row.delete()
    other = ApiClientFactory(dienstverleners=world.dienstverleners)
    _key, plain = create_api_key(client=other)
    ours = api.check(body, key=plain).json()["check_id"]

    assert checklog.writer.flush() == 1
    assert list(CheckLog.objects.values_list("pk", flat=True)) == [ours]
    assert theirs != ours and "deleted API client" in caplog.text
    assert checklog.writer.flush() == 0  # nothing left waiting


def test_rows_written_before_a_lost_commit_answer_are_not_written_twice(api, allowed, batched):
    _km, body = allowed
    first = api.check(body).json()["check_id"]
    with checklog.writer._lock:
        waiting = [dict(row) for row in checklog.writer._rows]
    assert checklog.writer.flush() == 1
    # As if the commit's answer was lost: the same rows wait again, with a new one.
    checklog.writer._keep(waiting, {})
    second = api.check(body).json()["check_id"]

    assert checklog.writer.flush() == 1
    assert sorted(CheckLog.objects.values_list("pk", flat=True)) == sorted([first, second])


def test_waiting_rows_are_capped(api, allowed, batched, monkeypatch, caplog):
    monkeypatch.setattr(checklog, "MAX_WAITING", 2)
    _km, body = allowed

    ids = [api.check(body).json()["check_id"] for _ in range(3)]

    assert "The check log lost 1 rows" in caplog.text
    assert checklog.writer.flush() == 2
    assert sorted(CheckLog.objects.values_list("pk", flat=True)) == sorted(ids[1:])
