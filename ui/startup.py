"""What the app does when it starts: migrate the database, and seed the demo if asked to and
the database is empty."""

from __future__ import annotations

from storage.db import get_engine
from storage.migrate import upgrade_to_head
from storage.settings import get_settings
from ui import access_log


def on_startup() -> None:
    """Synchronous on purpose: NiceGUI runs an async start-up handler as a background task,
    and the app would then answer requests (and /healthz) before its tables exist. Run before
    uvicorn serves, this blocks nothing but the start itself."""
    access_log.install()
    engine = get_engine()
    upgrade_to_head(engine)
    if not get_settings().seed_demo_on_start:
        return
    # Imported here: the seed modules are large and only a demo start needs them.
    from storage.seed import database_is_empty
    from storage.seed.demo import DEMO_PASSWORD, FULL, seed_demo

    if database_is_empty(engine):
        summary = seed_demo(engine, scale=FULL)
        # Printed like NiceGUI's own "ready" line: uvicorn's loggers drop INFO by default.
        print(
            f"Empty database: seeded the demo practices ({summary.rows.get('claim', 0):,} "
            f"claims, as of {summary.as_of.isoformat()}) in {summary.seconds:.1f} s; sign in as "
            f"admin@riverside.example with password {DEMO_PASSWORD!r}.",
            flush=True,
        )
