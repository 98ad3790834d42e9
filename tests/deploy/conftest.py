"""The deployment files (Dockerfile, .dockerignore, docker-compose.yml, .env.example,
gunicorn.conf.py) read as text: no Docker engine is needed."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())
