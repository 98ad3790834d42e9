"""The local test CA for `make run-tls`: development only."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.devpki import TestPki

DEFAULT_DIRECTORY = Path(settings.BASE_DIR) / "var" / "pki"


class Command(BaseCommand):
    help = (
        "Create the test CA, its revocation list and a server certificate for 127.0.0.1 under "
        "var/pki/ when missing, and renew the revocation list (development only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=DEFAULT_DIRECTORY, help="default: var/pki")

    def handle(self, *args, dir, **options):
        if not settings.DEBUG:
            raise CommandError("prepare_test_pki only runs with DEBUG on: its CA is for testing.")
        pki = TestPki(dir)
        pki.prepare()
        self.stdout.write(f"Test CA: {pki.ca_certificate}, revocation list: {pki.crl}")
