"""The catalogue's models move here from ketenmachtigingen with every row: this migration only
tells Django where they live now (their tables are unchanged; 0002 renames them). Their content
types move along, so permissions, admin history and audit references stay with them."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

MOVED = ("dienstverlener", "dienst")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        old = ContentType.objects.filter(app_label="ketenmachtigingen", model=model)
        if old.exists():
            ContentType.objects.filter(app_label="catalogue", model=model).delete()
            old.update(app_label="catalogue")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="catalogue", model__in=MOVED).update(
        app_label="ketenmachtigingen"
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("ketenmachtigingen", "0009_hidden_from_overview"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Dienstverlener",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="naam")),
                        (
                            "oin",
                            models.CharField(
                                max_length=20,
                                unique=True,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^\\d{20}$", "Een OIN bestaat uit 20 cijfers."
                                    )
                                ],
                                verbose_name="OIN",
                            ),
                        ),
                        (
                            "is_belastingdienst",
                            models.BooleanField(
                                default=False,
                                help_text="Middelen die alleen bij de Belastingdienst gelden, "
                                "mogen hier worden gebruikt.",
                                verbose_name="Belastingdienst",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "dienstverlener",
                        "verbose_name_plural": "dienstverleners",
                        "ordering": ["name"],
                        "db_table": "ketenmachtigingen_dienstverlener",
                    },
                ),
                migrations.CreateModel(
                    name="Dienst",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="naam")),
                        ("service_uuid", models.UUIDField(unique=True, verbose_name="ServiceUUID")),
                        ("service_index", models.PositiveIntegerField(verbose_name="dienstnummer")),
                        (
                            "min_eh_niveau",
                            models.PositiveSmallIntegerField(
                                choices=[(20, "EH2"), (25, "EH2+"), (30, "EH3"), (40, "EH4")],
                                default=30,
                                verbose_name="minimaal EH-niveau",
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="actief")),
                        (
                            "dienstverlener",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="diensten",
                                to="catalogue.dienstverlener",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "dienst",
                        "verbose_name_plural": "diensten",
                        "ordering": ["dienstverlener__name", "name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("dienstverlener", "service_index"),
                                name="unique_service_id",
                            )
                        ],
                        "db_table": "ketenmachtigingen_dienst",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
