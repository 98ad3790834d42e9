"""Each app's services and selectors declare their public surface (__all__); another app, and
any view, imports from them only what that surface names: what is not in it may change without
looking beyond its own app."""

import ast
import importlib
from pathlib import Path

import pytest

from tests.processes import ROOT

APPS = ("accounts", "api", "audit", "berichtenbox", "catalogue", "groepen", "ketenmachtigingen")
SURFACES = ("services", "selectors")


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _surface_imports(app: str, path: Path):
    """(line, module, name) of every `from <other app or any app>.<surface>… import name` in
    the file, absolute or relative, that reaches a services or selectors module."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        if node.level:
            base = package.split(".")
            module = ".".join(base[: len(base) - node.level + 1] + ([module] if module else []))
        parts = module.split(".")
        if len(parts) < 2 or parts[0] not in APPS or not set(parts[1:]) & set(SURFACES):
            continue
        is_view = "views" in path.parts or path.stem == "views"
        if parts[0] == app and not is_view:
            continue  # an app's own inner workings
        for alias in node.names:
            yield node.lineno, module, alias.name


def _public(module: str) -> set[str]:
    loaded = importlib.import_module(module)
    return set(getattr(loaded, "__all__", ()))


@pytest.mark.parametrize(
    "module",
    sorted(
        {
            f"{app}.{surface}"
            for app in APPS
            for surface in SURFACES
            if (ROOT / app / f"{surface}.py").exists() or (ROOT / app / surface).is_dir()
        }
    ),
)
def test_every_surface_declares_what_it_offers(module):
    assert _public(module), f"{module} has no __all__"


def test_other_apps_and_views_import_only_what_a_surface_offers():
    crossing = []
    for app, path in _modules():
        for line, module, name in _surface_imports(app, path):
            try:
                importlib.import_module(f"{module}.{name}")
                continue  # a module of a surface package (e.g. services.lifecycle)
            except ModuleNotFoundError:
                pass
            if name not in _public(module):
                crossing.append(f"{path.relative_to(ROOT)}:{line} {module}.{name}")
    assert crossing == []


# What the API may use of the apps it answers for: their reads and writes, and the data they
# define. Never their pages, forms, admin, jobs or inner modules.
API_MAY_USE = {"services", "selectors", "models", "constants", "validators"}


def test_the_api_uses_the_other_apps_services_and_selectors_only():
    reached = []
    for app, path in _modules():
        if app != "api":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                parts = node.module.split(".")
                if parts[0] in APPS and parts[0] != "api" and parts[1] not in API_MAY_USE:
                    reached.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module}")
    assert reached == []
