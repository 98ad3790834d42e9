"""What the API adds to /metrics (core/metrics.py): the checks it answered, by answer."""

from prometheus_client import Counter

from core.metrics import before_scrape

from .constants import REFUSAL_REASONS

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


@before_scrape
def start_counting_checks() -> None:
    """Every known answer is exposed from the start (0), so that rates work at once."""
    if not _answers:
        for answer in [ALLOWED, *REFUSAL_REASONS]:
            _answers[answer] = API_CHECKS.labels(answer=answer)


def count_check(*, allowed: bool, reason: str | None) -> None:
    """The API answered a check (api/views.py)."""
    answer = ALLOWED if allowed else str(reason)
    try:
        child = _answers[answer]
    except KeyError:
        start_counting_checks()
        child = _answers.setdefault(answer, API_CHECKS.labels(answer=answer))
    child.inc()


# --- the nightly jobs -------------------------------------------------------------------------
