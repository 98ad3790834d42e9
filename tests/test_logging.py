"""Log lines: JSON in production, readable in development, one clock (UTC), and the request_id
of a request in the lines of the tasks and outbox deliveries it set off."""

import json
import logging
import os
import subprocess
import sys

import pytest
import structlog
from django.conf import settings
from django.test import Client
from django.urls import reverse

from outbox.models import OutboxMessage
from outbox.registry import register
from outbox.services import deliver, enqueue
from tests.processes import ROOT

pytestmark = pytest.mark.django_db


def formatted(format_name: str, request_id: str | None = None) -> str:
    spec = settings.LOGGING["formatters"][format_name]
    formatter = spec["()"](
        processors=spec["processors"], foreign_pre_chain=spec["foreign_pre_chain"]
    )
    record = logging.LogRecord(
        "zlogin.outbox", logging.WARNING, __file__, 1, "hello %s", ("world",), None
    )
    with structlog.contextvars.bound_contextvars(request_id=request_id):
        return formatter.format(record)


def test_production_logs_one_json_object_per_line_in_utc():
    line = json.loads(formatted("json", request_id="abc-123"))

    assert line["event"] == "hello world"
    assert (line["level"], line["logger"], line["request_id"]) == (
        "warning",
        "zlogin.outbox",
        "abc-123",
    )
    assert line["timestamp"].endswith("Z")


def test_development_logs_readable_lines_on_the_same_clock():
    line = formatted("plain", request_id="abc-123")

    assert line.split(" ", 1)[0].endswith("Z")
    assert "hello world" in line and "request_id=abc-123" in line


def test_the_request_id_of_a_trusted_proxy_goes_with_the_outbox_message(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    proxied = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    direct = Client(REMOTE_ADDR="198.51.100.7")

    proxied.post(reverse("password_reset"), {"username": "iemand"}, HTTP_X_REQUEST_ID="req-1")
    direct.post(reverse("password_reset"), {"username": "iemand"}, HTTP_X_REQUEST_ID="req-2")

    first, second = OutboxMessage.objects.order_by("pk")
    assert first.request_id == "req-1"
    assert second.request_id not in ("", "req-2")  # its own id: a client's header is not taken


def test_a_requests_log_lines_carry_the_clients_address(settings):
    from django_structlog.signals import bind_extra_request_finished_metadata

    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    bound = []

    def note(sender, **kwargs):
        bound.append(structlog.contextvars.get_contextvars()["ip"])

    bind_extra_request_finished_metadata.connect(note)
    try:
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5").get("/health/live")
        Client(
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            HTTP_X_REAL_IP="203.0.113.10",  # read by ipware: not believed either
        ).get("/health/live")
    finally:
        bind_extra_request_finished_metadata.disconnect(note)

    # Behind the trusted proxy the address it forwarded; otherwise the peer, whatever it says.
    assert bound == ["203.0.113.5", "198.51.100.7"]


def test_djangos_line_about_a_failed_answer_carries_the_requests_id_and_address(settings, caplog):
    """Django logs a 4xx/5xx after the middleware, when the request's context is cleared."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    proxied = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")

    with caplog.at_level(logging.WARNING, logger="django.request"):
        proxied.get("/bestaat-niet/", HTTP_X_REQUEST_ID="req-404")

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    spec = settings.LOGGING["formatters"]["json"]
    formatter = spec["()"](
        processors=spec["processors"], foreign_pre_chain=spec["foreign_pre_chain"]
    )
    line = json.loads(formatter.format(record))
    assert line["event"] == "Not Found: /bestaat-niet/"
    assert (line["request_id"], line["ip"]) == ("req-404", "203.0.113.5")


def test_a_delivery_logs_with_the_request_id_of_its_message():
    seen = []
    register(
        "tests.logging",
        label="test",
        deliver=lambda message: seen.append(structlog.contextvars.get_contextvars()) or True,
    )
    with structlog.contextvars.bound_contextvars(request_id="req-42"):
        message = enqueue("tests.logging")

    deliver(message.pk)

    assert message.request_id == "req-42"
    assert seen[0]["request_id"] == "req-42"


@pytest.mark.parametrize("debug", ["true", "false"])
@pytest.mark.parametrize("logger", ["django.request", "django.server"])
def test_djangos_own_lines_are_written_once_in_the_portals_format(debug, logger):
    env = {**os.environ, "DEBUG": debug, "SECRET_KEY": "x" * 50, "LOG_FORMAT": "json"}
    code = (
        "import django, logging; django.setup(); "
        f"logging.getLogger({logger!r}).warning('Not Found: /nergens/')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "zlogin.settings"},
        capture_output=True,
        text=True,
        check=True,
    )

    output = (result.stdout + result.stderr).splitlines()
    [line] = [line for line in output if "Not Found: /nergens/" in line]
    assert json.loads(line)["logger"] == logger
