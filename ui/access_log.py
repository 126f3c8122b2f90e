"""Keep URL queries out of the access log: the claim list's patient and member ID filters (and
the reports' views) live in the query string, and PHI never goes to logs."""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class DropQueryStrings(logging.Filter):
    """uvicorn logs (client, method, path with query, HTTP version, status): cut each path at
    its '?' so the log keeps which page was asked for, never what was searched."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2]
            if "?" in path:
                record.args = (*args[:2], path.split("?", 1)[0] + "?…", *args[3:])
        return True


def install() -> None:
    """Idempotent: NiceGUI's test harness starts the app many times in one process."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, DropQueryStrings) for existing in logger.filters):
        logger.addFilter(DropQueryStrings())
