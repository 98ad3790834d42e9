import os

from celery import Celery
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zlogin.settings")

app = Celery("zlogin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The request_id of the request that queued a task is in every log line of the task.
app.steps["worker"].add(DjangoStructLogInitStep)
