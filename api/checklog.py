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
from typing import Any, cast

from django.conf import settings
from django.db import DataError, IntegrityError, connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from ketenmachtigingen.models import Ketenmachtiging

from .models import ApiClient, CheckLog
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


def touch_last_used(model: type[models.Model], pk: int, now: datetime.datetime) -> None:
    """Set one row's last_used_at to now, within the request (one UPDATE; none when another
    process came first)."""
    touch(
        model,
        pk,
        "last_used_at",
        now,
        unless_since=stale_before(now),
        durable=settings.API_CHECK_LOG_DURABLE,
    )


class CheckLogWriter:
    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        """Start empty: a forked child holds none of its parent's rows, ids, thread or locks."""
        self._lock = threading.Lock()
        # Held while writing: a flush on the way out waits for the thread's flush to end.
        self._flushing = threading.Lock()
        self._ids: collections.deque[int] = collections.deque()
        self._rows: list[dict[str, Any]] = []
        self._used: dict[int, datetime.datetime] = {}  # ketenmachtiging id → latest use
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._stop_at_exit = False

    # --- called by checks --------------------------------------------------------------------

    def log(self, **values: Any) -> int:
        """Log one check (CheckLog's fields by name); returns its id."""
        connection = connections[router.db_for_write(CheckLog)]
        if not self._batched(connection):
            return insert(CheckLog, durable=settings.API_CHECK_LOG_DURABLE, **values)
        values["id"] = self._next_id()
        with self._lock:
            self._rows.append(values)
            full = len(self._rows) >= MAX_BATCH
            dropped = self._drop_beyond_limit()
        _report_loss(dropped)
        self._start()
        if full:
            self._wake.set()
        return cast(int, values["id"])

    def used(self, ketenmachtiging: Ketenmachtiging, now: datetime.datetime) -> None:
        """The ketenmachtiging allowed a check now: keep its last_used_at roughly current (at
        most one write per API_LAST_USED_INTERVAL)."""
        if recently_used(ketenmachtiging.last_used_at, now):
            return
        connection = connections[router.db_for_write(Ketenmachtiging)]
        if not self._batched(connection):
            touch_last_used(Ketenmachtiging, ketenmachtiging.pk, now)
            return
        with self._lock:
            self._used[ketenmachtiging.pk] = now
        self._start()

    def _batched(self, connection: BaseDatabaseWrapper) -> bool:
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
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            # A thread that died of an unexpected error is replaced: its rows still wait.
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._stopping,), name="check-log", daemon=True
            )
            self._thread.start()
            if not self._stop_at_exit:
                atexit.register(self.stop)
                self._stop_at_exit = True

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
                self._rows, self._used = [], {}
                self._ids.clear()
            thread, stopping, self._thread = self._thread, self._stopping, None
        if thread is None:
            return
        stopping.set()
        self._wake.set()
        thread.join()
        if write:
            self.flush()  # nothing left, unless the thread had died

    def flush(self) -> int:
        """Write what waits, now; returns the number of log rows written. On a database error
        the rows wait for the next attempt."""
        with self._flushing:
            return self._flush()

    def _flush(self) -> int:
        with self._lock:
            rows, self._rows = self._rows, []
            used, self._used = self._used, {}
        if not rows and not used:
            return 0
        try:
            try:
                self._write(rows, used)
            except (IntegrityError, DataError):
                # Not the connection: some rows cannot be written as they are.
                rows = _writable(rows)
                self._write_one_by_one(rows, used)
        except Exception:  # the database is unreachable, or anything else: try again later
            logger.exception("Writing %d check log rows failed; trying again", len(rows))
            connections[router.db_for_write(CheckLog)].close()  # a new one next time
            self._keep(rows, used)
            return 0
        return len(rows)

    def _write(self, rows: list[dict[str, Any]], used: dict[int, datetime.datetime]) -> None:
        with transaction.atomic(using=router.db_for_write(CheckLog)):
            copy_rows(CheckLog, rows)
            if used:
                # The latest check of the batch: after an outage, not the moment of writing.
                moment = max(used.values())
                touch_many(
                    Ketenmachtiging,
                    set(used),
                    "last_used_at",
                    moment,
                    unless_since=stale_before(moment),
                )

    def _write_one_by_one(
        self, rows: list[dict[str, Any]], used: dict[int, datetime.datetime]
    ) -> None:
        """What is left after _writable, each row on its own: one that still fails is logged
        and dropped instead of holding back the others for ever."""
        self._write([], used)
        for row in rows:
            try:
                self._write([row], {})
            except (IntegrityError, DataError):
                logger.exception("Dropped a check log row that cannot be written: %r", row)

    def _keep(self, rows: list[dict[str, Any]], used: dict[int, datetime.datetime]) -> None:
        with self._lock:
            self._rows[:0] = rows
            for pk, moment in used.items():
                self._used[pk] = max(moment, self._used.get(pk, moment))
            dropped = self._drop_beyond_limit()
        _report_loss(dropped)

    def _drop_beyond_limit(self) -> int:
        """Keep at most MAX_WAITING rows (under the lock): the oldest go."""
        dropped = len(self._rows) - MAX_WAITING
        if dropped > 0:
            del self._rows[:dropped]
        return max(dropped, 0)


def _report_loss(dropped: int) -> None:
    if dropped:
        logger.error("The check log lost %d rows: the database could not be written", dropped)


def _writable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows that can still be written: without those already written (a commit whose
    answer was lost) or whose API client was deleted meanwhile, and with references to a
    dienst or ketenmachtiging deleted meanwhile emptied."""
    ids = [row["id"] for row in rows]
    written = set(CheckLog.objects.filter(pk__in=ids).values_list("pk", flat=True))
    rows = [row for row in rows if row["id"] not in written]
    _drop_deleted_references(rows)
    clients = {row["client_id"] for row in rows}
    existing = set(ApiClient.objects.filter(pk__in=clients).values_list("pk", flat=True))
    lost = [row for row in rows if row["client_id"] not in existing]
    if lost:
        logger.error("Dropped %d check log rows of a deleted API client", len(lost))
    return [row for row in rows if row["client_id"] in existing]


def _drop_deleted_references(rows: list[dict[str, Any]]) -> None:
    """Empty the references to rows deleted meanwhile, as their on_delete=SET_NULL would have."""
    for field in CheckLog._meta.concrete_fields:
        if field.is_relation and field.null:
            ids = {row[field.attname] for row in rows} - {None}
            existing = set(
                cast(type[models.Model], field.related_model)
                ._base_manager.filter(pk__in=ids)
                .values_list("pk", flat=True)
            )
            for row in rows:
                if row[field.attname] not in existing:
                    row[field.attname] = None


writer = CheckLogWriter()
