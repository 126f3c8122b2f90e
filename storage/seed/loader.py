"""The bulk path the seeds write through: executemany (SQLite) or COPY (PostgreSQL), in batches.

Ids are assigned in Python (so children reference parents without round trips) and PostgreSQL's
sequences are moved past them afterwards. Rows carry money as integer cents, the representation
`domain.types.Money` stores, so the hot path converts no amounts; dates and timestamps are
rendered exactly as the column types' bind processors render them (the tests compare), so what
lands in the database is what the ORM would have written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import Date, DateTime, Table, bindparam, text, update
from sqlalchemy.engine import Connection, Dialect

from domain.models import (
    AuditEvent,
    BenefitAccumulator,
    BenefitPlan,
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimLineAdjustment,
    ClaimStatusEvent,
    Coverage,
    FeeSchedule,
    FeeScheduleEntry,
    Location,
    Member,
    PlanBenefit,
    Practice,
    ProcedureCode,
    Provider,
    Remittance,
    User,
    UserRole,
    VisitAccumulator,
)
from domain.types import Money

Row = dict[str, Any]
# Rows to insert, by table name; written in TABLE_ORDER so parents precede children.
RowBatch = dict[str, list[Row]]
# The same rows as driver tuples in column order, ready for executemany or COPY.
EncodedBatch = dict[str, list[tuple[Any, ...]]]

_MODELS: tuple[Any, ...] = (
    ProcedureCode,
    FeeSchedule,
    FeeScheduleEntry,
    BenefitPlan,
    PlanBenefit,
    Practice,
    Location,
    Provider,
    User,
    UserRole,
    Member,
    Coverage,
    BenefitAccumulator,
    VisitAccumulator,
    Remittance,
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimLineAdjustment,
    ClaimStatusEvent,
    AuditEvent,
)
TABLES: dict[str, Table] = {model.__table__.name: model.__table__ for model in _MODELS}
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)


def new_batch() -> RowBatch:
    return {name: [] for name in TABLE_ORDER}


@dataclass(frozen=True)
class TableWriter:
    """How one table's rows become driver parameters and which statement takes them."""

    table: Table
    columns: tuple[str, ...]
    getter: Callable[[Row], tuple[Any, ...]]
    # (position, processor) for the columns whose Python value is not what the driver stores.
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    insert_sql: str
    copy_sql: str

    def encode(self, rows: Sequence[Row]) -> list[tuple[Any, ...]]:
        """The rows as driver tuples in column order (a missing key is a bug: KeyError)."""
        getter = self.getter
        if not self.processors:
            return [getter(row) for row in rows]
        processors = self.processors
        encoded = []
        for row in rows:
            values = list(getter(row))
            for position, process in processors:
                value = values[position]
                if value is not None:
                    values[position] = process(value)
            encoded.append(tuple(values))
        return encoded


def _memoised(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    # A date column sees a few hundred distinct days across a million rows.
    cache: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        found = cache.get(value)
        if found is None:
            found = cache[value] = process(value)
        return found

    return cached


_CLOCK: list[str] = []


def _sqlite_timestamp(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """SQLAlchemy's SQLite text for a UTC timestamp ('YYYY-MM-DD HH:MM:SS.ffffff'), built from
    a per-day prefix and a table of the day's 86,400 clock strings: a third of the cost of
    formatting, and there are several timestamps per claim. Anything but whole seconds in UTC
    takes the column type's own processor (tests check both agree)."""
    if not _CLOCK:
        _CLOCK.extend(
            f"{hour:02d}:{minute:02d}:{second:02d}.000000"
            for hour in range(24)
            for minute in range(60)
            for second in range(60)
        )
    clock = _CLOCK
    days: dict[int, str] = {}

    def timestamp(value: datetime) -> Any:
        if value.microsecond or value.tzinfo is not UTC:
            return process(value)
        ordinal = value.toordinal()
        day = days.get(ordinal)
        if day is None:
            day = days[ordinal] = process(value)[:11]
        return day + clock[value.hour * 3600 + value.minute * 60 + value.second]

    return timestamp


def _processors(table: Table, dialect: Dialect) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    if dialect.name != "sqlite":
        return ()  # psycopg adapts date, datetime, bool, int and str natively for COPY
    found: list[tuple[int, Callable[[Any], Any]]] = []
    for position, column in enumerate(table.columns):
        column_type = column.type
        if isinstance(column_type, Money):
            continue  # rows already hold integer cents, Money's storage form
        base = column_type.impl_instance if hasattr(column_type, "impl_instance") else column_type
        if not isinstance(base, Date | DateTime):
            continue  # ints, strings (enum values), bools and None bind as they are
        process = column_type._cached_bind_processor(dialect)
        if process is None:
            continue
        if isinstance(base, DateTime):
            found.append((position, _sqlite_timestamp(process)))
        else:
            found.append((position, _memoised(process)))
    return tuple(found)


def _quoted(dialect: Dialect, name: str) -> str:
    return dialect.identifier_preparer.quote(name)


def table_writer(name: str, dialect: Dialect) -> TableWriter:
    table = TABLES[name]
    columns = tuple(column.name for column in table.columns)
    column_list = ", ".join(_quoted(dialect, column) for column in columns)
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    placeholders = ", ".join(marker for _ in columns)
    quoted_table = _quoted(dialect, name)
    getter = itemgetter(*columns)
    return TableWriter(
        table=table,
        columns=columns,
        getter=getter if len(columns) > 1 else (lambda row: (getter(row),)),
        processors=_processors(table, dialect),
        # Identifiers come from our own table definitions, values travel as parameters.
        insert_sql=f"INSERT INTO {quoted_table} ({column_list}) VALUES ({placeholders})",  # noqa: S608
        copy_sql=f"COPY {quoted_table} ({column_list}) FROM STDIN",
    )


class BatchEncoder:
    """Turns RowBatches into EncodedBatches for one dialect (needs no connection, so the bulk
    seed's producer process can do it)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._writers: dict[str, TableWriter] = {}

    def writer(self, name: str) -> TableWriter:
        found = self._writers.get(name)
        if found is None:
            found = self._writers[name] = table_writer(name, self.dialect)
        return found

    def encode(self, batch: Mapping[str, Sequence[Row]]) -> EncodedBatch:
        return {
            name: self.writer(name).encode(rows)
            for name in TABLE_ORDER
            if (rows := batch.get(name))
        }


class BulkWriter:
    """Writes batches on one connection: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.encoder = BatchEncoder(connection.dialect)

    def write(self, batch: Mapping[str, Sequence[Row]]) -> EncodedBatch:
        """Encode and write a RowBatch; returns what was written, as driver tuples."""
        encoded = self.encoder.encode(batch)
        self.write_encoded(encoded)
        return encoded

    def write_encoded(self, encoded: EncodedBatch) -> int:
        written = 0
        for name in TABLE_ORDER:
            values = encoded.get(name)
            if values:
                self.write_table(name, values)
                written += len(values)
        return written

    def write_table(self, name: str, values: Sequence[tuple[Any, ...]]) -> None:
        writer = self.encoder.writer(name)
        driver_connection: Any = self.connection.connection.driver_connection
        if self.dialect.name == "postgresql":
            with driver_connection.cursor() as cursor, cursor.copy(writer.copy_sql) as copy:
                for value in values:
                    copy.write_row(value)
        else:
            # The driver's own executemany: SQLAlchemy's per-row parameter handling would
            # cost more than SQLite's insert itself (see tests/bench/bench_seed.py).
            cursor = driver_connection.cursor()
            try:
                cursor.executemany(writer.insert_sql, values)
            finally:
                cursor.close()


def set_remittance_totals(connection: Connection, totals: Mapping[int, int]) -> None:
    """Remittances are written before the claims that point at them; their totals, known only
    once every claim is built, are set here (one executemany over a few hundred rows)."""
    if not totals:
        return
    table = TABLES["remittance"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("remittance_pk"))
        .values(total_paid=bindparam("total"))
    )
    connection.execute(
        statement,
        [
            {"remittance_pk": remittance_pk, "total": Decimal(cents).scaleb(-2)}
            for remittance_pk, cents in sorted(totals.items())
        ],
    )


def realign_id_sequences(connection: Connection, names: Iterable[str] = TABLE_ORDER) -> None:
    """PostgreSQL only: ids were assigned in Python, so move each serial past the largest id or
    the app's next ORM insert would collide. SQLite's rowid needs no help."""
    if connection.dialect.name != "postgresql":
        return
    for name in names:
        table = TABLES[name]
        if "id" not in table.c:
            continue
        quoted = _quoted(connection.dialect, name)
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, 'id'), "  # noqa: S608
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {quoted}"
            ),
            {"table": quoted},
        )


def next_ids(connection: Connection) -> dict[str, int]:
    """The first free id of every table with an integer id (1 on an empty database), so a seed
    can append to a database that already holds data."""
    found: dict[str, int] = {}
    for name, table in TABLES.items():
        if "id" in table.c:
            quoted = _quoted(connection.dialect, name)
            largest = connection.execute(text(f"SELECT MAX(id) FROM {quoted}")).scalar()  # noqa: S608
            found[name] = int(largest or 0) + 1
    return found


def has_rows(connection: Connection, name: str) -> bool:
    quoted = _quoted(connection.dialect, name)
    return connection.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1")).first() is not None  # noqa: S608


def tune_sqlite_for_bulk(connection: Connection) -> None:
    """A larger page cache keeps the indexes of a million-claim load in memory; the engine's
    own pragmas (WAL, synchronous=NORMAL, foreign keys on) stay as they are."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB
