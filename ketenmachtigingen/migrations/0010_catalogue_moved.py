"""Dienstverlener and Dienst now belong to the catalogue app (catalogue/migrations/0001): the
scopes point there and the models leave this app's state. State only: no table or row
changes."""

from django.db import migrations, models


def scope_fields(model_name):
    return [
        migrations.AlterField(
            model_name=model_name,
            name="diensten",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="catalogue.dienst", verbose_name="diensten"
            ),
        ),
        migrations.AlterField(
            model_name=model_name,
            name="dienstverleners",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                to="catalogue.dienstverlener",
                verbose_name="dienstverleners",
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_catalogue_moved"),
        ("catalogue", "0001_initial"),
        ("groepen", "0003_catalogue_moved"),
        ("ketenmachtigingen", "0009_hidden_from_overview"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                *scope_fields("bulkrequest"),
                *scope_fields("ketenmachtiging"),
                migrations.DeleteModel(name="Dienst"),
                migrations.DeleteModel(name="Dienstverlener"),
            ]
        )
    ]
