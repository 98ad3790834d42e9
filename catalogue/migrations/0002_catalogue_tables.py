"""The moved tables take the catalogue's names (a rename: every row and reference stays)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("ketenmachtigingen", "0010_catalogue_moved"),
    ]

    operations = [
        migrations.AlterModelTable(name="dienstverlener", table=None),
        migrations.AlterModelTable(name="dienst", table=None),
    ]
