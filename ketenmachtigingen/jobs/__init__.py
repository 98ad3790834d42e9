"""The nightly jobs that move the lifecycle on (Celery beat, or `manage.py run_nightly_jobs`).

Each is set-based and safe to run twice or at the same time as another run: see batches.py.
"""

import datetime
import time
from collections.abc import Callable, Iterable

from .. import dates
from . import metrics
from .reminders import send_renewal_reminders
from .transitions import execute_revocations, expire, lapse_invitations

# In this order: a ketenmachtiging revoked as of a date is Ingetrokken rather than Verlopen,
# and one that has ended gets no reminder.
JOBS: dict[str, Callable[[datetime.date], int]] = {
    "execute_revocations": execute_revocations,
    "expire": expire,
    "lapse_invitations": lapse_invitations,
    "send_renewal_reminders": send_renewal_reminders,
}

__all__ = [
    "JOBS",
    "execute_revocations",
    "expire",
    "lapse_invitations",
    "run_nightly_jobs",
    "send_renewal_reminders",
]


def run_nightly_jobs(
    today: datetime.date | None = None, only: Iterable[str] | None = None
) -> dict[str, int]:
    """Run the jobs (all, or those named in `only`) in their fixed order for `today`; return
    how many ketenmachtigingen each changed. Each run is noted for /metrics (jobs/metrics.py)."""
    today = today or dates.today()
    if isinstance(only, str):
        only = [only]
    selected = set(JOBS) if only is None else set(only)
    if unknown := selected - set(JOBS):
        raise ValueError(f"Onbekende job: {', '.join(sorted(unknown))}")
    return {name: _run(name, job, today) for name, job in JOBS.items() if name in selected}


def _run(name: str, job: Callable[[datetime.date], int], today: datetime.date) -> int:
    started = time.monotonic()
    try:
        changed = job(today)
    except Exception:
        metrics.record_job_failure(name)
        raise
    metrics.record_job_run(name, duration=time.monotonic() - started, changed=changed)
    return changed
