"""What the nightly jobs add to /metrics (core/metrics.py): their last runs, which the Celery
worker (not scraped) notes in the cache."""

import time

from prometheus_client.core import GaugeMetricFamily, Metric

from core.metrics import note, noted, source

# The last run of each job, noted in the cache shared by the worker and the web processes
# (CACHES["default"]: Redis in production). Never expires.
_RUN_KEY = "zlogin:metrics:nightly-job:{}:run"
_FAILURE_KEY = "zlogin:metrics:nightly-job:{}:failure"


def record_job_run(job: str, *, duration: float, changed: int) -> None:
    """A nightly job finished: how long it took (seconds) and how many rows it changed."""
    note(_RUN_KEY.format(job), {"duration": duration, "changed": changed, "at": time.time()})


def record_job_failure(job: str) -> None:
    """A nightly job failed (its transaction was rolled back)."""
    note(_FAILURE_KEY.format(job), {"at": time.time()})


@source("nightly_jobs")
def nightly_job_metrics() -> list[Metric]:
    from . import JOBS  # the jobs' package records through this module

    keys = {job: (_RUN_KEY.format(job), _FAILURE_KEY.format(job)) for job in JOBS}
    seen = noted([key for pair in keys.values() for key in pair])
    duration = GaugeMetricFamily(
        "zlogin_nightly_job_last_duration_seconds",
        "How long the last successful run of the nightly job took.",
        labels=["job"],
    )
    changed = GaugeMetricFamily(
        "zlogin_nightly_job_last_changed",
        "How many ketenmachtigingen the last successful run of the nightly job changed.",
        labels=["job"],
    )
    ran = GaugeMetricFamily(
        "zlogin_nightly_job_last_run_timestamp_seconds",
        "When the last successful run of the nightly job finished (Unix time).",
        labels=["job"],
    )
    failed = GaugeMetricFamily(
        "zlogin_nightly_job_last_failure_timestamp_seconds",
        "When a run of the nightly job last failed (Unix time).",
        labels=["job"],
    )
    for job, (run_key, failure_key) in keys.items():
        if run := seen.get(run_key):
            duration.add_metric([job], run["duration"])
            changed.add_metric([job], run["changed"])
            ran.add_metric([job], run["at"])
        if failure := seen.get(failure_key):
            failed.add_metric([job], failure["at"])
    return [duration, changed, ran, failed]
