"""Issue an API key for a client and print it (once). Creates the client when asked."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from api.models import ApiClient
from api.services import create_api_key
from catalogue.models import Dienstverlener


class Command(BaseCommand):
    help = "Create an API key for CLIENT_NAME and print it; the key is not stored in plain text."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("client_name")
        parser.add_argument("--name", default="", help="A description of the key.")
        parser.add_argument(
            "--create", action="store_true", help="Create the client if it does not exist."
        )
        parser.add_argument(
            "--dienstverlener",
            action="append",
            default=[],
            metavar="OIN",
            help="Allow the client the diensten of this dienstverlener (repeatable).",
        )

    def handle(
        self,
        *args: Any,
        client_name: str,
        name: str,
        create: bool,
        dienstverlener: list[str],
        **options: Any,
    ) -> None:
        client = ApiClient.objects.filter(name=client_name).first()
        if client is None:
            if not create:
                raise CommandError(f"No API client named {client_name!r}; use --create.")
            client = ApiClient.objects.create(name=client_name)
        for oin in dienstverlener:
            try:
                client.dienstverleners.add(Dienstverlener.objects.get(oin=oin))
            except Dienstverlener.DoesNotExist:
                raise CommandError(f"No dienstverlener with OIN {oin}.") from None
        _key, plain = create_api_key(client=client, name=name)
        self.stdout.write(plain)
