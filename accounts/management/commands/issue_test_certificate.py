"""A person's EH4 certificate from the local test CA, registered on their EH4 middel."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import certificates, devpki
from accounts.constants import EHNiveau
from accounts.models import Membership, User
from accounts.services import CertificateNotAllowed, register_certificate

from .prepare_test_pki import DEFAULT_DIRECTORY

# The .p12's password: the demo logins' password, published in the README.
DEFAULT_P12_PASSWORD = "Ketenmachtiging-2026"  # noqa: S105


class Command(BaseCommand):
    help = (
        "Issue a test certificate for USERNAME from the test CA under var/pki/, write "
        "DIR/USERNAME.crt, .key and .p12, and register it on the person's EH4 middel "
        "(development only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--out", type=Path, required=True, help="directory for the files")
        parser.add_argument(
            "--organisation",
            help="KVK-nummer of the middel's organisation (a person with several EH4 middelen)",
        )
        parser.add_argument("--pki", type=Path, default=DEFAULT_DIRECTORY, help="default: var/pki")
        parser.add_argument("--p12-password", default=DEFAULT_P12_PASSWORD)

    def handle(self, *args, username, out, organisation, pki, p12_password, **options):
        if not settings.DEBUG:
            raise CommandError(
                "issue_test_certificate only runs with DEBUG on: its CA is for testing."
            )
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No person with username {username!r}.")
        middelen = Membership.objects.active().filter(user=user, eh_niveau=EHNiveau.EH4)
        if organisation:
            middelen = middelen.filter(organisation__kvk_nummer=organisation)
        middelen = list(middelen.select_related("organisation"))
        if not middelen:
            raise CommandError(
                f"{username} has no active EH4 middel{' there' if organisation else ''}."
            )
        if len(middelen) > 1:
            choices = ", ".join(m.organisation.kvk_nummer or str(m.organisation) for m in middelen)
            raise CommandError(
                f"{username} has several EH4 middelen: choose with --organisation ({choices})."
            )
        membership = middelen[0]

        test_pki = devpki.TestPki(pki)
        ca = test_pki.prepare()
        certificate, key = devpki.issue_client_certificate(
            ca, common_name=user.display_name, organisation=membership.organisation.name
        )
        out.mkdir(parents=True, exist_ok=True)
        paths = {suffix: out / f"{username}.{suffix}" for suffix in ("crt", "key", "p12")}
        paths["crt"].write_bytes(devpki.certificate_pem(certificate))
        paths["key"].write_bytes(devpki.key_pem(key))
        paths["key"].chmod(0o600)
        paths["p12"].write_bytes(
            devpki.pkcs12_bytes(username, certificate, key, ca.certificate, p12_password)
        )
        paths["p12"].chmod(0o600)
        try:
            register_certificate(
                acting_user=None,
                membership=membership,
                certificate=certificates.details(certificate),
            )
        except CertificateNotAllowed as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(
            f"Certificate for {user.display_name} ({membership.organisation}), registered on the "
            f"EH4 middel:\n  {paths['crt']}\n  {paths['key']}\n  {paths['p12']} "
            f"(password: {p12_password})\n"
            "Import the .p12 in your browser, start `make run-tls` and choose "
            '"In het bezit van EH4? Log in met uw certificaat" at https://127.0.0.1:8443/.'
        )
