"""Tests that need PostgreSQL: skipped on SQLite, each with one clear reason.

`make test` runs the suite on PostgreSQL whenever it can: on DATABASE_URL when it is set (CI),
else on the local server at 127.0.0.1:5432 when it answers, else on SQLite.
"""

import pytest
from django.db import connection

TO_RUN_THEM = "set DATABASE_URL, or let `make test` find PostgreSQL at 127.0.0.1:5432"


def postgresql_only(needs: str):
    """Skip when the suite runs on SQLite, saying why the test needs PostgreSQL."""
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=f"needs PostgreSQL ({needs}); this run is on SQLite: {TO_RUN_THEM}",
    )
