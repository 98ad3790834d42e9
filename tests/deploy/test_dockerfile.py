"""The Dockerfile, read as text: a builder and a slim runtime on a pinned Python, static files
collected as production serves them, a user that cannot write the code, a readiness check."""

import json
import re

import pytest

from .conftest import ROOT

DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined and comments dropped."""
    lines = [
        line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")
    ]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            result.append((keyword.upper(), " ".join(arguments.split())))
    return result


def stages() -> list[list[tuple[str, str]]]:
    found = []
    for keyword, arguments in instructions():
        if keyword == "FROM":
            found.append([])
        if found:
            found[-1].append((keyword, arguments))
    return found


def build_args() -> dict[str, str]:
    return dict(
        arguments.split("=", 1)
        for keyword, arguments in instructions()
        if keyword == "ARG" and "=" in arguments
    )


def base_image(from_arguments: str) -> str:
    image = from_arguments.split()[0]
    return re.sub(r"\$\{?(\w+)\}?", lambda match: build_args()[match[1]], image)


def runtime() -> list[tuple[str, str]]:
    return stages()[-1]


def test_a_builder_stage_and_a_runtime_stage():
    names = [stage[0][1] for stage in stages()]
    assert len(names) >= 2
    assert any(re.search(r"\bAS builder$", name, re.I) for name in names[:-1])
    copies = [arguments for keyword, arguments in runtime() if keyword == "COPY"]
    assert any(arguments.startswith("--from=builder ") for arguments in copies)


def test_the_base_image_is_pinned_to_a_full_python_version():
    for stage in stages():
        image = base_image(stage[0][1])
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", image), image


def test_weasyprint_has_its_libraries():
    installs = " ".join(arguments for keyword, arguments in runtime() if keyword == "RUN")
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz0b",
        "libharfbuzz-subset0",
        "libfontconfig1",
        "fonts-dejavu-core",
    ):
        assert re.search(rf"(?<![\w.-]){re.escape(package)}(?![\w.-])", installs), package
    assert "write_pdf" in installs  # the build renders a PDF


def test_static_files_are_collected_with_the_runtime_storage():
    runs = [arguments for keyword, arguments in runtime() if keyword == "RUN"]
    collect = [run for run in runs if "collectstatic" in run]
    assert len(collect) == 1
    assert "DEBUG=true" not in collect[0]
    assert "DEBUG=false" in collect[0] or "STATIC_MANIFEST=true" in collect[0]
    assert "staticfiles.json" in collect[0]  # the build fails without the manifest


def test_debug_is_off_in_the_image():
    envs = " ".join(arguments for keyword, arguments in runtime() if keyword == "ENV")
    assert re.search(r"\bDEBUG=false\b", envs)


def test_the_portal_runs_as_a_user_that_cannot_write_the_code():
    users = [arguments for keyword, arguments in runtime() if keyword == "USER"]
    assert users, "no USER: the portal would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    # The code stays root's: nothing hands /app (or the virtualenv) to the user.
    for keyword, arguments in runtime():
        if keyword == "RUN" and "chown" in arguments:
            assert "/app" not in arguments and "/opt/venv" not in arguments
        if keyword == "COPY":
            assert "--chown" not in arguments and "--chmod" not in arguments


def test_the_user_may_write_only_its_own_directory():
    runs = " ".join(arguments for keyword, arguments in runtime() if keyword == "RUN")
    assert re.search(r"install -d -o zlogin -g zlogin -m \d+ /var/lib/zlogin", runs)
    assert "chmod -R go-w /app" in runs


def healthcheck() -> str:
    checks = [arguments for keyword, arguments in runtime() if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    return checks[0]


def test_the_health_check_asks_readiness():
    command = json.loads(healthcheck().split("CMD ", 1)[1])
    assert command == ["python", "zlogin/healthcheck.py"]  # run against gunicorn in test_smoke


def test_exposes_8000_and_runs_gunicorn_with_its_config():
    assert ("EXPOSE", "8000") in runtime()
    cmd = json.loads(next(arguments for keyword, arguments in runtime() if keyword == "CMD"))
    assert cmd[0] == "gunicorn"
    assert "gunicorn.conf.py" in cmd
    assert cmd[-1] == "zlogin.wsgi:application"


def dockerignore() -> set[str]:
    return {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }


@pytest.mark.parametrize(
    "entry",
    [".env", ".env.*", ".venv", "var", ".git", "staticfiles", "test-artifacts", "**/__pycache__"],
)
def test_dockerignore_keeps_secrets_and_local_state_out(entry):
    assert entry in dockerignore()


def test_dockerignore_does_not_drop_what_the_build_needs():
    for needed in ("pyproject.toml", "README.md", "manage.py", "gunicorn.conf.py", "static"):
        assert needed not in dockerignore()
        assert f"!{needed}" not in dockerignore()
