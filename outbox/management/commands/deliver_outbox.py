from django.core.management.base import BaseCommand

from outbox.services import sweep


class Command(BaseCommand):
    help = (
        "Biedt de verzendingen die wachten aan de workers aan (zonder broker: levert ze meteen "
        "af), tot OUTBOX_SWEEP_BATCH per keer. Voor cron wanneer Celery beat niet draait."
    )

    def handle(self, *args, **options):
        self.stdout.write(str(sweep()))
