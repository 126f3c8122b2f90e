"""Benchmark-size databases: `python main.py seed --claims N` through the bulk path, in batches.

Reference data, practices, members and N claims (lines, adjustments, diagnoses, status events),
each batch its own transaction, built by the demo's claim model.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Dialect, Engine
from tqdm import tqdm

from storage.db import get_engine
from storage.seed.claims import ClaimModel
from storage.seed.directory import (
    DEMO_PRACTICES,
    ExistingPractice,
    build_directory,
    generated_practices,
)
from storage.seed.loader import (
    BatchEncoder,
    BulkWriter,
    EncodedBatch,
    RowBatch,
    has_rows,
    new_batch,
    next_ids,
    realign_id_sequences,
    set_remittance_totals,
    tune_sqlite_for_bulk,
)
from storage.seed.people import MemberFactory, Population, generate_members
from storage.seed.reference import build_reference
from storage.seed.window import window_for

BULK_RANDOM_SEED = 1_000_003
CLAIMS_PER_MEMBER = 10  # about what a member accumulates in 18 months
CLAIMS_PER_PRACTICE = 100_000  # a mid-size group over 18 months


@dataclass
class BulkSummary:
    claims: int
    members: int
    practices: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of the seed itself (callbacks excluded)
    generate_seconds: float = 0.0  # building rows and encoding them as driver tuples
    generate_cpu_seconds: float = 0.0  # the same in CPU time (differs when cores are busy)
    insert_seconds: float = 0.0  # writing them: executemany or COPY, and the commits
    analyze_seconds: float = 0.0  # refreshing the planner's statistics afterwards
    parallel: bool = False  # generating and writing overlapped (two processes)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0

    @property
    def insert_rows_per_second(self) -> float:
        return self.total_rows / self.insert_seconds if self.insert_seconds else 0.0

    def __str__(self) -> str:
        width = max((len(name) for name in self.rows), default=10)
        lines = [
            f"Bulk seed: {self.claims:,} claims, {self.members:,} members, "
            f"{self.practices} practices; {self.total_rows:,} rows in {self.seconds:.1f} s "
            f"({self.rows_per_second:,.0f} rows/s; generating {self.generate_seconds:.1f} s"
            f"{' alongside' if self.parallel else ','} writing {self.insert_seconds:.1f} s "
            f"= {self.insert_rows_per_second:,.0f} rows/s)"
        ]
        lines += [f"  {name:<{width}} {count:>12,}" for name, count in self.rows.items() if count]
        return "\n".join(lines)


@dataclass(frozen=True)
class ExistingData:
    """What a database already holds that a bulk seed appends to (the demo, say)."""

    first_ids: dict[str, int]
    has_reference: bool
    practices: dict[str, ExistingPractice]  # by TIN
    last_family_serial: int


def inspect_database(connection: Connection) -> ExistingData:
    practices: dict[str, ExistingPractice] = {}
    by_pk: dict[int, ExistingPractice] = {}
    for practice_pk, tin in connection.execute(text("SELECT id, tin FROM practice")):
        by_pk[practice_pk] = practices[tin] = ExistingPractice(practice_pk, {}, {})
    for location_pk, practice_pk, name in connection.execute(
        text("SELECT id, practice_id, name FROM location")
    ):
        by_pk[practice_pk].location_pks[name] = location_pk
    for provider_pk, practice_pk, npi in connection.execute(
        text("SELECT id, practice_id, npi FROM provider")
    ):
        by_pk[practice_pk].provider_pks[npi] = provider_pk
    # Family IDs are "PT" + 7 digits, so the largest string is the largest number.
    last_family = connection.execute(
        text("SELECT MAX(family_id) FROM member WHERE family_id LIKE 'PT%'")
    ).scalar()
    return ExistingData(
        first_ids=next_ids(connection),
        has_reference=has_rows(connection, "procedurecode"),
        practices=practices,
        last_family_serial=int(last_family[2:]) if last_family else 0,
    )


class BulkGenerator:
    """The rows of a benchmark database, batch by batch, in foreign-key order: reference data
    and practices, members in chunks, claims in batches of `batch_size`, then accumulators.
    After the last batch, `remittance_totals` holds each remittance's total in cents.

    Appending to a database that has data (the demo, or an earlier bulk seed) reuses its
    reference data and, matched by TIN and NPI, its practices, so their claim volumes grow;
    every new row takes an id after the existing ones."""

    def __init__(
        self,
        *,
        claims: int,
        as_of: date,
        batch_size: int = 10_000,
        existing: ExistingData | None = None,
        members: int | None = None,
    ) -> None:
        if claims < 1:
            raise ValueError("claims must be at least 1")
        self.claims = claims
        self.batch_size = batch_size
        self.window = window_for(as_of)
        self.existing = existing or ExistingData({}, False, {}, 0)
        # Eligibility benchmarks want many members and few claims; by default ten claims each.
        self.members = members or max(claims // CLAIMS_PER_MEMBER, 100)
        extra = max(round(claims / CLAIMS_PER_PRACTICE) - len(DEMO_PRACTICES), 0)
        self.rng = random.Random(BULK_RANDOM_SEED)
        self.practice_specs = (*DEMO_PRACTICES, *generated_practices(extra, self.rng))
        self.remittance_totals: dict[int, int] = {}

    def batches(self) -> Iterator[RowBatch]:
        window = self.window
        existing = self.existing
        created_at = datetime(window.start.year, window.start.month, window.start.day, tzinfo=UTC)
        reference = build_reference(effective_from=date(window.start.year, 1, 1))
        directory = build_directory(
            self.practice_specs,
            created_at=created_at,
            first_ids=existing.first_ids,
            existing=existing.practices,
        )
        first = new_batch()
        sources = (directory.rows,) if existing.has_reference else (reference.rows, directory.rows)
        for source in sources:
            for name, rows in source.items():
                first[name].extend(rows)
        yield first
        population = Population()
        factory = MemberFactory(
            directory=directory, population=population, first_ids=existing.first_ids
        )
        yield from generate_members(
            self.rng,
            factory,
            count=self.members,
            window=window,
            first_family_serial=max(existing.last_family_serial, 3_000_000),
            chunk_size=self.batch_size * 2,
        )
        model = ClaimModel(
            self.rng,
            reference=reference,
            directory=directory,
            population=population,
            window=window,
            first_ids=existing.first_ids,
        )
        yield from model.random_claims(self.claims, batch_claims=self.batch_size)
        yield model.accumulator_rows()
        self.remittance_totals = model.remittance_totals


PARALLEL_FROM_CLAIMS = 50_000  # below this, starting a producer process is not worth it


@dataclass
class _Production:
    """What the producer reports besides the batches."""

    generate_seconds: float = 0.0
    generate_cpu_seconds: float = 0.0
    remittance_totals: dict[int, int] = field(default_factory=dict)


def _inline_batches(
    generator: BulkGenerator, encoder: BatchEncoder, production: _Production
) -> Iterator[EncodedBatch]:
    batches = generator.batches()
    while True:
        mark, cpu_mark = time.perf_counter(), time.process_time()
        batch = next(batches, None)
        encoded = encoder.encode(batch) if batch is not None else None
        production.generate_seconds += time.perf_counter() - mark
        production.generate_cpu_seconds += time.process_time() - cpu_mark
        if encoded is None:
            break
        yield encoded
    production.remittance_totals = generator.remittance_totals


def _produce(queue: Any, generator: BulkGenerator, dialect: Dialect) -> None:
    """The producer process: build and encode every batch and hand them over in order."""
    try:
        production = _Production()
        for encoded in _inline_batches(generator, BatchEncoder(dialect), production):
            queue.put(("batch", encoded))
        queue.put(("done", production))
    except BaseException:
        queue.put(("error", traceback.format_exc()))


def _forked_batches(
    generator: BulkGenerator, dialect: Dialect, production: _Production
) -> Iterator[EncodedBatch]:
    """Batches from a forked producer process, so building rows (Python, one core) overlaps
    writing them (mostly SQLite or PostgreSQL, the other core). Fork, not spawn: spawn would
    re-import main.py, which starts the web server when imported by a worker. The child only
    computes; it never touches the parent's database connection."""
    context = multiprocessing.get_context("fork")
    handover = context.Queue(maxsize=3)  # bounded: memory stays at a few batches
    producer = context.Process(
        target=_produce, args=(handover, generator, dialect), name="portico-seed-producer"
    )
    producer.start()
    try:
        while True:
            try:
                message = handover.get(timeout=5)
            except queue.Empty:
                if not producer.is_alive():
                    raise RuntimeError("The bulk seed's producer process stopped early.") from None
                continue
            if message[0] == "batch":
                yield message[1]
            elif message[0] == "done":
                finished: _Production = message[1]
                production.generate_seconds = finished.generate_seconds
                production.generate_cpu_seconds = finished.generate_cpu_seconds
                production.remittance_totals = finished.remittance_totals
                return
            else:
                raise RuntimeError(f"Generating the bulk seed's rows failed:\n{message[1]}")
    finally:
        if producer.is_alive():
            producer.terminate()
        producer.join(timeout=30)
        handover.close()


def seed_bulk(
    engine: Engine | None = None,
    *,
    claims: int,
    progress: bool = False,
    batch_size: int = 10_000,
    as_of: date | None = None,
    parallel: bool | None = None,
    on_batch: Callable[[EncodedBatch], None] | None = None,
    members: int | None = None,
) -> BulkSummary:
    """Generate `claims` claims (and the practices and members they need) into a migrated
    database: an empty one, or one with data to append to (see BulkGenerator).

    Each batch commits on its own, so memory stays flat and a 10M-claim load on PostgreSQL
    never holds one giant transaction; an interrupted load leaves a partial database to drop.
    With `parallel` (the default from 50,000 claims where fork exists) a producer process
    builds the rows while this one writes them. `on_batch` sees every batch, as the driver
    tuples written, after it is written (the benchmark replays them elsewhere); its time is
    not counted.
    """
    engine = engine or get_engine()
    if parallel is None:
        parallel = (
            claims >= PARALLEL_FROM_CLAIMS and "fork" in multiprocessing.get_all_start_methods()
        )
    counts = {name: 0 for name in new_batch()}
    callback_seconds = 0.0
    started = time.perf_counter()
    with engine.connect() as connection:
        tune_sqlite_for_bulk(connection)
        existing = inspect_database(connection)
        connection.commit()  # end the autobegun transaction; every batch begins its own
        generator = BulkGenerator(
            claims=claims,
            as_of=as_of or date.today(),
            batch_size=batch_size,
            existing=existing,
            members=members,
        )
        summary = BulkSummary(
            claims=claims,
            members=generator.members,
            practices=len(generator.practice_specs),
            parallel=parallel,
        )
        writer = BulkWriter(connection)
        production = _Production()
        batches = (
            _forked_batches(generator, connection.dialect, production)
            if parallel
            else _inline_batches(generator, writer.encoder, production)
        )
        bar = tqdm(
            total=claims, unit="claim", unit_scale=True, disable=not progress, smoothing=0.05
        )
        for encoded in batches:
            mark = time.perf_counter()
            with connection.begin():
                writer.write_encoded(encoded)
            summary.insert_seconds += time.perf_counter() - mark
            for name, values in encoded.items():
                counts[name] += len(values)
            bar.update(len(encoded.get("claim", ())))
            bar.set_postfix_str(f"{sum(counts.values()):,} rows", refresh=False)
            if on_batch is not None:
                mark = time.perf_counter()
                on_batch(encoded)
                callback_seconds += time.perf_counter() - mark
        bar.close()
        mark = time.perf_counter()
        with connection.begin():
            set_remittance_totals(connection, production.remittance_totals)
            realign_id_sequences(connection)
        summary.insert_seconds += time.perf_counter() - mark
        # Fresh planner statistics: without them SQLite's planner walks a whole practice for
        # the claim list's filters, and PostgreSQL's autovacuum may not have run yet.
        mark = time.perf_counter()
        with connection.begin():
            connection.exec_driver_sql("ANALYZE")
        summary.analyze_seconds = time.perf_counter() - mark
    summary.generate_seconds = production.generate_seconds
    summary.generate_cpu_seconds = production.generate_cpu_seconds
    summary.rows = counts
    summary.seconds = time.perf_counter() - started - callback_seconds
    if progress:
        tqdm.write(str(summary))
    return summary
