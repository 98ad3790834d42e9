"""The portal's Prometheus metrics, gathered from the apps (the endpoint: zlogin/metrics.py).

An app adds gauges read at each scrape with `@source(name)` (from its AppConfig.ready(), so the
scrape knows them) and work to do before each scrape with `@before_scrape`; its counters and
histograms are prometheus_client's own. `note` keeps a value where every process reads it (the
cache shared by the Celery worker and the web processes).
"""

import logging
import os
from collections.abc import Callable, Iterable, Iterator

from django.core.cache import cache
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger("zlogin.metrics")

# name -> what one scrape reads; zlogin_metrics_collector_up{collector=name} tells it worked.
SOURCES: dict[str, Callable[[], Iterable[Metric]]] = {}
BEFORE_SCRAPE: list[Callable[[], None]] = []


def source(name: str):
    def register(read: Callable[[], Iterable[Metric]]):
        SOURCES[name] = read
        return read

    return register


def before_scrape(prepare: Callable[[], None]):
    BEFORE_SCRAPE.append(prepare)
    return prepare


def note(key: str, value: dict) -> None:
    """Keep `value` in the shared cache for the scrapes. Metrics never fail the work they
    describe: an unreachable cache costs the gauge, not the work."""
    try:
        cache.set(key, value, timeout=None)
    except Exception:
        logger.warning("Could not note %s in the cache for /metrics", key, exc_info=True)


def noted(keys: list[str]) -> dict:
    return cache.get_many(keys)


def seconds_since(moment, now) -> float:
    return 0.0 if moment is None else max((now - moment).total_seconds(), 0.0)


class Scrape:
    """What one scrape exposes: the processes' counters and histograms, then the gauges read
    from the database and the cache now."""

    def collect(self) -> Iterator[Metric]:
        yield from process_metrics().collect()
        up = GaugeMetricFamily(
            "zlogin_metrics_collector_up",
            "1 when this scrape could read the source of these metrics (the database for "
            "outbox, the cache for nightly_jobs), 0 when it failed.",
            labels=["collector"],
        )
        for name, read in SOURCES.items():
            try:
                metrics: Iterable[Metric] = read()
            except Exception:
                logger.exception("/metrics: reading %s failed", name)
                metrics = ()
                up.add_metric([name], 0)
            else:
                up.add_metric([name], 1)
            yield from metrics
        yield up


def process_metrics():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY
