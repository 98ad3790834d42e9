from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BerichtenboxConfig(AppConfig):
    name = "berichtenbox"
    verbose_name = _("Berichtenbox")

    def ready(self):
        from .deliveries import register_deliveries

        register_deliveries()
