"""Alembic environment: Portico's metadata, and the engine the caller hands over (or settings')."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import domain.models  # noqa: F401  (registers every table on the metadata)
from storage.db import get_engine, make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    engine = make_engine(url) if url else get_engine()
    with engine.begin() as conn:
        _run(conn)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by table copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
