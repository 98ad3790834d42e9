from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Autorisatie-API")

    def ready(self) -> None:
        from . import metrics  # noqa: F401  (its counter and what a scrape starts with)
        from .prepared import allow_prepared_statements

        connection_created.connect(allow_prepared_statements)
