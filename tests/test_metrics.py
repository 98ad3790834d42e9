"""/metrics for Prometheus: only with the bearer token (404 otherwise), no session, no login;
request latencies, the outbox's backlog, the nightly jobs' last runs and the API's checks."""

import datetime
import os
import subprocess
import sys
import textwrap
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from api import recent
from api.services import create_api_key
from berichtenbox.services import ANNOUNCEMENT
from core import metrics as core_metrics
from ketenmachtigingen import jobs
from outbox.models import OutboxMessage, State
from outbox.services import enqueue
from tests.api.conftest import CHECK_URL, check_body
from tests.api.factories import ApiClientFactory
from tests.api.situations import World
from tests.factories import (
    DienstFactory,
    DienstverlenerFactory,
    KetenmachtigingFactory,
    OrganisationFactory,
)
from tests.ketenmachtigingen.conftest import TODAY
from tests.processes import ROOT
from zlogin import metrics

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-the-tests-0123456789"
INVITATION = "ketenmachtigingen.invitation"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(token=TOKEN, **headers):
    """GET /metrics as Prometheus does: a client of its own, no cookies."""
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return Client().get("/metrics", headers=headers)


def samples(response) -> dict[tuple, float]:
    """(sample name, sorted labels) → value, from the text exposition."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(response, name: str, **labels) -> float | None:
    return samples(response).get((name, tuple(sorted(labels.items()))))


def announcement(**changes) -> OutboxMessage:
    message = enqueue(ANNOUNCEMENT, target=OrganisationFactory())
    if changes:
        OutboxMessage.objects.filter(pk=message.pk).update(**changes)
    return message


# --- not public -----------------------------------------------------------------------------


def test_without_a_token_configured_the_endpoint_is_off(settings):
    settings.METRICS_TOKEN = ""

    assert scrape(token=None).status_code == 404
    assert scrape(token="").status_code == 404
    assert scrape(token="anything").status_code == 404


def test_a_wrong_or_missing_token_gets_404(token):
    assert scrape(token=None).status_code == 404
    assert scrape(token=TOKEN + "x").status_code == 404
    assert scrape(token=TOKEN[:-1]).status_code == 404
    assert Client().get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 404
    assert Client().get("/metrics", headers={"Authorization": TOKEN}).status_code == 404


def test_the_404_is_the_one_of_any_unknown_page(token, settings):
    settings.DEBUG = False

    hidden = scrape(token="wrong")
    unknown = Client().get("/no-such-page")

    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content


def test_the_right_token_gets_the_prometheus_text_format(token):
    response = scrape()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response["Cache-Control"] == "no-store"
    assert value(response, "zlogin_metrics_collector_up", collector="outbox") == 1
    assert value(response, "zlogin_metrics_collector_up", collector="nightly_jobs") == 1


def test_openmetrics_when_prometheus_asks_for_it(token):
    response = scrape(Accept="application/openmetrics-text; version=1.0.0")

    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.endswith(b"# EOF\n")


def test_no_session_no_login_no_csrf(token):
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {TOKEN}"}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 200
    assert response.cookies == {}
    assert client.post("/metrics", headers=headers).status_code == 405


def test_prometheus_may_scrape_over_plain_http_inside_the_network(token, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert scrape().status_code == 200
    assert scrape(token=None).status_code == 404


def test_only_the_tokens_digest_is_compared(token, monkeypatch):
    """In constant time, and independent of the given token's length."""
    compared = []
    real = metrics.hmac.compare_digest
    monkeypatch.setattr(
        metrics.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b)
    )

    scrape(token="short")
    scrape()

    assert [(len(a), len(b)) for a, b in compared] == [(32, 32), (32, 32)]


# --- request latencies ----------------------------------------------------------------------


def test_request_latencies_by_view(token):
    name = "django_http_requests_latency_seconds_by_view_method_count"
    before = value(scrape(), name, view="health_live", method="GET") or 0

    Client().get("/health/live")
    response = scrape()

    assert value(response, name, view="health_live", method="GET") == before + 1
    assert value(response, "django_http_requests_latency_including_middlewares_seconds_count")
    buckets = {
        dict(labels)["le"]
        for (sample, labels) in samples(response)
        if sample == "django_http_requests_latency_seconds_by_view_method_bucket"
    }
    assert {"0.0025", "0.005", "+Inf"} <= buckets


# --- the outbox -------------------------------------------------------------------------------


def test_the_backlog_per_kind(token):
    for _ in range(3):
        announcement()
    announcement(state=State.FAILED)
    announcement(state=State.DELIVERED)

    response = scrape()

    assert value(response, "zlogin_outbox_pending", kind=ANNOUNCEMENT) == 3
    assert value(response, "zlogin_outbox_failed", kind=ANNOUNCEMENT) == 1
    # Every registered kind is there, also without messages.
    assert value(response, "zlogin_outbox_pending", kind=INVITATION) == 0
    assert value(response, "zlogin_outbox_failed", kind=INVITATION) == 0


def test_without_pending_messages_the_ages_are_zero(token):
    announcement(state=State.DELIVERED, created_at=timezone.now() - datetime.timedelta(days=1))

    response = scrape()

    assert value(response, "zlogin_outbox_oldest_pending_age_seconds") == 0
    assert value(response, "zlogin_outbox_overdue_seconds") == 0


def test_the_oldest_pending_message_and_the_longest_overdue(token):
    now = timezone.now()
    # Two hours old, waiting for its retry in ten minutes (the mail server was down).
    announcement(
        created_at=now - datetime.timedelta(hours=2),
        next_attempt_at=now + datetime.timedelta(minutes=10),
        attempts=3,
    )
    # Five minutes old and due as long: no worker took it.
    announcement(
        created_at=now - datetime.timedelta(minutes=5),
        next_attempt_at=now - datetime.timedelta(minutes=5),
    )
    # Failed and delivered ones do not count, however old.
    announcement(state=State.FAILED, created_at=now - datetime.timedelta(days=3))

    response = scrape()

    assert 2 * 3600 <= value(response, "zlogin_outbox_oldest_pending_age_seconds") < 2 * 3600 + 60
    assert 300 <= value(response, "zlogin_outbox_overdue_seconds") < 360


def test_a_scrape_costs_one_query_however_long_the_backlog(token):
    announcement()
    with CaptureQueriesContext(connection) as few:
        scrape()
    for _ in range(20):
        announcement()
    announcement(state=State.FAILED)
    with CaptureQueriesContext(connection) as many:
        response = scrape()

    assert len(few) == len(many) == 1
    assert value(response, "zlogin_outbox_pending", kind=ANNOUNCEMENT) == 21


def test_the_database_down_leaves_the_other_metrics(token, monkeypatch):
    monkeypatch.setitem(core_metrics.SOURCES, "outbox", _failing)

    response = scrape()

    assert response.status_code == 200
    assert value(response, "zlogin_metrics_collector_up", collector="outbox") == 0
    assert value(response, "zlogin_metrics_collector_up", collector="nightly_jobs") == 1
    assert value(response, "zlogin_outbox_pending", kind=ANNOUNCEMENT) is None


def _failing():
    raise RuntimeError("database down")


# --- the nightly jobs -------------------------------------------------------------------------


def test_the_nightly_jobs_last_runs(token):
    KetenmachtigingFactory(
        actief=True, start_date=datetime.date(2021, 3, 10), end_date=TODAY
    )  # ends today: expired tonight
    before = time.time()

    result = jobs.run_nightly_jobs(today=TODAY)
    response = scrape()

    assert result["expire"] == 1
    for job in jobs.JOBS:
        changed = value(response, "zlogin_nightly_job_last_changed", job=job)
        assert changed == result[job]
        assert value(response, "zlogin_nightly_job_last_duration_seconds", job=job) > 0
        ran = value(response, "zlogin_nightly_job_last_run_timestamp_seconds", job=job)
        assert before <= ran <= time.time()
        assert value(response, "zlogin_nightly_job_last_failure_timestamp_seconds", job=job) is None


def test_before_any_run_there_are_no_job_gauges(token):
    response = scrape()

    assert not [name for name, _labels in samples(response) if "nightly_job" in name]


def test_a_failed_job_is_noted_and_its_last_success_kept(token, monkeypatch):
    jobs.run_nightly_jobs(today=TODAY, only=["expire"])
    first = value(scrape(), "zlogin_nightly_job_last_run_timestamp_seconds", job="expire")

    def broken(today):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(jobs.JOBS, "expire", broken)
    with pytest.raises(RuntimeError):
        jobs.run_nightly_jobs(today=TODAY, only=["expire"])
    response = scrape()

    assert value(response, "zlogin_nightly_job_last_run_timestamp_seconds", job="expire") == first
    assert value(response, "zlogin_nightly_job_last_failure_timestamp_seconds", job="expire") > 0


def test_an_unreachable_cache_does_not_fail_the_job(token, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(core_metrics.cache, "set", unreachable)

    assert jobs.run_nightly_jobs(today=TODAY, only=["expire"]) == {"expire": 0}


# --- the API's checks -------------------------------------------------------------------------


@pytest.fixture
def world(db):
    """An intermediair, a relatie and a dienst of the UWV (tests/api/situations.py)."""
    uwv = DienstverlenerFactory(name="UWV")
    dienst = DienstFactory(dienstverlener=uwv, name="Werkgeversportaal")
    intermediair = OrganisationFactory(intermediair=True)
    return World.build(intermediair, OrganisationFactory(with_rsin=True), uwv, dienst)


@pytest.fixture
def check(world):
    """POST a check of the world's person, relatie and dienst with a key of a client that may
    ask about it."""
    # API keys and diensten remembered by an earlier test's (rolled back) ids are forgotten.
    recent.keys.clear()
    recent.diensten.clear()
    _key, plain = create_api_key(client=ApiClientFactory(dienstverleners=[world.uwv]))
    body = check_body(world.middel, world.relatie, world.dienst)

    def post(key=plain, data=None):
        return Client().post(
            CHECK_URL,
            data if data is not None else body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )

    yield post
    recent.keys.clear()
    recent.diensten.clear()


def checks_total(response) -> float:
    return sum(v for (name, _), v in samples(response).items() if name == "zlogin_api_checks_total")


def test_api_checks_by_answer(token, world, check):
    def count(answer):
        return value(scrape(), "zlogin_api_checks_total", answer=answer)

    # Every answer is there from the start.
    assert count("person_not_assigned") is not None
    refused, allowed = count("no_ketenmachtiging"), count("allowed")

    assert check().json()["reason"] == "no_ketenmachtiging"
    world.in_force(gebruikers=[world.middel])
    assert check().json()["allowed"]
    assert check().json()["allowed"]

    assert count("no_ketenmachtiging") == refused + 1
    assert count("allowed") == allowed + 2


def test_rejected_requests_are_no_checks(token, check):
    before = checks_total(scrape())

    assert check(key="wrong-key").status_code == 401
    assert check(data="{not json").status_code == 400

    assert checks_total(scrape()) == before


# --- several gunicorn processes ---------------------------------------------------------------


def test_several_processes_are_added_up(tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR each process writes its counts to the directory and a
    scrape in any process reads them all."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DEBUG": "true"}
    setup = (
        "import django; django.setup(); from api import metrics; from core import metrics as core\n"
    )

    def run(code):
        return subprocess.run(
            [sys.executable, "-c", setup + textwrap.dedent(code)],
            env={**env, "DJANGO_SETTINGS_MODULE": "zlogin.settings"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    run("for _ in range(3): metrics.count_check(allowed=True, reason=None)")
    run("metrics.count_check(allowed=False, reason='not_active')")
    exposition = run(
        """
        from prometheus_client import generate_latest
        print(generate_latest(core.process_metrics()).decode())
        """
    )

    found = {
        (sample.name, sample.labels.get("answer")): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }
    assert found["zlogin_api_checks_total", "allowed"] == 3
    assert found["zlogin_api_checks_total", "not_active"] == 1
    assert found["zlogin_api_checks_total", "unknown_person"] == 0
