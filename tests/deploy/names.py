"""The environment variable names the deployment reads (the settings, gunicorn.conf.py,
docker-compose.yml) and the entries of .env.example."""

import re

from .conftest import ROOT

SETTINGS = ROOT / "zlogin" / "settings.py"
READS = (
    re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""\bos\.(?:environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""\bos\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']"""),
)
# "NAME=value" (set) or "# NAME=value" (the default, shown).
LINE = re.compile(r"^(?P<comment>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")
# Set, but empty on purpose: the operator must fill them in.
REQUIRED = {"SECRET_KEY", "POSTGRES_PASSWORD"}


def env_reads(path) -> set[str]:
    source = path.read_text()
    return {name for pattern in READS for name in pattern.findall(source)}


def settings_names() -> set[str]:
    return env_reads(SETTINGS)


def gunicorn_names() -> set[str]:
    """gunicorn.conf.py reads through small helpers: any call with a NAME as first argument."""
    source = (ROOT / "gunicorn.conf.py").read_text()
    return set(re.findall(r"""\w\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))


def compose_names() -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "docker-compose.yml").read_text()))


def example() -> dict[str, tuple[bool, str]]:
    """NAME -> (set, value)."""
    entries = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = LINE.match(line.strip())
        if match:
            name = match["name"]
            assert name not in entries, f"{name} twice in .env.example"
            entries[name] = (not match["comment"], match["value"])
    return entries
