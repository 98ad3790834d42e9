"""ASVS V14 (configuration): production differs from development only by its environment;
DEBUG is off unless set, and `check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_python(code, **env):
    """Python in the project with the given environment (nothing of the suite's)."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("server", ["zlogin.wsgi", "zlogin.asgi"])
def test_production_refuses_to_serve_without_secret_key(server):
    """gunicorn (and runserver) load the WSGI application; nothing set: production settings."""
    result = run_python(f"import {server}")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_worker_refuses_to_start_without_secret_key():
    result = subprocess.run(
        [sys.executable, "-m", "celery", "--app=zlogin", "worker", "--pool=solo"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}},
            "DEBUG": "false",
            "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # never reached
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stdout + result.stderr


def test_check_deploy_reports_a_missing_secret_key():
    result = run_manage("check", "--deploy", DEBUG="false")
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr + result.stdout
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr + result.stdout


def test_debug_is_off_unless_set():
    """Nothing set at all: the production settings, without the development key."""
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'zlogin.settings'; "
        "django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.SECURE_SSL_REDIRECT)"
    )
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_commands_that_sign_nothing_need_no_secret_key():
    """The migration check runs on a checkout with nothing configured."""
    result = run_manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-secret-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "mijn.zlogin.nl",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_asks_for_a_shared_cache():
    """The throttle and rate limits need one count for all processes."""
    result = run_manage("check", "--deploy", **{**PRODUCTION, "CACHE_URL": "locmemcache://"})
    assert "accounts.W001" in result.stdout + result.stderr
