"""Hot-path queries compiled once, and on PostgreSQL planned once (API_PREPARED_STATEMENTS).

The ORM builds each query, with sentinel values in the places of its inputs; every thread keeps
the compiled SQL and its compiler, and a request only executes it and converts the rows as the
ORM would. On PostgreSQL the statement is also prepared on the server (psycopg's
`execute(..., prepare=True)`, once per connection), so the planner does not plan it again for
every check. Building, compiling and planning the check's queries cost far more than executing
them (docs/performance.md, "Authorization check API"). api/reads.py is the one user on the
check's path; the writes below serve the check log.
"""

import datetime
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any, cast

import psycopg
from django.conf import settings
from django.db import DatabaseError, connections, models, router

# psycopg's default: a statement run this often is prepared (_fetch asks for it at once).
PREPARE_THRESHOLD = 5
# A placeholder of Django's SQL, or an escaped percent sign.
_PLACEHOLDER = re.compile(r"%%|%s")


def _sentinel(field: models.Field, n: int, connection) -> object:
    """A value of the field's type that no constant of a query will equal (and that the ORM
    does not reject: an integer out of the column's range would compile to nothing)."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.DateTimeField):
        return datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(seconds=n)
    if isinstance(field, models.DateField):
        return datetime.date(1901, 1, 1) + datetime.timedelta(days=n)
    if isinstance(field, models.UUIDField):
        return uuid.UUID(int=0x5E471E1 << 64 | n)
    if isinstance(field, models.IntegerField | models.AutoField):
        _low, high = connection.ops.integer_field_range(field.get_internal_type())
        return high - 7 - n
    if isinstance(field, models.CharField | models.TextField):
        return f"sentinel-{n}"
    raise TypeError(f"no sentinel for {field!r}")


def allow_prepared_statements(sender, connection, **kwargs) -> None:
    """On a new PostgreSQL connection, let psycopg prepare the statements that _fetch asks it
    to (API_PREPARED_STATEMENTS). Django turns preparing off unless OPTIONS set
    "prepare_threshold"; its own cursors bind on the client and never prepare, whatever the
    threshold, so only _fetch's statements are prepared."""
    if connection.vendor != "postgresql" or not settings.API_PREPARED_STATEMENTS:
        return
    if connection.connection.prepare_threshold is None:
        connection.connection.prepare_threshold = PREPARE_THRESHOLD


def _fetch(connection, sql: str, params: list, *, idempotent: bool = False) -> list[tuple]:
    """Run one statement and return its rows.

    Inside a transaction, and on other databases, through Django's cursor. On PostgreSQL in
    autocommit mode (every request of the API) through a psycopg cursor with server-side
    binding on Django's connection, the statement prepared on the server (psycopg keeps them
    per connection and prepares one again when the server dropped it). Not through Django's
    health check (CONN_HEALTH_CHECKS): that is a round trip of its own at the start of every
    request, a fifth of a check's time. A read on a connection the server has closed (a
    restart) is instead retried once on a new connection."""
    if connection.vendor != "postgresql" or not connection.get_autocommit():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    connection.ensure_connection()
    raw = connection.connection
    try:
        with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
            cursor.execute(sql, params, prepare=settings.API_PREPARED_STATEMENTS)
            return cursor.fetchall() if cursor.description else []
    except DatabaseError:
        if not (idempotent and raw.closed):
            raise
        connection.close()
        return _fetch(connection, sql, params)


def _params(inputs: dict, template: list, values: dict, connection) -> list:
    """The statement's parameters: its constants, and each input prepared by its field (once,
    also where the query uses it more than once)."""
    prepared = {
        name: inputs[name].get_db_prep_value(value, connection) for name, value in values.items()
    }
    return [constant if name is None else prepared[name] for name, constant in template]


class Prepared:
    """A values_list() query with named inputs: Prepared(Model, build, name=field, ...), where
    `build(**values)` returns the queryset and each input's field says how its value is passed
    to the database. `rows(**values)` runs it."""

    def __init__(
        self,
        model: type[models.Model],
        build: Callable[..., models.QuerySet],
        **inputs: models.Field,
    ):
        self.model = model
        self.build = build
        self.inputs = inputs
        # Per thread: a compiler holds its thread's connection.
        self._local = threading.local()

    def _compiled(self, using: str) -> tuple:
        cache = self._local.__dict__.setdefault("compiled", {})
        if using not in cache:
            connection = connections[using]
            sentinels = {
                name: _sentinel(field, n, connection)
                for n, (name, field) in enumerate(self.inputs.items())
            }
            compiler = self.build(**sentinels).query.get_compiler(using)
            sql, params = compiler.as_sql()
            placed = {
                self.inputs[name].get_db_prep_value(sentinel, connection): name
                for name, sentinel in sentinels.items()
            }
            # Per parameter: the input it takes, or None for a constant of the query.
            template = [(placed.get(param), param) for param in params]
            missing = set(self.inputs) - {name for name, _ in template}
            assert not missing, f"inputs not found in the compiled query: {missing}"
            cache[using] = (compiler, sql, template)
        return cache[using]

    def rows(self, **values: Any) -> list[tuple]:
        using = router.db_for_read(self.model)
        connection = connections[using]
        compiler, sql, template = self._compiled(using)
        params = _params(self.inputs, template, values, connection)
        fetched = _fetch(connection, sql, params, idempotent=True)
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))

    def first(self, **values: Any) -> tuple | None:
        rows = self.rows(**values)
        return rows[0] if rows else None


class Lateral:
    """Two Prepared queries in one statement (one round trip; PostgreSQL): `outer`, which has
    one row at most, and for that row the rows of `inner`:

        SELECT * FROM (outer) o LEFT JOIN LATERAL (inner) i ON TRUE

    `bound` names inputs of `inner` that take a column of the outer row (by its name in outer's
    values_list); every other input is an input of the whole. rows(**values): per inner row,
    outer's columns and then inner's; one row with inner's columns None when there is none;
    no row when outer has none. Values come as psycopg reads them (no ORM converters)."""

    def __init__(self, outer: Prepared, inner: Prepared, **bound: str):
        self.outer, self.inner, self.bound = outer, inner, bound
        self.inputs = {**outer.inputs, **inner.inputs}
        self.model = outer.model
        self._local = threading.local()

    def _compiled(self, using: str) -> tuple[str, list]:
        cache = self._local.__dict__.setdefault("compiled", {})
        if using not in cache:
            quote = connections[using].ops.quote_name
            _compiler, outer_sql, outer_template = self.outer._compiled(using)
            _compiler, inner_sql, inner_template = self.inner._compiled(using)
            inner_params = iter(inner_template)
            template = list(outer_template)

            def place(match: re.Match) -> str:
                if match.group() == "%%":
                    return "%%"
                name, constant = next(inner_params)
                if name in self.bound:
                    return f"o.{quote(self.bound[name])}"
                template.append((name, constant))
                return "%s"

            inner_sql = _PLACEHOLDER.sub(place, inner_sql)
            # Both parts are the ORM's compiled SQL, their values still parameters.
            sql = f"SELECT * FROM ({outer_sql}) o LEFT JOIN LATERAL ({inner_sql}) i ON TRUE"  # noqa: S608
            cache[using] = (sql, template)
        return cache[using]

    def rows(self, **values: Any) -> list[tuple]:
        using = router.db_for_read(self.model)
        connection = connections[using]
        assert connection.vendor == "postgresql", "LATERAL and psycopg's types"
        sql, template = self._compiled(using)
        params = _params(self.inputs, template, values, connection)
        return _fetch(connection, sql, params, idempotent=True)


# A write that may be lost when the database server crashes (the last fraction of a second of
# them; the database stays consistent) need not wait for the disk. set_config(..., true) in
# RETURNING runs inside the statement, so its own implicit transaction commits without waiting
# for the WAL flush, and the setting ends with that transaction.
_ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true)"


def _write(
    connection,
    sql: str,
    params: list,
    *,
    returning: str = "",
    durable: bool,
    idempotent: bool = False,
) -> list:
    extras = [returning] if returning else []
    if not durable and connection.vendor == "postgresql" and not connection.in_atomic_block:
        extras.append(_ASYNC_COMMIT)
    if extras:
        sql = f"{sql} RETURNING {', '.join(extras)}"
    return _fetch(connection, sql, params, idempotent=idempotent)


def insert(model: type[models.Model], *, durable: bool = True, **values: Any) -> int:
    """INSERT one row of `model` without the ORM's per-call compilation; returns its pk.
    Values are prepared by their fields, as Model.save() would; no signals are sent.
    durable=False: see _ASYNC_COMMIT."""
    connection = connections[router.db_for_write(model)]
    fields = [
        (cast("models.Field[Any, Any]", model._meta.get_field(name)), value)
        for name, value in values.items()
    ]
    qn = connection.ops.quote_name
    # Only quoted table and column names from the model are formatted in; values are params.
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(f.column) for f, _v in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    params = [f.get_db_prep_save(value, connection) for f, value in fields]
    assert connection.features.can_return_columns_from_insert  # PostgreSQL; SQLite >= 3.35
    rows = _write(connection, sql, params, returning=qn(model._meta.pk.column), durable=durable)
    return rows[0][0]


def touch(
    model: type[models.Model],
    pk: int,
    field_name: str,
    moment: datetime.datetime,
    *,
    unless_since: datetime.datetime,
    durable: bool = True,
) -> None:
    """Set a timestamp to `moment` unless it is already `unless_since` or later: one UPDATE
    that is a no-op when another process came first. No save(), no auto_now fields."""
    connection, sql, params = _touch_statement(model, field_name, moment, unless_since, "= %s", pk)
    # Safe to run twice: it sets a fixed moment, and only where it is older.
    _write(connection, sql, params, durable=durable, idempotent=True)


# --- for writes in batches (PostgreSQL) ----------------------------------------------------------


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new values of the model's primary key sequence, for rows written later."""
    connection = connections[router.db_for_write(model)]
    sql = "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)"
    params = [model._meta.db_table, model._meta.pk.column, count]
    # Idempotent enough to retry: a lost block only leaves a gap in the ids.
    return [row[0] for row in _fetch(connection, sql, params, idempotent=True)]


# Fields whose values psycopg sends as they are (for PostgreSQL the ORM passes them through).
_SENT_AS_IS = (
    models.CharField,
    models.BooleanField,
    models.IntegerField,
    models.AutoField,
    models.ForeignKey,
)


def copy_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """COPY rows (each with the same fields by name, the pk included) into the model's table.
    Values are prepared by their fields, as Model.save() would; no signals are sent."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [cast("models.Field[Any, Any]", model._meta.get_field(name)) for name in rows[0]]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(field.column) for field in fields)
    sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
    # Only the fields whose Python value is not what psycopg sends are prepared.
    prepared = [(n, field) for n, field in enumerate(fields) if not isinstance(field, _SENT_AS_IS)]
    names = list(rows[0])
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,  # psycopg's errors as Django's, as for execute()
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            values = [row[name] for name in names]
            for n, field in prepared:
                values[n] = field.get_db_prep_save(values[n], connection)
            copy.write_row(values)


def touch_many(
    model: type[models.Model],
    pks: set[int],
    field_name: str,
    moment: datetime.datetime,
    *,
    unless_since: datetime.datetime,
) -> None:
    """touch() for many rows in one UPDATE (PostgreSQL)."""
    if not pks:
        return
    # Sorted: concurrent batches mostly meet the rows in the same order (PostgreSQL does not
    # promise it; a deadlock fails one batch, which is written again).
    connection, sql, params = _touch_statement(
        model, field_name, moment, unless_since, "= ANY(%s)", sorted(pks)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _touch_statement(model, field_name, moment, unless_since, pk_condition, pk_param):
    """touch()'s UPDATE, for the primary keys that `pk_condition` with `pk_param` selects."""
    connection = connections[router.db_for_write(model)]
    field = model._meta.get_field(field_name)
    qn = connection.ops.quote_name
    column = qn(field.column)
    sql = (
        f"UPDATE {qn(model._meta.db_table)} SET {column} = %s "  # noqa: S608
        f"WHERE {qn(model._meta.pk.column)} {pk_condition} "
        f"AND ({column} IS NULL OR {column} < %s)"
    )
    params = [
        field.get_db_prep_save(moment, connection),
        pk_param,
        field.get_db_prep_save(unless_since, connection),
    ]
    return connection, sql, params
