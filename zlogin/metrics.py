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

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from prometheus_client.exposition import choose_encoder

from core.metrics import BEFORE_SCRAPE, Scrape

NO_STORE = "no-store"


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
    for prepare in BEFORE_SCRAPE:
        prepare()
    encode, content_type = choose_encoder(request.META.get("HTTP_ACCEPT", ""))
    return HttpResponse(
        encode(Scrape()), content_type=content_type, headers={"Cache-Control": NO_STORE}
    )
