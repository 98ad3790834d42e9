"""Trigram indexes for the overview's search ("contains" on names, references, contacts).

PostgreSQL only: SQLite, the embedded default, searches small data sets without them.
The expressions match what Django generates for icontains: UPPER(column::text).
"""

from django.db import migrations

INDEXES = [
    ("accounts_organisation", "name", "org_name_trgm"),
    ("ketenmachtigingen_ketenmachtiging", "reference", "km_reference_trgm"),
    ("ketenmachtigingen_ketenmachtiging", "contact_achternaam", "km_contact_trgm"),
    ("ketenmachtigingen_ketenmachtiging", "contact_email", "km_contact_email_trgm"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, name in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("ketenmachtigingen", "0003_overview_indexes"),
        ("accounts", "0002_login_history"),
    ]

    operations = [migrations.RunPython(create, drop)]
