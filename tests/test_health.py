"""/health/live and /health/ready: for the load balancer, without login, never a 500 and never
slow."""

import logging
import time

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client, override_settings

from tests.databases import postgresql_only
from tests.network import closed_port
from tests.processes import RedisServer
from zlogin import health

pytestmark = pytest.mark.django_db


def ready(client=None):
    started = time.monotonic()
    response = (client or Client()).get("/health/ready")
    return response, time.monotonic() - started


def test_live_answers_without_the_database_or_a_session(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/health/live")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-store" in response["Cache-Control"]
    assert response.cookies == {}


def test_ready_names_every_part(settings, django_assert_max_num_queries):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: no broker to ask

    # One SELECT 1 on the request's own connection (on PostgreSQL not through Django's cursor).
    with django_assert_max_num_queries(1):
        response, _seconds = ready()

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "static": "ok"},
    }


@pytest.fixture
def broker_at(settings):
    def point(url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url

    return point


def test_ready_asks_the_broker(broker_at):
    if not RedisServer.available():
        pytest.skip("redis-server is not installed")
    with RedisServer() as broker:
        broker_at(broker.url)
        response, _seconds = ready()

    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_an_unreachable_broker_is_503_at_once(broker_at):
    broker_at(f"redis://127.0.0.1:{closed_port()}/0")

    response, seconds = ready()

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"] == "unable to connect"
    assert body["checks"]["database"] == "ok"
    assert seconds < 3


def test_a_broker_that_does_not_answer_is_503_within_its_time_limit(broker_at):
    if not RedisServer.available():
        pytest.skip("redis-server is not installed")
    with RedisServer() as broker:
        broker_at(broker.url)
        broker.freeze()
        try:
            response, seconds = ready()
        finally:
            broker.thaw()

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "no answer in time"
    # The check's own limit plus the rest of the request (database and cache checks, Django)
    # on a machine that may be busy: seconds, never a broker client's own long waits.
    assert seconds < health.TIMEOUT.total_seconds() + 3


def test_uncollected_static_files_are_503(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path  # nothing collected there
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response, _seconds = ready()

    assert response.status_code == 503
    assert "the static files were not collected" in response.json()["checks"]["static"]


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_is_503_at_once(monkeypatch, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    unreachable = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": closed_port(),
        "NAME": "zlogin",
        "OPTIONS": {"connect_timeout": 2},
    }
    monkeypatch.setitem(connections.settings, "unreachable", unreachable)
    monkeypatch.setattr(health, "DATABASE_ALIAS", "unreachable")

    response, seconds = ready()

    assert response.status_code == 503
    assert response.json()["checks"]["database"] != "ok"
    assert response.json()["checks"]["cache"] == "ok"
    assert seconds < 4


def test_plain_http_health_checks_are_not_sent_to_https(settings):
    """Behind the TLS proxy the portal redirects http to https, but the container's own health
    check and the load balancer ask over plain http inside the network."""
    settings.SECURE_SSL_REDIRECT = True
    settings.CELERY_TASK_ALWAYS_EAGER = True

    assert Client().get("/health/live").status_code == 200
    assert ready()[0].status_code == 200
    assert Client().get("/inloggen/").status_code == 301


def test_an_unreachable_cache_is_503_and_named(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }

    with override_settings(CACHES={"default": unreachable}):
        response, seconds = ready()

    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "unable to connect",
        "static": "ok",
    }
    assert seconds < 3


def test_whatever_a_part_raises_is_a_503_naming_it(monkeypatch, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def broken():
        raise RuntimeError("unexpected")

    monkeypatch.setattr(health, "static_manifest", broken)

    response, _seconds = ready()

    assert response.status_code == 503
    assert response.json()["checks"]["static"] == "unavailable (RuntimeError)"


def test_the_brokers_password_is_neither_shown_nor_logged(broker_at, caplog):
    broker_at(f"redis://:geheim-wachtwoord@127.0.0.1:{closed_port()}/0")

    with caplog.at_level(logging.WARNING, logger="zlogin.health"):
        response, _seconds = ready()

    assert response.json()["checks"]["broker"] == "unable to connect"
    assert "geheim" not in response.content.decode()
    assert "health: broker is not ready" in caplog.text  # the operator learns why
    assert "geheim" not in caplog.text


def _terminate_backend_of(conn) -> None:
    s = conn.settings_dict
    with psycopg.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"],
        autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_terminate_backend(%s)", [conn.connection.info.backend_pid])


@postgresql_only("a connection the server closes")
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_database_dropped_is_replaced_without_a_503(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert ready()[0].status_code == 200
    before = connection.connection.info.backend_pid
    _terminate_backend_of(connection)  # as a database restart does

    response, _seconds = ready()

    assert response.status_code == 200
    assert connection.connection.info.backend_pid != before


@postgresql_only("libpq's connection options")
def test_a_silent_database_server_is_an_error_within_seconds():
    """A frozen host or a network cut without a reset: the kernel gives up on unanswered data
    after tcp_user_timeout and on an idle connection through keepalives, not after minutes."""
    connection.ensure_connection()
    options = {
        option.keyword.decode(): (option.val or b"").decode()
        for option in connection.connection.pgconn.info
    }

    assert options["tcp_user_timeout"] == "5000"
    assert options["connect_timeout"] == "5"
    assert (options["keepalives"], options["keepalives_idle"]) == ("1", "30")
