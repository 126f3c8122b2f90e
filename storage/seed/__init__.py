"""Seed data: the deterministic demo (demo.py) and benchmark-size databases (bulk.py).

Both are built by the same claim model (claims.py) and written through the same bulk path
(loader.py).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from storage.db import get_engine


class SeedRefused(RuntimeError):
    """The database already holds practices; seeding would mix invented data into it."""


def _has_practices(connection: Connection) -> bool:
    return connection.execute(text("SELECT 1 FROM practice LIMIT 1")).first() is not None


def database_is_empty(engine: Engine | None = None) -> bool:
    """True when no practice exists yet (the app seeds the demo on first start then)."""
    with (engine or get_engine()).connect() as connection:
        return not _has_practices(connection)


def refuse_unless_empty(connection: Connection) -> None:
    if _has_practices(connection):
        raise SeedRefused(
            "This database already has practices, so seed data was not loaded. Seeding needs "
            "an empty, migrated database: point PORTICO_DATABASE_URL at a new one, run "
            "`python main.py migrate`, then seed again."
        )
