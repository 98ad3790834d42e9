from django.db import migrations


def load(apps, schema_editor):
    from catalogue.loading import load_catalogue

    load_catalogue(apps.get_model("ketenmachtigingen", "Dienstverlener"), apps.get_model("ketenmachtigingen", "Dienst"))


class Migration(migrations.Migration):
    dependencies = [("ketenmachtigingen", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
