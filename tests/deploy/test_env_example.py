""".env.example names every environment variable the settings read, with the settings' own
default where it shows one, and nothing the portal, gunicorn or compose does not read."""

import ast
import contextlib
import operator

import pytest

from .conftest import ROOT
from .names import LINE, REQUIRED, SETTINGS, compose_names, example, gunicorn_names, settings_names


def test_the_settings_read_variables_at_all():
    """The pattern still finds the settings' reads (the file's style may change)."""
    names = settings_names()
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "KVK_API_URL"} <= names
    assert len(names) > 40


def test_every_setting_is_in_env_example():
    missing = settings_names() - set(example())
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_names_nothing_unknown():
    known = settings_names() | gunicorn_names() | compose_names()
    unknown = {name for name in example() if name not in known and not name.startswith("COMPOSE_")}
    assert not unknown, f"read by nobody: {sorted(unknown)}"


def test_each_entry_has_a_comment_above_it():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for number, line in enumerate(lines):
        match = LINE.match(line.strip())
        if not match:
            continue
        above = lines[number - 1].strip() if number else ""
        assert above.startswith("#"), f"{match['name']}: explain it on the line above"


def test_only_the_required_secrets_are_set_empty():
    """An empty value is a value: false for a flag, and an empty WEB_CONCURRENCY stops gunicorn
    from starting. Defaults are shown as comments instead."""
    empty = {name for name, (is_set, value) in example().items() if is_set and not value}
    assert empty == REQUIRED


def test_no_secret_is_filled_in():
    for name in REQUIRED | {"KVK_API_KEY", "METRICS_TOKEN"}:
        assert example()[name][1] == "", name


def test_the_compose_connections_point_at_the_compose_services():
    entries = example()
    assert entries["DATABASE_URL"] == (
        True,
        "postgres://zlogin:CHANGE-ME-TO-POSTGRES_PASSWORD@postgres:5432/zlogin",
    )
    assert entries["CELERY_BROKER_URL"] == (True, "redis://redis:6379/0")
    assert entries["CACHE_URL"] == (True, "redis://cache:6379/0")
    assert entries["EMAIL_URL"][0] is True


_OPERATORS = {ast.Mult: operator.mul, ast.Add: operator.add, ast.Sub: operator.sub}


def constant(node):
    """The value of a default made of literals (15 * 60, [..], "x"); otherwise LookupError."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple):
        return [constant(item) for item in node.elts]
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](constant(node.left), constant(node.right))
    raise LookupError


def literal_defaults() -> dict[str, object]:
    defaults = {}
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func, first = node.func, node.args[0]
        is_env = (isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == "env") or (
            isinstance(func, ast.Name) and func.id == "env"
        )
        if not (is_env and isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        for keyword in node.keywords:
            if keyword.arg == "default":
                # A default that depends on another setting (DEBUG, BASE_DIR) is not compared.
                with contextlib.suppress(LookupError):
                    defaults[first.value] = constant(keyword.value)
    return defaults


def same(default, shown: str) -> bool:
    if isinstance(default, bool):
        return shown.lower() == str(default).lower()
    if isinstance(default, int | float):
        return float(shown) == float(default)
    if isinstance(default, list):
        return shown == ",".join(default)
    return shown == str(default)


@pytest.mark.parametrize("name", sorted(literal_defaults()))
def test_a_shown_default_is_the_settings_default(name):
    is_set, shown = example()[name]
    if is_set:
        pytest.skip(f"{name} is set for compose, not shown as the default")
    default = literal_defaults()[name]
    assert same(default, shown), f"{name}: the settings' default is {default!r}"


def test_the_kvk_url_is_the_settings_default():
    assert example()["KVK_API_URL"] == (False, literal_defaults()["KVK_API_URL"])
