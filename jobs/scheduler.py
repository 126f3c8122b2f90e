"""The APScheduler set-up: one BackgroundScheduler per process, one leader across processes."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Connection, Engine

from jobs.audit_seal import MAX_BATCHES, SEAL_EVERY_SECONDS, seal_audit_events
from jobs.status_refresh import refresh_claim_statuses
from storage.db import get_engine, is_sqlite
from storage.settings import Settings, get_settings

log = logging.getLogger(__name__)

STATUS_REFRESH_JOB = "status_refresh"
AUDIT_SEAL_JOB = "audit_seal"
# pg_try_advisory_lock takes one bigint, shared by every client of the database: a fixed,
# recognisable value ("PORTICO" in ASCII) that nothing else in the database should pick.
ADVISORY_LOCK_KEY = 0x504F5254494343


class LeaderLock:
    """Who runs the jobs when several app processes share one database.

    Every process schedules the jobs, and each tick first asks `ensure()`. The leader keeps its
    lock for the life of the process; the others try again at every tick, so when the leader
    dies (and the database or the kernel frees its lock) another process takes over within one
    interval, with no coordinator to configure.

    PostgreSQL: a session-level advisory lock held on a dedicated connection in autocommit mode
    (an open transaction would idle for hours and block vacuum); the connection is checked at
    every tick, because a dropped connection silently releases the lock.
    SQLite: the database lives on one machine, so an exclusive flock on '<db>.scheduler.lock'
    does the same; the kernel releases it when the process ends, however it ends. An in-memory
    database belongs to one process, which is then always the leader."""

    def __init__(self, engine: Engine, *, key: int = ADVISORY_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._mutex = threading.Lock()
        self._connection: Connection | None = None
        self._file: IO[bytes] | None = None
        self._held = False

    @property
    def held(self) -> bool:
        return self._held

    def ensure(self) -> bool:
        """True when this process is (still, or now) the leader."""
        with self._mutex:
            if self._held and not self._still_held():
                self._drop()
            if not self._held:
                self._held = self._acquire()
            return self._held

    def release(self) -> None:
        with self._mutex:
            self._drop()

    def _acquire(self) -> bool:
        if is_sqlite(self._engine):
            return self._acquire_file()
        return self._acquire_advisory()

    def _acquire_file(self) -> bool:
        database = self._engine.url.database
        if not database or database == ":memory:":
            return True
        lock_file = Path(f"{database}.scheduler.lock").open("ab")  # noqa: SIM115 (held open)
        try:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock_file.close()
            return False
        self._file = lock_file
        return True

    def _acquire_advisory(self) -> bool:
        try:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            # Out of the pool: the lock lives as long as this one connection, which the pool
            # must neither recycle nor hand to a page.
            connection.detach()
            got = connection.exec_driver_sql(
                "SELECT pg_try_advisory_lock(%s)", (self._key,)
            ).scalar()
        except Exception:
            log.warning("scheduler leader lock: database unavailable", exc_info=True)
            return False
        if got:
            self._connection = connection
            return True
        connection.close()
        return False

    def _still_held(self) -> bool:
        if self._connection is None:
            return True  # a file lock (or in-memory database) cannot be lost while open
        try:
            self._connection.exec_driver_sql("SELECT 1")
            return True
        except Exception:
            log.warning("scheduler leader lock: lost its connection; re-electing")
            return False

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (self._key,))
            except Exception:
                log.debug("advisory unlock failed; closing the connection frees it anyway")
            self._connection.close()
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        self._held = False


class JobRunner:
    """The process's scheduler and its leader lock, started and stopped by the app's lifecycle
    (never at import: NiceGUI's reload and test harness import main.py more than once)."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.leader = LeaderLock(engine)
        self.scheduler = BackgroundScheduler(timezone=UTC)
        self._missing_pipeline_logged = False

    def start(self) -> None:
        interval = self.settings.status_refresh_seconds
        self.scheduler.add_job(
            self.status_refresh,
            IntervalTrigger(seconds=interval),
            id=STATUS_REFRESH_JOB,
            name="claim status refresh",
            # Never two runs at once in this process (the leader lock covers other processes);
            # runs missed while one was slow collapse into one, and a run late by up to one
            # interval still happens rather than being skipped.
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(interval)),
            next_run_time=datetime.now(UTC),
        )
        # Its own job, so a failing or slow status refresh never holds back the audit chain.
        self.scheduler.add_job(
            self.audit_seal,
            IntervalTrigger(seconds=SEAL_EVERY_SECONDS),
            id=AUDIT_SEAL_JOB,
            name="audit chain seal",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=SEAL_EVERY_SECONDS,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.start()
        log.info(
            "scheduler started: status refresh every %s s, audit seal every %s s",
            interval,
            SEAL_EVERY_SECONDS,
        )

    def shutdown(self) -> None:
        if self.scheduler.running:
            # wait=True: a run in progress finishes its transaction rather than being cut off.
            self.scheduler.shutdown(wait=True)
        self.leader.release()

    def audit_seal(self) -> None:
        # The leader seals; the seal lock would serialise several sealers anyway, but one
        # process doing it keeps the others from queueing on it every few seconds.
        if not self.leader.ensure():
            return
        seal_audit_events(engine=self.engine, max_batches=MAX_BATCHES)

    def status_refresh(self) -> None:
        if not self.leader.ensure():
            return
        try:
            refresh_claim_statuses()
        except ModuleNotFoundError as missing:
            # Until the pipeline ships, say so once instead of an error every few seconds.
            if missing.name != "domain.claim_pipeline":
                raise
            if not self._missing_pipeline_logged:
                log.warning("status refresh skipped: domain.claim_pipeline is not available")
                self._missing_pipeline_logged = True


_runner: JobRunner | None = None


def start_scheduler() -> None:
    """app.on_startup: start the jobs (status refresh, audit seal) unless
    PORTICO_SCHEDULER_ENABLED=false."""
    global _runner
    settings = get_settings()
    if not settings.scheduler_enabled or _runner is not None:
        return
    _runner = JobRunner(settings, get_engine())
    _runner.start()
    print(  # printed like NiceGUI's own start-up lines: uvicorn drops INFO by default
        f"Status refresh every {settings.status_refresh_seconds:g} s "
        f"(payment run every {settings.payment_cycle_seconds:g} s), audit seal every "
        f"{SEAL_EVERY_SECONDS:g} s, pid {os.getpid()}.",
        flush=True,
    )


def stop_scheduler() -> None:
    """app.on_shutdown."""
    global _runner
    if _runner is not None:
        _runner.shutdown()
        _runner = None
