"""The API's references to the catalogue point at the catalogue app's models (state only: same
tables)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="apiclient",
                    name="dienstverleners",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="De client mag alleen vragen naar diensten van deze "
                        "dienstverleners.",
                        related_name="api_clients",
                        to="catalogue.dienstverlener",
                        verbose_name="dienstverleners",
                    ),
                ),
                migrations.AlterField(
                    model_name="checklog",
                    name="dienst",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="catalogue.dienst",
                        verbose_name="dienst",
                    ),
                ),
            ]
        )
    ]
