"""Prometheus metrics at GET /metrics: not public, no session, no login.

The endpoint answers only a request with `Authorization: Bearer <METRICS_TOKEN>` (compared in
constant time); without METRICS_TOKEN, or with another token, it answers 404 as any unknown
page does, so that its existence is not advertised. It never reads the session or
request.user: Prometheus needs no login (and no second factor).

What it exposes:

- django-prometheus's request metrics (its two middlewares, settings.MIDDLEWARE), among them
  the latency histograms `django_http_requests_latency_seconds_by_view_method{view,method}`
  and `django_http_requests_latency_including_middlewares_seconds`;
- `zlogin_api_checks_total{answer}`: the authorization checks the API answered, by answer
  ("allowed" or the refusal's reason code, as in the check log); counted in api/views.py;
- the outbox's backlog, read from the database at each scrape with one query:
  `zlogin_outbox_pending{kind}`, `zlogin_outbox_failed{kind}`,
  `zlogin_outbox_oldest_pending_age_seconds` and `zlogin_outbox_overdue_seconds`;
- the nightly jobs' last runs, which the Celery worker (not scraped) notes in the cache
  (`record_job_run`, from ketenmachtigingen/jobs/): `zlogin_nightly_job_last_duration_seconds`,
  `zlogin_nightly_job_last_changed`, `zlogin_nightly_job_last_run_timestamp_seconds` and
  `zlogin_nightly_job_last_failure_timestamp_seconds`, each by {job};
- `zlogin_metrics_collector_up{collector}`: 0 when the database or the cache could not be read
  for this scrape (the other metrics are still answered).

Several gunicorn processes: with PROMETHEUS_MULTIPROC_DIR set, prometheus_client keeps each
process's counters and histograms in files in that directory and a scrape adds them up
(gunicorn.conf.py empties it at start and marks dead workers). Without it (runserver, tests)
the process's own registry is exposed.
"""

import hashlib
import hmac
import logging
import os
import time
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from prometheus_client import REGISTRY, CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger("zlogin.metrics")

NO_STORE = "no-store"

# --- the API's checks -------------------------------------------------------------------------

# Created here, its children (one per answer) only in the web processes: a process that merely
# imports this module (the Celery worker) writes nothing to PROMETHEUS_MULTIPROC_DIR.
API_CHECKS = Counter(
    "zlogin_api_checks",
    "Authorization checks answered by the API, by answer: allowed, or the reason code of the "
    "refusal (as in the check log).",
    ["answer"],
)
ALLOWED = "allowed"
_answers: dict[str, Counter] = {}


def _known_answers() -> list[str]:
    from api.constants import REFUSAL_REASONS

    return [ALLOWED, *REFUSAL_REASONS]


def _start_counting_checks() -> None:
    """Every known answer is exposed from the start (0), so that rates work at once."""
    if not _answers:
        for answer in _known_answers():
            _answers[answer] = API_CHECKS.labels(answer=answer)


def count_check(*, allowed: bool, reason: str | None) -> None:
    """The API answered a check (api/views.py)."""
    answer = ALLOWED if allowed else str(reason)
    try:
        child = _answers[answer]
    except KeyError:
        _start_counting_checks()
        child = _answers.setdefault(answer, API_CHECKS.labels(answer=answer))
    child.inc()


# --- the nightly jobs -------------------------------------------------------------------------

# The last run of each job, noted in the cache shared by the worker and the web processes
# (CACHES["default"]: Redis in production). Never expires.
_RUN_KEY = "zlogin:metrics:nightly-job:{}:run"
_FAILURE_KEY = "zlogin:metrics:nightly-job:{}:failure"


def record_job_run(job: str, *, duration: float, changed: int) -> None:
    """A nightly job finished: how long it took (seconds) and how many rows it changed."""
    _note(_RUN_KEY.format(job), {"duration": duration, "changed": changed, "at": time.time()})


def record_job_failure(job: str) -> None:
    """A nightly job failed (its transaction was rolled back)."""
    _note(_FAILURE_KEY.format(job), {"at": time.time()})


def _note(key: str, value: dict) -> None:
    # Metrics never fail a job: an unreachable cache costs the gauge, not the night's work.
    try:
        cache.set(key, value, timeout=None)
    except Exception:
        logger.warning("Could not note %s in the cache for /metrics", key, exc_info=True)


def _nightly_job_metrics() -> list[Metric]:
    from ketenmachtigingen.jobs import JOBS

    keys = {job: (_RUN_KEY.format(job), _FAILURE_KEY.format(job)) for job in JOBS}
    noted = cache.get_many([key for pair in keys.values() for key in pair])
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
        if run := noted.get(run_key):
            duration.add_metric([job], run["duration"])
            changed.add_metric([job], run["changed"])
            ran.add_metric([job], run["at"])
        if failure := noted.get(failure_key):
            failed.add_metric([job], failure["at"])
    return [duration, changed, ran, failed]


# --- the outbox -------------------------------------------------------------------------------


def _outbox_metrics() -> list[Metric]:
    """One query, however long the backlog: per kind and state (pending, failed) the count,
    the oldest message and the earliest due attempt, through the index on (state, created_at).
    """
    from django.db.models import Count, Min

    from outbox.models import OutboxMessage, State
    from outbox.registry import kinds

    rows = (
        OutboxMessage.objects.filter(state__in=[State.PENDING, State.FAILED])
        .order_by()
        .values_list("kind", "state")
        .annotate(Count("pk"), Min("created_at"), Min("next_attempt_at"))
    )
    counts = {(kind.name, state): 0 for kind in kinds() for state in (State.PENDING, State.FAILED)}
    oldest = first_due = None
    for kind, state, count, created_at, next_attempt_at in rows:
        counts[kind, state] = count
        if state == State.PENDING:
            oldest = created_at if oldest is None else min(oldest, created_at)
            first_due = next_attempt_at if first_due is None else min(first_due, next_attempt_at)
    now = timezone.now()
    pending = GaugeMetricFamily(
        "zlogin_outbox_pending",
        "Outbox messages waiting to be delivered (state pending), by kind.",
        labels=["kind"],
    )
    failed = GaugeMetricFamily(
        "zlogin_outbox_failed",
        "Outbox messages that failed for good and wait for staff (state failed), by kind.",
        labels=["kind"],
    )
    for (kind, state), count in sorted(counts.items()):
        (pending if state == State.PENDING else failed).add_metric([kind], count)
    return [
        pending,
        failed,
        GaugeMetricFamily(
            "zlogin_outbox_oldest_pending_age_seconds",
            "Age of the oldest pending outbox message, retries included (0: none pending).",
            value=_seconds_since(oldest, now),
        ),
        GaugeMetricFamily(
            "zlogin_outbox_overdue_seconds",
            "How long the pending outbox message that has been due the longest has waited for "
            "a worker (0: none due).",
            value=_seconds_since(first_due, now),
        ),
    ]


def _seconds_since(moment, now) -> float:
    return 0.0 if moment is None else max((now - moment).total_seconds(), 0.0)


# --- the scrape -------------------------------------------------------------------------------


class _Scrape:
    """What one scrape exposes: the processes' counters and histograms, then the gauges read
    from the database and the cache now."""

    SOURCES = {"outbox": _outbox_metrics, "nightly_jobs": _nightly_job_metrics}

    def collect(self) -> Iterator[Metric]:
        yield from _process_metrics().collect()
        up = GaugeMetricFamily(
            "zlogin_metrics_collector_up",
            "1 when this scrape could read the source of these metrics (the database for "
            "outbox, the cache for nightly_jobs), 0 when it failed.",
            labels=["collector"],
        )
        for name, source in self.SOURCES.items():
            try:
                metrics: Iterable[Metric] = source()
            except Exception:
                logger.exception("/metrics: reading %s failed", name)
                metrics = ()
                up.add_metric([name], 0)
            else:
                up.add_metric([name], 1)
            yield from metrics
        yield up


def _process_metrics():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _authorized(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    scheme, _space, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    # Digests of equal length: the comparison reveals neither the token nor its length.
    return hmac.compare_digest(
        hashlib.sha256(given.strip().encode()).digest(), hashlib.sha256(token.encode()).digest()
    )


@csrf_exempt
def view(request: HttpRequest) -> HttpResponse:
    """The metrics for Prometheus, in the format its Accept header asks for."""
    if not _authorized(request):
        raise Http404  # the portal's own 404 page, as for any unknown address
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD", "Cache-Control": NO_STORE})
    _start_counting_checks()
    encode, content_type = choose_encoder(request.META.get("HTTP_ACCEPT", ""))
    return HttpResponse(
        encode(_Scrape()), content_type=content_type, headers={"Cache-Control": NO_STORE}
    )
