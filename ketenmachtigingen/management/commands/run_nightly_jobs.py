"""Run the nightly jobs by hand or from cron, without Celery; prints what each changed."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from ketenmachtigingen.jobs import JOBS, run_nightly_jobs


class Command(BaseCommand):
    help = "Voert de nachtelijke jobs uit (alle, of die met --job genoemd zijn)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--job",
            action="append",
            dest="jobs",
            metavar="NAME",
            help=f"Alleen deze job (herhaalbaar): {', '.join(JOBS)}.",
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="Voer de jobs uit alsof het deze dag is (standaard: vandaag, Europe/Amsterdam).",
        )

    def handle(self, *args, jobs=None, today=None, **options):
        if unknown := [name for name in jobs or () if name not in JOBS]:
            choices = ", ".join(JOBS)
            raise CommandError(f"Onbekende job: {', '.join(unknown)}. Kies uit: {choices}.")
        day = None
        if today is not None:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(
                    f"Ongeldige datum {today!r}: gebruik JJJJ-MM-DD, bijvoorbeeld 2026-03-10."
                ) from None
        for name, count in run_nightly_jobs(today=day, only=jobs).items():
            self.stdout.write(f"{name}: {count}")
