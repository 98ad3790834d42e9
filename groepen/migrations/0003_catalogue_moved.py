"""A groep's diensten point at the catalogue app's models (state only: same tables)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("groepen", "0002_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="groep",
                    name="diensten",
                    field=models.ManyToManyField(
                        blank=True, related_name="+", to="catalogue.dienst", verbose_name="diensten"
                    ),
                ),
                migrations.AlterField(
                    model_name="groep",
                    name="dienstverleners",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="catalogue.dienstverlener",
                        verbose_name="dienstverleners",
                    ),
                ),
            ]
        )
    ]
