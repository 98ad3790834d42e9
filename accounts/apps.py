from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisaties en personen")

    def ready(self):
        from django_structlog.signals import bind_extra_request_metadata

        from . import checks  # noqa: F401 (registers the deployment checks)
        from .addresses import bind_request_to_logs
        from .deliveries import register_deliveries

        register_deliveries()
        bind_extra_request_metadata.connect(bind_request_to_logs)
