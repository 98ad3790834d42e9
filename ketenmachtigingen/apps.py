from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KetenmachtigingenConfig(AppConfig):
    name = "ketenmachtigingen"
    verbose_name = _("Ketenmachtigingen")

    def ready(self):
        from .deliveries import register_deliveries
        from .groep_uses import register_groep_uses
        from .jobs import metrics  # noqa: F401  (the nightly jobs' gauges on /metrics)

        register_deliveries()
        register_groep_uses()
