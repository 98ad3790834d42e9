from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KetenmachtigingenConfig(AppConfig):
    name = "ketenmachtigingen"
    verbose_name = _("Ketenmachtigingen")

    def ready(self):
        from .deliveries import register_deliveries

        register_deliveries()
