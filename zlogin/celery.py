import os

from celery import Celery, bootsteps
from celery.signals import setup_logging
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zlogin.settings")

app = Celery("zlogin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The request_id of the request that queued a task is in every log line of the task.
app.steps["worker"].add(DjangoStructLogInitStep)


@setup_logging.connect
def use_the_portals_logging(**kwargs):
    """The worker and beat log as the web processes do (settings.LOGGING: JSON lines in
    production). Without a receiver of this signal Celery adds handlers of its own, in its own
    format, to the root logger."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


class RequireSecretKey(bootsteps.Step):
    """The worker refuses to start without a SECRET_KEY (its tasks sign password links); a
    step, because Celery logs and ignores what a signal's receiver raises."""

    def __init__(self, parent, **kwargs):
        from core.startup import require_secret_key

        require_secret_key()
        super().__init__(parent, **kwargs)


app.steps["worker"].add(RequireSecretKey)
