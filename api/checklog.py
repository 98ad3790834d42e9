"""The check log and the ketenmachtigingen' last use, written in batches.

Writing a log row within every check was a third of its cost. Each process instead keeps the
rows of the last moment and writes them with one COPY, from a thread of its own, every
API_CHECK_LOG_FLUSH_SECONDS or as soon as MAX_BATCH rows wait; the last-used moments of the
ketenmachtigingen go with them as one UPDATE. A check's id is known at once: ids are taken from
the table's sequence in blocks of ID_BLOCK.

The price: a process that is killed (not stopped) loses the rows of its last moment; a stopped
process writes them on its way out. A check inside a transaction (a test's, or a caller's
atomic block) and every check with API_CHECK_LOG_FLUSH_SECONDS = 0 or on a database without
sequences (SQLite) is written at once, within its request.
"""

import atexit
import collections
import datetime
import logging
import os
import threading

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from ketenmachtigingen.models import Ketenmachtiging

from .models import CheckLog
from .prepared import copy_rows, insert, reserve_ids, touch, touch_many

logger = logging.getLogger(__name__)

ID_BLOCK = 1000
MAX_BATCH = 1000
# Rows kept while the database cannot be written; beyond this the oldest are dropped (and the
# loss is logged as an error) so that an outage cannot exhaust the memory.
MAX_WAITING = 200_000


def stale_before(now: datetime.datetime) -> datetime.datetime:
    """A last_used_at before this moment is written again (once per API_LAST_USED_INTERVAL)."""
    return now - datetime.timedelta(seconds=settings.API_LAST_USED_INTERVAL)


def recently_used(last_used_at: datetime.datetime | None, now: datetime.datetime) -> bool:
    return last_used_at is not None and last_used_at >= stale_before(now)


class CheckLogWriter:
    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        """Start empty: a forked child holds none of its parent's rows, ids, thread or locks."""
        self._lock = threading.Lock()
        # Held while writing: a flush on the way out waits for the thread's flush to end.
        self._flushing = threading.Lock()
        self._ids: collections.deque[int] = collections.deque()
        self._rows: list[dict] = []
        self._used: set[int] = set()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- called by checks --------------------------------------------------------------------

    def log(self, **values) -> int:
        """Log one check (CheckLog's fields by name); returns its id."""
        connection = connections[router.db_for_write(CheckLog)]
        if not self._batched(connection):
            return insert(CheckLog, durable=settings.API_CHECK_LOG_DURABLE, **values)
        values["id"] = self._next_id()
        with self._lock:
            self._rows.append(values)
            full = len(self._rows) >= MAX_BATCH
        self._start()
        if full:
            self._wake.set()
        return values["id"]

    def used(self, ketenmachtiging: Ketenmachtiging, now: datetime.datetime) -> None:
        """The ketenmachtiging allowed a check now: keep its last_used_at roughly current (at
        most one write per API_LAST_USED_INTERVAL)."""
        if recently_used(ketenmachtiging.last_used_at, now):
            return
        connection = connections[router.db_for_write(Ketenmachtiging)]
        if not self._batched(connection):
            durable = settings.API_CHECK_LOG_DURABLE
            touch(
                Ketenmachtiging,
                ketenmachtiging.pk,
                "last_used_at",
                now,
                unless_since=stale_before(now),
                durable=durable,
            )
            return
        with self._lock:
            self._used.add(ketenmachtiging.pk)
        self._start()

    def _batched(self, connection) -> bool:
        return (
            settings.API_CHECK_LOG_FLUSH_SECONDS > 0
            and connection.vendor == "postgresql"
            and not connection.in_atomic_block
        )

    def _next_id(self) -> int:
        with self._lock:
            if self._ids:
                return self._ids.popleft()
        ids = reserve_ids(CheckLog, ID_BLOCK)
        with self._lock:
            self._ids.extend(ids[1:])
        return ids[0]

    # --- the writing thread ------------------------------------------------------------------

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is not None:
                return
            self._stopping = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._stopping,), name="check-log", daemon=True
            )
            self._thread.start()
        atexit.register(self.stop)

    def _run(self, stopping: threading.Event) -> None:
        try:
            while not stopping.is_set():
                self._wake.wait(settings.API_CHECK_LOG_FLUSH_SECONDS)
                self._wake.clear()
                self.flush()
            self.flush()
        finally:
            connections.close_all()  # this thread's own

    def stop(self, *, write: bool = True) -> None:
        """Write what waits and end the thread, on the process's way out. write=False (tests):
        forget the rows and the reserved ids instead."""
        with self._lock:
            if not write:
                self._rows, self._used = [], set()
                self._ids.clear()
            thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        self._wake.set()
        thread.join()

    def flush(self) -> int:
        """Write what waits, now; returns the number of log rows written. On a database error
        the rows wait for the next attempt."""
        with self._flushing:
            return self._flush()

    def _flush(self) -> int:
        with self._lock:
            rows, self._rows = self._rows, []
            used, self._used = self._used, set()
        if not rows and not used:
            return 0
        try:
            try:
                self._write(rows, used)
            except IntegrityError:
                # A dienst or ketenmachtiging was deleted after its check was answered.
                _drop_deleted_references(rows)
                self._write(rows, used)
        except Exception:
            logger.exception("Writing %d check log rows failed; trying again", len(rows))
            connections[router.db_for_write(CheckLog)].close()  # a new one next time
            self._keep(rows, used)
            return 0
        return len(rows)

    def _write(self, rows: list[dict], used: set[int]) -> None:
        now = timezone.now()
        with transaction.atomic(using=router.db_for_write(CheckLog)):
            copy_rows(CheckLog, rows)
            touch_many(Ketenmachtiging, used, "last_used_at", now, unless_since=stale_before(now))

    def _keep(self, rows: list[dict], used: set[int]) -> None:
        with self._lock:
            self._rows[:0] = rows
            self._used |= used
            dropped = len(self._rows) - MAX_WAITING
            if dropped > 0:
                del self._rows[:dropped]
        if dropped > 0:
            logger.error("The check log lost %d rows: the database could not be written", dropped)


def _drop_deleted_references(rows: list[dict]) -> None:
    """Empty the references to rows deleted meanwhile, as their on_delete=SET_NULL would have."""
    for field in CheckLog._meta.concrete_fields:
        if field.is_relation and field.null:
            ids = {row[field.attname] for row in rows} - {None}
            existing = set(
                field.related_model._base_manager.filter(pk__in=ids).values_list("pk", flat=True)
            )
            for row in rows:
                if row[field.attname] not in existing:
                    row[field.attname] = None


writer = CheckLogWriter()
