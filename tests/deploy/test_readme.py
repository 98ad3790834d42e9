"""README.md's Settings table names every setting an operator can set, and nothing else; its
production steps use the same commands as the image and compose."""

import re

from .conftest import ROOT
from .names import compose_names, example, gunicorn_names, settings_names


def settings_table() -> set[str]:
    """The `NAME`s in the first column of the table under "## Settings"."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def test_every_setting_is_in_the_readme_table():
    missing = (settings_names() | set(example())) - settings_table()
    assert not missing, f"add to the Settings table in README.md: {sorted(missing)}"


def test_the_table_names_nothing_unknown():
    known = settings_names() | gunicorn_names() | compose_names() | set(example())
    assert settings_table() - known == set()


def test_the_production_steps_start_what_the_image_and_compose_start(compose):
    readme = (ROOT / "README.md").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "gunicorn --config gunicorn.conf.py zlogin.wsgi:application" in readme
    assert '"gunicorn", "--config", "gunicorn.conf.py", "zlogin.wsgi:application"' in dockerfile
    for service in ("worker", "beat"):
        command = " ".join(compose["services"][service]["command"][:4])  # celery … worker
        assert f"bin/{command}" in readme, service
    for step in ("migrate --noinput", "collectstatic --noinput", "check --deploy"):
        assert f"manage.py {step}" in readme, step
