"""Shared fixtures: a migrated database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL
is set), and a small demo data set seeded once per run and copied for each UI test."""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.db import get_engine, make_engine
from storage.migrate import upgrade_to_head
from storage.settings import get_settings

# The status-refresh job would move the demo claims under a test's feet: off unless a test
# turns it on (the e2e harness passes scheduler=True where a journey needs it).
os.environ.setdefault("PORTICO_SCHEDULER_ENABLED", "false")


def _database_urls() -> list[str]:
    urls = ["sqlite"]
    if os.environ.get("TEST_DATABASE_URL"):
        urls.append("postgresql")
    return urls


@pytest.fixture(params=_database_urls())
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated, empty database: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        sqlite_engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        upgrade_to_head(sqlite_engine)
        yield sqlite_engine
        sqlite_engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(os.environ["TEST_DATABASE_URL"])
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    pg_engine = make_engine(
        os.environ["TEST_DATABASE_URL"]
        + ("&" if "?" in os.environ["TEST_DATABASE_URL"] else "?")
        + f"options=-csearch_path%3D{schema}"
    )
    upgrade_to_head(pg_engine)
    yield pg_engine
    pg_engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database (same practices, accounts and showcase members as the full demo),
    built once per test run and copied for each test that needs it."""
    from storage.seed.demo import SMALL, seed_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    template_engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(template_engine)
    seed_demo(template_engine, scale=SMALL)
    with template_engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    template_engine.dispose()
    return path


@pytest.fixture
def demo_db(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """Point the app at a private copy of the demo database for this test."""
    path = tmp_path / "portico.db"
    shutil.copyfile(demo_template, path)
    monkeypatch.setenv("PORTICO_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("PORTICO_SEED_DEMO_ON_START", "false")
    monkeypatch.setenv("PORTICO_SCHEDULER_ENABLED", "false")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield get_engine()
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture
def seeded_engine(engine: Engine) -> Engine:
    """The `engine` fixture (SQLite and PostgreSQL) with the small demo data set in it."""
    from storage.seed.demo import SMALL, seed_demo

    seed_demo(engine, scale=SMALL)
    return engine


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Hide what is alive before a NiceGUI `user` test from the cyclic garbage collector.

    The user fixture runs gc.collect() twice per test, and a full collection walks every object
    in the process: over a million before any test runs (the ICD-10 code tree alone is 700,000),
    millions by the UI half of the suite. Frozen, those are skipped and the collections walk
    only what the test itself made (tests/ui/test_claims.py: 26 s -> 12 s after a few storage
    tests, far more late in the suite). What was alive before stays alive until exit: memory
    only, and a test's own objects are collected as usual."""
    if "user" in getattr(item, "fixturenames", ()):
        gc.freeze()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Close the simulated tabs of a NiceGUI `user` test the way a browser leaving would.

    The user fixture's teardown forgets its clients without deleting them, so their delete
    handlers (which drop a tab from ui/session.py and ui/live.py) never run and every test's
    pages stayed in memory: the heap grew by thousands of objects a test, and the full suite
    spent most of its time in the gc.collect() NiceGUI runs twice per test. This runs before
    the fixtures' own teardown, while the clients are still registered."""
    if "user" in getattr(item, "fixturenames", ()):
        from nicegui import Client

        for client in list(Client.instances.values()):
            client.delete()
    yield
