"""gunicorn's settings for the portal and the API. gunicorn reads this file from the working
directory (the image's CMD names it); each value can be set in the environment.

Processes (`workers`), first match wins:
  1. WEB_CONCURRENCY (the usual name; docker-compose.yml and .env.example use it),
  2. WEB_WORKERS (the older name, still honoured),
  3. the CPUs this container may use: its cgroup CPU quota (`docker run --cpus`, compose's
     `cpus:`), else the CPUs the process may run on; never the host's whole count.
Threads per process: WEB_THREADS (2). A command-line flag (`--workers 4`) beats all of these.

Logs: gunicorn's own lines (gunicorn.error) and, with WEB_ACCESS_LOG, one line per request
(gunicorn.access) go to stdout on the app's clock and in the app's format (zlogin/settings.py,
LOGGING): LOG_FORMAT=json gives one JSON object per line with `timestamp` (UTC, ISO 8601, `Z`),
`level`, `logger` and `event`; anything else readable lines starting with the same timestamp.
LOG_FORMAT defaults as in the settings: `plain` with DEBUG=true, otherwise `json`.
"""

import math
import os
import shutil
from collections.abc import Mapping
from ipaddress import ip_network
from pathlib import Path

from gunicorn.glogging import Logger as GunicornLogger

from zlogin import logformat


def _env_int(name: str) -> int | None:
    """An integer from the environment; unset or empty: None."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise RuntimeError(f"{name} must be at least 1, not {number}")
    return number


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "on", "y", "t")


def container_cpus(cgroup: str = "/sys/fs/cgroup") -> int:
    """The CPUs this process may use: the cgroup quota (v2 `cpu.max`, v1 `cpu.cfs_quota_us`),
    bounded by the CPUs it may run on. os.cpu_count() is the host's, whatever the limit."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    root = Path(cgroup)
    try:
        # cgroup v2: "<quota> <period>", or "max <period>" without a limit.
        quota, period = (root / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        try:  # cgroup v1: the quota is -1 without a limit
            quota = (root / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (root / "cpu" / "cpu.cfs_period_us").read_text().strip()
        except OSError:
            quota, period = "max", "0"
    try:
        if quota not in ("max", "-1") and int(period) > 0:
            cpus = min(cpus, math.ceil(int(quota) / int(period)))
    except ValueError:
        pass
    return max(1, cpus)


# --- server -----------------------------------------------------------------------------------
bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
proc_name = "zlogin"
# Threads share their process's interpreter lock: one process per core with two threads each
# served the most authorization checks per second (docs/performance.md). Raise WEB_THREADS when
# many slow requests (large exports) are expected at once.
worker_class = "gthread"
workers = _env_int("WEB_CONCURRENCY") or _env_int("WEB_WORKERS") or container_cpus()
threads = _env_int("WEB_THREADS") or 2
keepalive = 30
# The workers' heartbeat files in memory, not on the container's (overlay) disk; gunicorn makes
# them with mkstemp, so a shared directory is safe.
_SHM = "/dev/shm"  # noqa: S108
if os.path.isdir(_SHM) and os.access(_SHM, os.W_OK):
    worker_tmp_dir = _SHM

# gunicorn 25.1+ opens a control socket for `gunicornc` at $XDG_RUNTIME_DIR/gunicorn.ctl or
# ~/.gunicorn/gunicorn.ctl: one path for every gunicorn of the same user. A second instance
# unlinks the first one's socket and takes the path over, and whichever stops first removes
# it (gunicorn/ctl/server.py); in the image the home directory is not writable anyway. The
# portal has no use for it: off (the setting behind --no-control-socket).
control_socket_disable = True

# Only the proxies the portal trusts (TRUSTED_PROXIES, as in accounts/addresses.py) may tell
# gunicorn the client's scheme (X-Forwarded-Proto); gunicorn's own default trusts 127.0.0.1.
# gunicorn wants networks without host bits (10.0.0.1/24 -> 10.0.0.0/24).
forwarded_allow_ips = ",".join(
    str(ip_network(proxy.strip(), strict=False))
    for proxy in os.environ.get("TRUSTED_PROXIES", "").split(",")
    if proxy.strip()
)

# --- logging ----------------------------------------------------------------------------------
DEBUG = _env_bool("DEBUG", default=False)
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or ("plain" if DEBUG else "json")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "").strip().upper() or "INFO"
loglevel = LOG_LEVEL.lower()
# "-": every request to stdout (the image sets it); a path: to that file; unset: no access log.
WEB_ACCESS_LOG = os.environ.get("WEB_ACCESS_LOG", "").strip()
accesslog = WEB_ACCESS_LOG or None
# Not the Apache default: no local-time %(t)s (the line has the UTC timestamp) and no query
# string (searches can hold names); the client's address is the one the portal determined.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


def _access_fields(_logger, _method, event_dict):
    """A request's line (gunicorn.access) carries its parts as fields as well (JSON only).
    gunicorn logs a request with one mapping of fields (pass_foreign_args hands it over)."""
    atoms = event_dict.pop("positional_args", None)
    record = event_dict.get("_record")
    if record is not None and record.name == "gunicorn.access" and isinstance(atoms, Mapping):
        status = str(atoms.get("s", ""))
        event_dict.update(
            remote_addr=atoms.get("h"),
            method=atoms.get("m"),
            path=atoms.get("U"),
            status=int(status) if status.isdigit() else status,
            bytes=atoms.get("B"),
            duration_ms=atoms.get("M"),
        )
    return event_dict


def _drop_args(_logger, _method, event_dict):
    event_dict.pop("positional_args", None)
    return event_dict


# The portal's own formats (zlogin/logformat.py), with a request's parts as fields.
_FORMATTERS = logformat.formatters(
    json_extra=[_access_fields], plain_extra=[_drop_args], pass_foreign_args=True
)
if LOG_FORMAT not in _FORMATTERS:
    raise RuntimeError(f"LOG_FORMAT must be one of {sorted(_FORMATTERS)}, not {LOG_FORMAT!r}")

_access_handler = (
    {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "stream": "ext://sys.stdout"}
    if WEB_ACCESS_LOG in ("", "-")
    else {"class": "logging.FileHandler", "formatter": LOG_FORMAT, "filename": WEB_ACCESS_LOG}
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": _FORMATTERS,
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "stream": "ext://sys.stdout",
        },
        "access": _access_handler,
    },
    # Until the portal's LOGGING takes over in each worker (the master never loads Django).
    "root": {"level": LOG_LEVEL, "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": LOG_LEVEL, "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}


class Logger(GunicornLogger):
    """gunicorn's logger, but requests are logged only when WEB_ACCESS_LOG asks for it: with a
    logconfig_dict gunicorn would otherwise build every request's log fields (and drop them)."""

    def _compute_access_log_enabled(self):
        return bool(self.cfg.accesslog)


logger_class = Logger


# --- Prometheus (zlogin/metrics.py) -------------------------------------------------------------
def on_starting(server):
    """With PROMETHEUS_MULTIPROC_DIR each worker keeps its counters in files there: start empty,
    so that a restarted server does not add up the previous run's workers."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if directory:
        path = Path(directory)
        if path.is_dir():
            for entry in path.iterdir():
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        path.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A worker that ended: its gauges are no longer counted (prometheus_client)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
