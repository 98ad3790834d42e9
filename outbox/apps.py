from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Verzendingen")

    def ready(self):
        from . import metrics  # noqa: F401  (the backlog's gauges on /metrics)
