"""docker-compose.yml runs the production shape: one image for web, worker, beat and migrate,
every setting from .env, health checks everywhere, durable Redis and PostgreSQL, only web
published (on 127.0.0.1), mailpit only for development."""

import os
import re
import shutil
import subprocess

import pytest

from .conftest import ROOT

APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat")
# What compose itself may set for the portal; everything else comes from .env.
COMPOSE_ENVIRONMENT = {"DEBUG", "PROMETHEUS_MULTIPROC_DIR"}
CONNECTIONS = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "EMAIL_URL")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY$")


def services(compose):
    return compose["services"]


def healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def named_volume_at(compose, service: dict, target: str) -> str | None:
    for volume in service.get("volumes", []):
        source, _, rest = volume.partition(":")
        if rest.split(":")[0] == target and source in (compose.get("volumes") or {}):
            return source
    return None


def test_web_worker_beat_and_migrate_run_one_image(compose):
    images = {services(compose)[name].get("image") for name in APP_SERVICES}
    builds = {repr(services(compose)[name].get("build")) for name in APP_SERVICES}

    assert len(images) == 1 and None not in images, images
    assert "zlogin" in images.pop()
    # Built from the one Dockerfile under that one name: compose builds (or reuses) one image.
    assert len(builds) == 1 and builds != {"None"}


def test_every_service_has_a_health_check(compose):
    for name, service in services(compose).items():
        check = service.get("healthcheck")
        assert check, f"{name} has no healthcheck"
        if check.get("disable"):
            # Only the one-shot: its health is its exit code.
            assert name == "migrate"
            assert service["restart"] == "no"
        else:
            assert check["test"], name


def test_health_checks_ask_the_right_thing(compose):
    svc = services(compose)
    assert healthcheck_text(svc["web"]) == "CMD python zlogin/healthcheck.py"
    assert "inspect ping" in healthcheck_text(svc["worker"])
    assert "$$HOSTNAME" in healthcheck_text(svc["worker"])
    assert "celerybeat-schedule" in healthcheck_text(svc["beat"])
    assert "redis-cli ping" in healthcheck_text(svc["redis"])
    assert "redis-cli ping" in healthcheck_text(svc["cache"])
    assert "pg_isready" in healthcheck_text(svc["postgres"])


def test_beats_health_check_is_valid_python(compose):
    test = services(compose)["beat"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    compile(test[3], "beat healthcheck", "exec")


def test_redis_keeps_an_append_only_file_on_a_named_volume(compose):
    redis = services(compose)["redis"]
    command = redis["command"]
    command = command if isinstance(command, str) else " ".join(command)

    assert re.search(r"--appendonly\s+yes", command)
    assert re.search(r"--maxmemory-policy\s+noeviction", command)  # a task is never dropped
    assert named_volume_at(compose, redis, "/data")


def test_the_cache_is_a_redis_of_its_own_that_evicts_and_keeps_nothing(compose):
    """Logging in (the throttle) needs the cache, not the broker: a broker that is down or full
    must not take the login with it."""
    cache = services(compose)["cache"]
    command = " ".join(cache["command"])

    assert cache["image"] == services(compose)["redis"]["image"]
    assert re.search(r"--maxmemory-policy\s+allkeys-lru", command)
    assert re.search(r"--appendonly\s+no", command)
    assert not cache.get("volumes")


def test_postgres_keeps_its_data_on_a_named_volume(compose):
    postgres = services(compose)["postgres"]
    assert named_volume_at(compose, postgres, "/var/lib/postgresql/data")


def test_migrate_runs_once_before_web_worker_and_beat(compose):
    migrate = services(compose)["migrate"]
    command = " ".join(migrate["command"])

    assert "manage.py migrate" in command
    assert "collectstatic" not in command  # static files are in the image
    assert migrate["restart"] == "no"
    for name in LONG_RUNNING:
        depends_on = services(compose)[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name
        assert depends_on["cache"]["condition"] == "service_healthy", name


def published_host(port: str) -> str:
    """The host address of a published port, with ${VAR:-default} resolved to its default."""
    resolved = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", port)
    parts = resolved.split(":")
    assert len(parts) == 3, f"{port}: publish on an explicit address (127.0.0.1:port:port)"
    return parts[0]


def test_only_web_is_published_and_on_localhost(compose):
    published = {
        name: service["ports"]
        for name, service in services(compose).items()
        if service.get("ports") and not service.get("profiles")
    }
    assert list(published) == ["web"]
    assert "${WEB_PUBLISH:-127.0.0.1:8000}:8000" in published["web"]
    for name, service in services(compose).items():
        for port in service.get("ports", []):
            assert published_host(str(port)) == "127.0.0.1", name


def test_mailpit_only_in_the_development_profile(compose):
    assert services(compose)["mailpit"]["profiles"] == ["development"]
    for name, service in services(compose).items():
        if name != "mailpit":
            assert not service.get("profiles"), name


def test_every_app_service_reads_dot_env(compose):
    for name in APP_SERVICES:
        env_file = services(compose)[name]["env_file"]
        assert env_file in (".env", [".env"]), name


def test_no_secret_or_url_is_written_in_the_file(compose):
    for name, service in services(compose).items():
        for key, value in environment(service).items():
            value = "" if value is None else str(value)
            assert "://" not in value, f"{name}: {key} is a URL; it belongs in .env"
            if SECRET_NAME.search(key):
                assert value.startswith("${"), f"{name}: {key} must come from .env"
        if name in APP_SERVICES:
            assert set(environment(service)) <= COMPOSE_ENVIRONMENT, name
            assert not set(environment(service)) & set(CONNECTIONS), name


def test_debug_is_off_for_the_portal(compose):
    for name in APP_SERVICES:
        assert environment(services(compose)[name])["DEBUG"] == "false", name


def test_beat_keeps_its_schedule_on_a_writable_volume(compose):
    beat = services(compose)["beat"]
    command = " ".join(beat["command"])
    schedule = re.search(r"--schedule[= ](\S+)", command).group(1)

    assert named_volume_at(compose, beat, os.path.dirname(schedule))
    assert os.path.dirname(schedule) in healthcheck_text(beat)


def test_app_containers_cannot_write_their_code(compose):
    for name in APP_SERVICES:
        service = services(compose)[name]
        assert service.get("read_only") is True, name
        assert "/tmp" in service.get("tmpfs", []), name


def _compose_commands() -> list[list[str]]:
    commands = []
    if shutil.which("docker-compose"):
        commands.append(["docker-compose"])
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            commands.append(["docker", "compose"])
    return commands


@pytest.mark.parametrize("command", _compose_commands() or [None], ids=lambda c: str(c))
def test_compose_itself_accepts_the_file(tmp_path, command):
    """`config` validates the file without an engine; .env.example stands in for .env."""
    if command is None:
        pytest.skip("neither docker-compose nor the docker compose plugin is installed")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPOSE_")}
    run = [*command, "--project-directory", str(tmp_path), "-f", "docker-compose.yml"]

    accepted = subprocess.run(
        [*run, "config", "--quiet"],
        cwd=tmp_path,
        env={**env, "POSTGRES_PASSWORD": "not-a-real-password"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert accepted.returncode == 0, accepted.stderr

    # Without a database password compose refuses to start anything.
    env.pop("POSTGRES_PASSWORD", None)
    refused = subprocess.run(
        [*run, "config", "--quiet"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert "POSTGRES_PASSWORD" in refused.stderr
