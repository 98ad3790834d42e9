"""The production shape, run as an operator would (README.md, "Production without Docker"):
DEBUG off, a database of its own migrated from nothing, collectstatic, gunicorn with
gunicorn.conf.py, a Celery worker and beat on a Redis broker, a second Redis as the cache, and
SMTP to a local mail server. Nothing of the portal runs inside the test process: it only talks
HTTP (a browser and urllib) and SMTP, as the outside world does.

The database is PostgreSQL when the suite runs on it (CI), otherwise an SQLite file.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.browser import launch_chromium, oathtool_code
from tests.mailserver import MailServer
from tests.network import closed_port
from tests.processes import ROOT, CeleryWorker, RedisServer, wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.integration,
    pytest.mark.skipif(not RedisServer.available(), reason="needs redis-server"),
    # The Redis result backend inside celery 5.7 with redis-py 8, not this code.
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]

# The demo's beheerder (README.md, "Demo logins") and a company in the local register.
BEHEERDER, PASSWORD, TOTP_SECRET = "beheerder", "Ketenmachtiging-2026", "JBSWY3DPEHPK3PXP"
# A company in the demo's register without a ketenmachtiging yet.
RELATIE_KVK, RELATIE_NAME = "32889900", "Zonnepanelen Noord B.V."
RELATIE_EMAIL = "j.zon@zonnepanelen.example.nl"
METRICS_TOKEN = secrets.token_urlsafe(32)


@contextmanager
def own_database(directory: Path):
    """An empty database for the portal under test: a new PostgreSQL database beside the
    suite's (same server and role), dropped afterwards; or an SQLite file."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield f"sqlite:///{directory / 'portal.sqlite3'}"
        return
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    name = f"zlogin_smoke_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user, password = params.get("user") or "", params.get("password") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = params.get("host") or "127.0.0.1", params.get("port") or 5432
    try:
        yield f"postgres://{credentials}{host}:{port}/{name}"
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Portal:
    """The portal's processes and the environment they share (as in .env)."""

    def __init__(self, env: dict[str, str], directory: Path, port: int):
        self.env = env
        self.directory = directory
        self.url = f"http://127.0.0.1:{port}"
        self.gunicorn: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None

    def manage(self, *args: str, **extra_env: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-4000:]}"
        return result.stdout

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.directory / f"{name}.log", "wb")  # noqa: SIM115 (the process's stdout)
        return subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def log(self, name: str) -> str:
        return (self.directory / f"{name}.log").read_text(errors="replace")

    def start_web(self) -> None:
        # As the image's CMD.
        self.gunicorn = self._start(
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "zlogin.wsgi"],
        )
        wait_until(
            lambda: get(f"{self.url}/health/live")[0] == 200,
            60,
            what="gunicorn answering",
            retry_on=(OSError,),
        )

    def start_beat(self) -> None:
        schedule = self.directory / "celerybeat-schedule"
        self.beat = self._start(
            "beat",
            # As docker-compose.yml's beat.
            [
                *(sys.executable, "-m", "celery", "--app=zlogin", "--quiet", "beat"),
                *("--loglevel=INFO", f"--schedule={schedule}"),
            ],
        )

    def stop(self) -> None:
        for process in (self.gunicorn, self.beat):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def complete_lines(text: str) -> list[str]:
    """The lines of a log a process is still writing, without the one it is in the middle of."""
    lines = text.splitlines()
    return lines if text.endswith("\n") else lines[:-1]


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """GET without a browser: status, headers and body; an error status is an answer too."""
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 (local)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def portal(django_db_blocker):
    """The portal in production shape with the demo data, and the mail server it sends to."""
    directory = Path(tempfile.mkdtemp(prefix="zlogin-smoke-"))
    port = closed_port()
    with ExitStack() as stack:
        broker = stack.enter_context(RedisServer())
        cache = stack.enter_context(RedisServer())
        mailserver = stack.enter_context(MailServer())
        with django_db_blocker.unblock():
            database_url = stack.enter_context(own_database(directory))
        # Only what the operator sets (.env.example); nothing of the suite's own environment.
        env = {
            key: value
            for key, value in os.environ.items()
            if key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
        }
        env |= {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
            "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker.url,
            "CACHE_URL": cache.url.removesuffix("/0") + "/1",
            "EMAIL_URL": mailserver.url,
            "STATIC_ROOT": str(directory / "static"),
            "MEDIA_ROOT": str(directory / "media"),
            "WEB_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "WEB_ACCESS_LOG": "-",
            "PROMETHEUS_MULTIPROC_DIR": str(directory / "prometheus"),
            "METRICS_TOKEN": METRICS_TOKEN,
            # Plain http on localhost: no TLS proxy in front here.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
        }
        portal = Portal(env, directory, port)
        portal.mailserver = mailserver
        portal.broker = broker
        stack.callback(portal.stop)

        portal.manage("migrate", "--noinput")
        # The demo people and companies (the one command that needs DEBUG: it prints passwords).
        portal.manage("demo_data", DEBUG="true")
        portal.manage("collectstatic", "--noinput")
        portal.start_web()
        portal.worker = stack.enter_context(CeleryWorker(env, concurrency=2, name="smoke-worker"))
        portal.start_beat()
        yield portal
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def page(browser, portal):
    """The demo beheerder, logged in once: a TOTP code is accepted only once."""
    context = browser.new_context(base_url=portal.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page)
    yield page
    context.close()


def log_in(page) -> None:
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(BEHEERDER)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_label("Code").fill(oathtool_code(TOTP_SECRET))
    page.get_by_role("button", name="Bevestig code").click()
    page.get_by_role("link", name="+ Voeg toe").wait_for()


def test_the_login_page_and_its_stylesheet_load_from_the_collected_files(portal):
    status, headers, body = get(f"{portal.url}/inloggen/")
    assert status == 200
    assert b"Gebruikersnaam" in body
    # The stylesheet under its hashed name from the manifest (collectstatic), served by
    # whitenoise with a long cache life.
    [stylesheet] = re.findall(rb'href="(/static/css/zlogin\.[0-9a-f]{12}\.css)"', body)
    status, headers, css = get(portal.url + stylesheet.decode())
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers.get("Cache-Control", "")
    assert b"--orange" in css or b"orange" in css.lower()


def test_ready_when_database_broker_cache_and_static_files_answer(portal):
    status, _headers, body = get(f"{portal.url}/health/ready")
    answer = json.loads(body)
    assert status == 200, answer
    assert answer["status"] == "ok"
    assert set(answer["checks"]) >= {"database", "cache", "broker", "static"}


def test_the_containers_health_check_passes_against_gunicorn(portal):
    """The image's HEALTHCHECK command, with the portal's environment."""

    def healthcheck(**env):
        return subprocess.run(
            [sys.executable, "zlogin/healthcheck.py"],
            cwd=ROOT,
            env={**portal.env, **env},
            capture_output=True,
            text=True,
            timeout=30,
        )

    passed = healthcheck()
    assert passed.returncode == 0, passed.stdout
    assert passed.stdout.startswith("200 ")
    # A host the portal does not serve is a 400, not ready.
    assert healthcheck(ALLOWED_HOSTS="elders.example.nl").returncode == 1
    assert healthcheck(WEB_BIND=f"127.0.0.1:{closed_port()}").returncode == 1


def test_an_unknown_page_is_the_portals_404_not_a_trace(portal):
    status, _headers, body = get(f"{portal.url}/bestaat-niet/")
    assert status == 404
    assert b"Pagina niet gevonden" in body
    assert b"Traceback" not in body and b"DEBUG" not in body


def test_an_invitation_requested_in_the_browser_reaches_the_mail_server_with_its_pdf(portal, page):
    page.get_by_role("link", name="+ Voeg toe").click()
    page.get_by_label("KVK-nummer of fiscaal nummer").fill(RELATIE_KVK)
    page.get_by_role("button", name="Selecteer bedrijf").click()
    page.locator(".company-card", has_text=RELATIE_NAME).wait_for()
    page.get_by_role("link", name="Kies diensten").click()
    page.get_by_label("Algemene bevoegdheid").first.check()
    page.get_by_role("button", name="Voeg machtiging(en) toe").click()
    page.get_by_role("link", name="Kies gebruikers").click()
    page.get_by_label(re.compile("S. de Jong")).check()
    page.get_by_role("button", name="Voeg gebruikers toe").click()
    page.get_by_role("button", name="Verstuur aanvraag tot goedkeuring").click()
    form = page.locator("form.send-form")
    form.get_by_label("Initialen").fill("J.")
    form.get_by_label("Achternaam").fill("Zon")
    form.get_by_label("E-mailadres").first.fill(RELATIE_EMAIL)
    form.get_by_label("Telefoonnummer").first.fill("06 12345678")
    form.get_by_label("E-mailadres").nth(1).fill("km@pietersen.example.nl")
    form.get_by_label("Telefoonnummer").nth(1).fill("030 1234567")
    form.get_by_label("Ja, ik ga akkoord met de kosten").check()
    form.get_by_role("button", name="Verzend aanvraag tot goedkeuring").click()
    page.get_by_text("De ketenmachtiging is toegevoegd/ verzonden.").wait_for()

    # The worker took it from the outbox and sent it over SMTP.
    [received] = wait_until(
        lambda: portal.mailserver.to(RELATIE_EMAIL), 60, what="the invitation mail"
    )
    message = received.message
    [pdf] = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert re.fullmatch(r"ketenmachtiging-[\w-]+\.pdf", pdf.get_filename())
    content = pdf.get_payload(decode=True)
    assert content.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert RELATIE_NAME in text


def test_with_the_broker_gone_ready_is_503_and_the_portal_still_answers(portal, page):
    portal.broker.kill()
    try:
        status, _headers, body = get(f"{portal.url}/health/ready")
        answer = json.loads(body)
        assert status == 503
        assert answer["status"] == "unavailable"
        assert answer["checks"]["broker"] != "ok"
        assert answer["checks"]["database"] == "ok"

        assert get(f"{portal.url}/inloggen/")[0] == 200
        assert get(f"{portal.url}/health/live")[0] == 200
        response = page.goto("/")
        assert response.status == 200
        assert page.get_by_role("link", name="+ Voeg toe").is_visible()
    finally:
        portal.broker.start()


def test_metrics_add_up_the_gunicorn_processes_and_need_the_token(portal):
    assert get(f"{portal.url}/metrics")[0] == 404
    for _ in range(6):  # spread over both processes
        assert get(f"{portal.url}/health/live")[0] == 200

    status, _headers, body = get(
        f"{portal.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )

    assert status == 200
    text = body.decode()
    served = [
        float(value)
        for value in re.findall(
            r'^django_http_responses_total_by_status_view_method_total\{[^}]*view="health_live"'
            r"[^}]*\} (\S+)$",
            text,
            re.MULTILINE,
        )
    ]
    assert sum(served) >= 6
    assert "zlogin_outbox_pending" in text
    assert 'zlogin_metrics_collector_up{collector="outbox"} 1.0' in text


def test_the_logs_are_json_lines_with_a_request_id(portal):
    """DEBUG off: every line gunicorn and the portal write is a JSON object with a UTC time."""
    get(f"{portal.url}/nergens-te-vinden/", headers={"X-Request-ID": "not-trusted-here"})

    def logged():
        """The log's lines once the request's access line is in (written after the answer)."""
        lines = [
            json.loads(line)
            for line in complete_lines(portal.log("gunicorn"))
            if line.startswith("{")
        ]
        access = [
            line
            for line in lines
            if line.get("logger") == "gunicorn.access" and line["path"] == "/nergens-te-vinden/"
        ]
        return lines if access and access[0]["status"] == 404 else None

    lines = wait_until(logged, 10, what="the request's access log line")
    assert all(line["timestamp"].endswith("Z") for line in lines)
    assert not [line for line in complete_lines(portal.log("gunicorn")) if line and line[0] != "{"]
    # The 404's own line carries the request's id, made by the portal: no trusted proxy here.
    [finished] = [
        line
        for line in lines
        if line.get("request") == "GET /nergens-te-vinden/" and line["event"] == "request_finished"
    ]
    assert finished["code"] == 404
    assert re.fullmatch(r"[0-9a-f-]{36}", finished["request_id"])


def test_the_worker_and_beat_log_json_lines_too(portal):
    # Beat has been sweeping the outbox since the start.
    beat = [line for line in complete_lines(portal.log("beat")) if line.strip()]
    assert beat
    assert all(json.loads(line)["timestamp"].endswith("Z") for line in beat)
    # The worker's start banner is no log line; its log lines are JSON, none in Celery's format.
    worker = complete_lines(portal.worker.output())
    assert any(
        json.loads(line).get("logger", "").startswith("celery")
        for line in worker
        if line.startswith("{")
    )
    assert not [line for line in worker if re.match(r"\[\d{4}-\d\d-\d\d", line)]
