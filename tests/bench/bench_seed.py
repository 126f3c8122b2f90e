"""Seed benchmarks: the full demo's seed time, and the bulk seed against raw executemany.

`seed --claims N` is compared with a raw sqlite3 executemany of the very same rows in the same
run. They measure and print; they never assert a time. Run:
pytest tests/bench/bench_seed.py -o python_files='bench_*.py' -s
(BENCH_CLAIMS sets the bulk size, default 1,000,000).
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import date
from pathlib import Path

from storage.db import make_engine
from storage.migrate import upgrade_to_head
from storage.seed.bulk import BulkSummary, seed_bulk
from storage.seed.demo import FULL, seed_demo
from storage.seed.loader import TABLE_ORDER, TABLES, EncodedBatch

CLAIMS = int(os.environ.get("BENCH_CLAIMS", "1000000"))
AS_OF = date(2026, 11, 26)


def _migrated(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    return url


def test_full_demo_seed_time(tmp_path: Path) -> None:
    engine = make_engine(_migrated(tmp_path / "demo.db"))
    summary = seed_demo(engine, scale=FULL, as_of=AS_OF)
    engine.dispose()
    rows = sum(summary.rows.values())
    print(
        f"\n[bench] full demo seed: {summary.seconds:.1f} s for {rows:,} rows "
        f"({summary.rows['claim']:,} claims, {rows / summary.seconds:,.0f} rows/s)"
    )


class RawReplay:
    """The floor: the same driver tuples into an identically migrated database with plain
    sqlite3, hand-written INSERTs and executemany, one transaction per batch, and the pragmas
    the engine and the bulk seed set."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                       "busy_timeout=10000", "cache_size=-262144"):  # fmt: skip
            self.connection.execute(f"PRAGMA {pragma}")
        self.statements = {
            name: (
                f'INSERT INTO "{name}" ({", ".join(column.name for column in table.columns)}) '
                f"VALUES ({', '.join('?' for _ in table.columns)})"
            )
            for name, table in TABLES.items()
        }
        self.seconds = 0.0
        self.rows = 0

    def __call__(self, encoded: EncodedBatch) -> None:
        mark = time.perf_counter()
        cursor = self.connection.cursor()
        cursor.execute("BEGIN")
        for name in TABLE_ORDER:
            if name in encoded:
                cursor.executemany(self.statements[name], encoded[name])
                self.rows += len(encoded[name])
        cursor.execute("COMMIT")
        self.seconds += time.perf_counter() - mark


def _line(label: str, seconds: float, rows: int) -> str:
    return f"\n[bench]   {label:<34}{seconds:8.1f} s = {rows / seconds:>10,.0f} rows/s"


def _load() -> str:
    # Other work on the machine skews every figure here; the load average says how much.
    return "load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def test_bulk_seed_against_raw_executemany(tmp_path: Path) -> None:
    load_before = _load()
    # 1. `seed --claims N` as the command runs it: nothing else in the process.
    engine = make_engine(_migrated(tmp_path / "seed.db"))
    seed: BulkSummary = seed_bulk(engine, claims=CLAIMS, as_of=AS_OF)
    engine.dispose()
    (tmp_path / "seed.db").unlink()
    # 2. The same rows again (the seed is deterministic), each batch also replayed raw.
    engine = make_engine(_migrated(tmp_path / "bulk.db"))
    _migrated(tmp_path / "raw.db")
    raw = RawReplay(tmp_path / "raw.db")
    replayed = seed_bulk(engine, claims=CLAIMS, as_of=AS_OF, on_batch=raw)
    engine.dispose()
    raw.connection.close()
    rows = seed.total_rows
    assert raw.rows == replayed.total_rows == rows  # the same rows went every way
    print(
        f"\n[bench] seed --claims {CLAIMS:,}: {rows:,} rows "
        f"({seed.practices} practices, {seed.members:,} members; "
        f"{'producer process + writer' if seed.parallel else 'one process'})"
        + _line("seed, end to end", seed.seconds, rows)
        + _line("  building rows (producer)", seed.generate_seconds, rows)
        + f" ({seed.generate_cpu_seconds:.1f} s CPU)"
        + _line(
            "  writing (alongside)" if seed.parallel else "  writing", seed.insert_seconds, rows
        )
        + _line("bulk path writing (replay run)", replayed.insert_seconds, rows)
        + _line("raw sqlite3 executemany, same rows", raw.seconds, rows)
        + f"\n[bench]   seed end to end / raw executemany: {seed.seconds / raw.seconds:.2f}x"
        f"\n[bench]   bulk writing / raw executemany:    "
        f"{replayed.insert_seconds / raw.seconds:.2f}x"
        f"\n[bench]   ({load_before} before, {_load()} after; 2 cores)"
    )
