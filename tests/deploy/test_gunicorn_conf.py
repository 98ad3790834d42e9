"""gunicorn.conf.py: processes from WEB_CONCURRENCY or the container's CPU quota, no control
socket, scheme headers only from TRUSTED_PROXIES, and log lines on the app's clock (UTC)."""

import http.client
import json
import logging
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime

import pytest
from gunicorn.config import Config

from .conftest import ROOT

CONF = ROOT / "gunicorn.conf.py"
VARIABLES = (
    "WEB_CONCURRENCY",
    "WEB_WORKERS",
    "WEB_THREADS",
    "WEB_ACCESS_LOG",
    "WEB_BIND",
    "TRUSTED_PROXIES",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "DEBUG",
)


@pytest.fixture
def load(monkeypatch):
    """The file's settings, as gunicorn reads them, with the given environment."""

    def _load(**env):
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONF))

    return _load


def test_gunicorn_accepts_every_setting(load):
    namespace = load()
    config = Config()
    applied = {name for name in namespace if name in config.settings}
    for name in applied:
        config.set(name, namespace[name])

    assert {"workers", "threads", "control_socket_disable", "logconfig_dict"} <= applied
    assert config.control_socket_disable is True


def test_web_concurrency_wins_over_web_workers(load):
    assert load(WEB_CONCURRENCY="3", WEB_WORKERS="5")["workers"] == 3
    assert load(WEB_WORKERS="5")["workers"] == 5
    assert load(WEB_CONCURRENCY="", WEB_WORKERS="4")["workers"] == 4


def test_without_either_the_container_cpus(load):
    namespace = load()
    assert namespace["workers"] == namespace["container_cpus"]()
    assert namespace["threads"] == 2
    assert load(WEB_THREADS="8")["threads"] == 8


def test_a_wrong_count_is_an_error(load):
    with pytest.raises(RuntimeError, match="WEB_CONCURRENCY"):
        load(WEB_CONCURRENCY="many")


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [("200000 100000", 2), ("150000 100000", 2), ("50000 100000", 1), ("max 100000", None)],
)
def test_the_cgroup_v2_quota_bounds_the_cpus(load, tmp_path, cpu_max, expected):
    (tmp_path / "cpu.max").write_text(cpu_max + "\n")
    container_cpus = load()["container_cpus"]
    available = len(os.sched_getaffinity(0))

    assert container_cpus(str(tmp_path)) == min(available, expected or available)


def test_the_cgroup_v1_quota_bounds_the_cpus(load, tmp_path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("100000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert load()["container_cpus"](str(tmp_path)) == 1


def test_scheme_headers_only_from_the_trusted_proxies(load):
    assert load()["forwarded_allow_ips"] == ""  # not gunicorn's default 127.0.0.1
    namespace = load(TRUSTED_PROXIES="10.0.0.7/24, 192.0.2.1")
    assert namespace["forwarded_allow_ips"] == "10.0.0.0/24,192.0.2.1/32"
    Config().set("forwarded_allow_ips", namespace["forwarded_allow_ips"])  # gunicorn accepts it


def test_access_log_only_when_asked(load):
    assert load()["accesslog"] is None
    assert load(WEB_ACCESS_LOG="-")["accesslog"] == "-"


def test_log_format_follows_the_settings_default(load):
    assert load()["LOG_FORMAT"] == "json"
    assert load(DEBUG="true")["LOG_FORMAT"] == "plain"
    assert load(DEBUG="true", LOG_FORMAT="json")["LOG_FORMAT"] == "json"
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        load(LOG_FORMAT="xml")


def formatter(namespace):
    spec = dict(namespace["logconfig_dict"]["formatters"][namespace["LOG_FORMAT"]])
    return spec.pop("()")(**spec)


def utc(timestamp: str) -> datetime:
    assert timestamp.endswith("Z"), timestamp
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def test_json_lines_carry_timestamp_level_logger_event(load):
    namespace = load(LOG_FORMAT="json")
    record = logging.LogRecord(
        "gunicorn.error", logging.INFO, __file__, 1, "Booting worker with pid: %s", (42,), None
    )
    line = json.loads(formatter(namespace).format(record))

    assert set(line) == {"timestamp", "level", "logger", "event"}
    assert (line["level"], line["logger"], line["event"]) == (
        "info",
        "gunicorn.error",
        "Booting worker with pid: 42",
    )
    assert abs(utc(line["timestamp"]).timestamp() - time.time()) < 60


def test_a_request_line_has_its_fields(load):
    namespace = load(LOG_FORMAT="json")
    atoms = {"h": "203.0.113.5", "m": "GET", "U": "/inloggen/", "H": "HTTP/1.1", "s": "200"}
    atoms |= {"b": "10", "B": 10, "M": 3, "a": "curl"}
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, namespace["access_log_format"], (atoms,), None
    )
    line = json.loads(formatter(namespace).format(record))

    assert line["event"] == '203.0.113.5 "GET /inloggen/ HTTP/1.1" 200 10 3ms "curl"'
    assert (line["method"], line["path"], line["status"], line["duration_ms"]) == (
        "GET",
        "/inloggen/",
        200,
        3,
    )


def test_plain_lines_start_with_the_same_utc_timestamp(load):
    namespace = load(LOG_FORMAT="plain")
    record = logging.LogRecord("gunicorn.error", logging.INFO, __file__, 1, "hello", (), None)
    line = formatter(namespace).format(record)

    utc(line.split(" ", 1)[0])
    assert "hello" in line and "gunicorn.error" in line


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_real_gunicorn_logs_json_and_opens_no_control_socket(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in VARIABLES and key != "XDG_RUNTIME_DIR"
    }
    env |= {
        "HOME": str(tmp_path),
        "DEBUG": "true",
        "LOG_FORMAT": "json",
        "WEB_ACCESS_LOG": "-",
        "WEB_CONCURRENCY": "1",
        "WEB_BIND": f"127.0.0.1:{port}",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(CONF), "zlogin.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 30
        while status is None and time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/health/live", headers={"Host": "localhost"})
                status = conn.getresponse().status
                conn.close()
            except OSError:
                time.sleep(0.2)
        assert status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        stdout, stderr = server.communicate(timeout=30)

    lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    assert lines, stderr
    for line in lines:
        assert {"timestamp", "level", "logger", "event"} <= set(line), line
        utc(line["timestamp"])
    requests = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert [(line["path"], line["status"]) for line in requests] == [("/health/live", 200)]
    assert not (tmp_path / ".gunicorn").exists()  # no control socket
