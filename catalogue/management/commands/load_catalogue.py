from django.core.management.base import BaseCommand

from catalogue.loading import load_catalogue
from catalogue.models import Dienst, Dienstverlener


class Command(BaseCommand):
    help = "Create or update the dienstencatalogus (dienstverleners and diensten)."

    def handle(self, *args, **options):
        load_catalogue(Dienstverlener, Dienst)
        self.stdout.write(
            f"Catalogus: {Dienstverlener.objects.count()} dienstverleners, "
            f"{Dienst.objects.count()} diensten."
        )
