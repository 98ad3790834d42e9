"""/health/live and /health/ready: for the load balancer, without login, never a 500 and never
slow."""

import time

import pytest
from django.db import connections
from django.test import Client

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


def test_ready_names_every_part(settings, django_assert_num_queries):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: no broker to ask

    with django_assert_num_queries(1):  # one round trip, on the request's own connection
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
